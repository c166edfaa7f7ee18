import { KEY_HELP } from "../seal/key_flags.ts";

/** The receiver's `--help`. */
export const RECEIVER_HELP =
  `udpcam receiver: receive a udpcam sender's stream and show it in a browser

Usage: receiver [HOST[:PORT]] [options]
       receiver [NAME=]HOST[:PORT] [NAME=]HOST[:PORT] ... [options]
       receiver --all [options]
       receiver rtp://HOST:PORT [options]
       receiver --sdp FILE [options]
       receiver tutorial://HOST:PORT [options]

Arguments:
  HOST[:PORT]          the sender's UDP address (udp://HOST:PORT too); with none,
                       the one sender announcing itself on the local network
                       (asked which when there are several), else
                       127.0.0.1:8080. Several make a station: every camera
                       on one page, each with its own link and recovery;
                       NAME= names a camera in the page and its paths
                       (letters, digits, . _ -; default: the address)
  rtp://HOST:PORT      instead, receive RTP/JPEG (RFC 2435, payload type 26)
                       from GStreamer, ffmpeg or a camera on this address and
                       port (0.0.0.0 for every interface); a multicast group
                       (224.0.0.0 to 239.255.255.255) is joined. RTP has no
                       key, no resends and no handshake: --key, --nack and
                       --latency are udpcam's own
  tutorial://HOST:PORT instead, join a server of the classic Python/OpenCV UDP
                       tutorial (default port 8080): greets it, shows each
                       datagram of base64 JPEG. No security, no recovery

Options:
  --connect HOST:PORT  the same, as a flag
  --all                join every sender announcing itself on the local
                       network, adding each as it starts and dropping it as
                       it stops (besides any named)
  --keys FILE          keys of cameras whose key differs from --key's: a line
                       a camera, its NAME or HOST[:PORT], a space, its key
                       (# starts a comment); a camera found by --all by its
                       HOST[:PORT] only (any host can announce any name)
  --discover           list the senders announcing themselves on the local
                       network (name, address, whether a key is needed), and
                       exit
  --sdp FILE           receive the RTP/JPEG stream an SDP file describes (its
                       port, payload type, multicast group and x-dimensions),
                       such as ffmpeg's -sdp_file writes
  --http HOST:PORT     where the preview listens (default 127.0.0.1:8081; port 0
                       picks a free port). Beyond loopback every request needs
                       the token: the logged preview URL carries it
  --http-token TOKEN   the token the preview asks for, even on loopback (8 to
                       256 printable characters, no spaces; default beyond
                       loopback: a random one made on the first run and kept
                       in the config folder, udpcam/http-token, so bookmarks
                       keep working; delete the file for a new one)
  --allow-embed        let web pages of other origins embed the stream and the
                       snapshot (<img src=".../stream.mjpg?token=...">, as on
                       a dashboard); the page and stats stay this origin's
  --latency MS         how long a frame may wait for a lost datagram to be sent
                       again (default: 3 round trips + 25 ms, at least 30 ms);
                       a newer whole frame is shown at once all the same
  --nack on|off        ask the sender again for lost datagrams (default on)
${KEY_HELP}
  --record FILE        record the video to FILE (.mkv, .avi or .mjpeg) through
                       ffmpeg, the JPEGs as they came (no encoding), each at its
                       capture time; never overwrites a file. If ffmpeg fails,
                       recording goes on in FILE's name with the time added.
                       A station records each camera to its own file:
                       cam-NAME.mkv; --record DIR (no extension) writes
                       DIR/NAME.mkv
  --record-segment DURATION
                       a new file every DURATION (1s to 24h: 90, 30s, 10m, 1h),
                       cut on the clock and named with the time it starts:
                       cam.mkv becomes cam-20261124-153000.mkv, ...
  --ffmpeg PATH        ffmpeg binary for --record (default: $FFMPEG, else
                       ffmpeg on PATH)
  --open               open the preview in the default browser
  --log text|json      event log format; json writes one object a line on stdout
  -h, --help           show this help
  -V, --version        show the version

Preview:
  /              the live video and its stats; for a station, the grid of
                 every camera, its name and state on each tile and the
                 latency to the screen measured by the page (click a tile,
                 or press its number, to see it alone)
  /cam/NAME/     one camera's own page, with its stream.mjpg, snapshot.jpg
                 and stats beside it; the paths below serve the first camera
  /grid.mjpg     every camera's frames in one stream (multipart/mixed, each
                 part with X-Camera): how the grid shows 16 cameras and more
                 over the one connection a browser needs
  /stream.mjpg   MJPEG stream (multipart/x-mixed-replace), for browsers, VLC, ffplay;
                 ?fps=N caps this viewer's rate. While no video comes, it shows
                 a drawn "no signal" frame with the time the signal was lost
  /snapshot.jpg  the newest frame
  /stats         JSON stats (with --record, under "recording": frames written
                 and skipped, bytes, the current file, failures and restarts);
                 "cameras" has an entry per camera, with "screenLatencyMs"
  /metrics       the same for Prometheus (text format), labelled camera=NAME
  Beyond loopback, or with --http-token, every request needs the token: as
  ?token=TOKEN (the page passes it on; no cookie) or Authorization: Bearer TOKEN

Examples:
  receiver --open              a sender on this machine, shown in the browser
  receiver door=192.168.1.20 yard=192.168.1.21 --open
                               a station of two cameras on one page
  receiver --all --record recordings
                               every camera on the network, each recorded to
                               recordings/NAME.mkv
  receiver 192.168.1.20        a sender on the LAN (port 8080); there run:
                                 sender
  receiver 192.168.1.20:9000   there run: sender --listen 0.0.0.0:9000
  receiver 192.168.1.20 --key-file ~/.udpcam-key
                               a sender with a key; there run, same key:
                                 sender --key-file ~/.udpcam-key
  receiver 192.168.1.20 --record cam.mkv --record-segment 10m
                               record while watching, a new file every 10 minutes,
                               named like cam-20261124-153000.mkv
  receiver 192.168.1.20 --http 0.0.0.0:8081
                               serve the LAN: on another machine, open the logged
                               URL (with its token) at this machine's address
  receiver 192.168.1.20 --http 0.0.0.0:8081 --http-token "$TOKEN"
                               the same with a token of your own
  receiver 10.8.0.5 --latency 300
                               a far sender: more time to recover

Exit codes: 0 done, 1 failure, 2 bad usage, 3 ffmpeg missing (--record),
4 address in use.`;
