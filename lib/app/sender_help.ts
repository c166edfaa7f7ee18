import { DEFAULT_OVERLAY_POSITION } from "../overlay/overlay_layout.ts";
import { KEY_HELP } from "../seal/key_flags.ts";
import { SENDER_DEFAULTS } from "../send/sender_defaults.ts";
import { MAX_NAME_BYTES } from "./sender_args.ts";

/** The sender's `--help`. */
export const SENDER_HELP = `udpcam sender: capture video and stream it over UDP to udpcam receivers

Usage: sender [options]

Options:
  --listen HOST:PORT   UDP address receivers contact (default 0.0.0.0:8080)
  --source SPEC        camera (default), camera:NAME (a device name or index),
                       test (built-in moving test pattern, needs no ffmpeg),
                       or a file path or URL that ffmpeg reads
  --loop               repeat a file (or a file over HTTP) forever
  --list-cameras       print the cameras ffmpeg sees on this system and exit
  --width N            resize to at most N pixels wide, keeping the aspect ratio
  --fps N              send at most N frames a second
  --quality 1-100      JPEG quality (default 80)
  --copy               send the source's own JPEG frames as they are (MJPEG
                       cameras and files): no decode, no encode, least CPU
  --name NAME          the name receivers show for this sender (default: the
                       host name; at most ${MAX_NAME_BYTES} bytes)
  --overlay TEXT       burn TEXT into every frame, white on a dark box; it may
                       hold {time} (HH:MM:SS), {date} (YYYY-MM-DD), {fps}
                       (frames a second), {host} (host name), and {{ or }}
                       for a brace; not with --copy
  --overlay-position top-left|top-right|bottom-left|bottom-right
                       the corner for --overlay (default ${DEFAULT_OVERLAY_POSITION})
  --ffmpeg PATH        ffmpeg binary (default: $FFMPEG, else ffmpeg on PATH)
  --mtu BYTES          largest datagram (default ${SENDER_DEFAULTS.mtu}: never IP-fragmented)
  --pace MBIT          peak send rate in Mbit/s, in bursts of ${SENDER_DEFAULTS.burstPackets} datagrams
                       (default ${SENDER_DEFAULTS.paceMbps})
  --spread MS          spread each frame's datagrams over MS milliseconds, at
                       most half the frame interval (default ${SENDER_DEFAULTS.spreadMs}; 0: send at --pace)
  --fec N              forward error correction: one parity datagram per N
                       data datagrams (2-64; overhead about 100/N %); rebuilds
                       one lost datagram per group without a round trip
  --adapt on|off       when receivers report loss or a narrow link, lower JPEG
                       quality, then fps, then resolution; climb back when
                       clean (default on)
${KEY_HELP}
  --rtp HOST:PORT      also send RTP/JPEG (RFC 2435) to HOST:PORT, for ffplay,
                       VLC, GStreamer or a receiver's rtp://: a unicast address
                       or a multicast group. No handshake and no key: it goes
                       to the address given, whoever listens there. Encodes
                       with the standard Huffman tables; not the test pattern
  --ttl N              a multicast group's TTL for --rtp (1-255, default 1)
  --sdp FILE           write the SDP of --rtp to FILE, for players to open
  --rtsp URL           also publish RTP/JPEG to an RTSP server (MediaMTX, go2rtc,
                       ...) at URL, such as rtsp://user:pass@server:8554/cam
                       (ANNOUNCE and RECORD, over the RTSP connection; Digest
                       or Basic); connects again with backoff when it goes
                       away. Not the test pattern
  --tutorial-port PORT also serve clients of the classic Python/OpenCV UDP
                       tutorial on this UDP port: each frame as one base64
                       datagram, made smaller when it would not fit. NO
                       SECURITY: any datagram makes its sender a client, so a
                       forged one aims the stream at anyone; at most 4 clients,
                       each dropped after 10 minutes of silence. For old
                       clients only; udpcam receivers need none of it
  --announce on|off    announce this sender on the local network (DNS-SD over
                       mDNS, _udpcam._udp: its name, port and whether it needs
                       a key, never the key), so receivers find it with no
                       address (default on; never on a loopback --listen)
  --max-receivers N    most receivers at once (default ${SENDER_DEFAULTS.maxReceivers})
  --log text|json      event log format; json writes one object a line on stdout
  -h, --help           show this help
  -V, --version        show the version

Examples:
  A webcam to the LAN. On the machine with the camera (say 192.168.1.20):
    sender --name porch
  and on the machine that watches, then open the preview URL it prints:
    receiver 192.168.1.20
  sender --list-cameras                  names the cameras for --source camera:N
  sender --source camera:1 --width 1280  the second camera, at most 1280 px wide
  sender --source test                   the built-in test pattern, no camera
  sender --source clip.mp4 --loop        a file, at real-time speed, forever
  sender --key-file ~/.udpcam-key        only receivers with the same key get
                                         video, such as this one:
    receiver 192.168.1.20 --key-file ~/.udpcam-key
  sender --overlay "{date} {time}"       a timestamp in the top-left corner
  sender --overlay "{host} {fps} fps" --overlay-position bottom-right
  sender --fec 10                        +10 % parity for links where a round trip is slow

Exit codes: 0 done, 1 failure, 2 bad usage, 3 ffmpeg missing, 4 address in use.`;
