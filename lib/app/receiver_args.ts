import { UsageError } from "../cli/cli_error.ts";
import { formatDuration, parseDuration } from "../cli/duration.ts";
import { type HostPort, parseHostPort } from "../cli/host_port.ts";
import { parseHttpToken } from "../preview/http_token.ts";
import type { LogFormat } from "../cli/logger.ts";
import { parseIntFlag } from "../cli/int_flag.ts";
import { KEY_FLAGS, KEY_HELP, type KeyArgs, parseKeyFlags } from "../seal/key_flags.ts";
import { parseFlags } from "../cli/parse_flags.ts";
import { recordContainer } from "../record/record_args.ts";
import { parseSwitchFlag } from "../cli/switch_flag.ts";

/** The shortest and longest `--record-segment`, in seconds. */
const MIN_SEGMENT_SECONDS = 1;
const MAX_SEGMENT_SECONDS = 24 * 3600;

/** Everything the receiver was asked to do, with defaults resolved. */
export interface ReceiverArgs extends KeyArgs {
  /** Print help and exit. */
  help: boolean;
  /** Print the version and exit. */
  version: boolean;
  /** The sender's UDP address. @default {{hostname: "127.0.0.1", port: 8080}} */
  connect: HostPort;
  /** The preview's HTTP address. @default {{hostname: "127.0.0.1", port: 8081}} */
  http: HostPort;
  /**
   * The token the preview asks every request for. @default undefined: none on
   * loopback, a random one made at start beyond it
   */
  httpToken?: string;
  /** How long a frame may wait for lost datagrams, in ms. @default undefined, from the RTT */
  latencyMs?: number;
  /** Ask the sender again for lost datagrams. @default {true} */
  nack: boolean;
  /** Record the frames to this `.mkv`, `.avi` or `.mjpeg` file. @default undefined, no recording */
  record?: string;
  /** Start a new recording file every this many seconds. @default undefined, one file */
  recordSegmentSeconds?: number;
  /** The ffmpeg binary for `--record`. @default FFMPEG from the environment, else "ffmpeg" */
  ffmpeg?: string;
  /** Open the preview in the default browser once listening. @default {false} */
  open: boolean;
  /** How events are written. @default {"text"} */
  log: LogFormat;
}

/** The receiver's `--help`. */
export const RECEIVER_HELP =
  `udpcam receiver: receive a udpcam sender's stream and show it in a browser

Usage: receiver [HOST[:PORT]] [options]

Arguments:
  HOST[:PORT]          the sender's UDP address (default 127.0.0.1:8080)

Options:
  --connect HOST:PORT  the same, as a flag
  --http HOST:PORT     where the preview listens (default 127.0.0.1:8081; port 0
                       picks a free port). Beyond loopback every request needs
                       the token: the logged preview URL carries it
  --http-token TOKEN   the token the preview asks for, even on loopback (8 to
                       256 printable characters, no spaces; default: a random
                       one each run, beyond loopback only)
  --latency MS         how long a frame may wait for a lost datagram to be sent
                       again (default: 3 round trips + 25 ms, at least 30 ms);
                       a newer whole frame is shown at once all the same
  --nack on|off        ask the sender again for lost datagrams (default on)
${KEY_HELP}
  --record FILE        record the video to FILE (.mkv, .avi or .mjpeg) through
                       ffmpeg, the JPEGs as they came (no encoding), each at its
                       capture time; never overwrites a file. If ffmpeg fails,
                       recording goes on in FILE's name with the time added
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
  /              the live video and its stats
  /stream.mjpg   MJPEG stream (multipart/x-mixed-replace), for browsers, VLC, ffplay;
                 ?fps=N caps this viewer's rate. While no video comes, it shows
                 a drawn "no signal" frame with the time the signal was lost
  /snapshot.jpg  the newest frame
  /stats         JSON stats (with --record, under "recording": frames written
                 and skipped, bytes, the current file, failures and restarts)
  /metrics       the same for Prometheus (text format)
  Beyond loopback, or with --http-token, every request needs the token: as
  ?token=TOKEN (the page passes it on; no cookie) or Authorization: Bearer TOKEN

Examples:
  receiver --open              a sender on this machine, shown in the browser
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

/** Reads the receiver's command line; throws a {@linkcode UsageError} on a mistake. */
export function parseReceiverArgs(argv: string[]): ReceiverArgs {
  const { values, positionals, help, version, log } = parseFlags(argv, {
    tool: "receiver",
    flags: {
      connect: { type: "string" },
      http: { type: "string" },
      "http-token": { type: "string" },
      latency: { type: "string" },
      nack: { type: "string" },
      record: { type: "string" },
      "record-segment": { type: "string" },
      ffmpeg: { type: "string" },
      open: { type: "boolean" },
      ...KEY_FLAGS,
    },
  });
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument "${positionals[1]}"; see receiver --help`);
  }
  if (positionals.length === 1 && values.connect !== undefined) {
    throw new UsageError("give the sender's address once: as HOST[:PORT] or with --connect");
  }
  const connectText = positionals[0] ?? values.connect ?? "";
  const connect = parseHostPort(connectText, { hostname: "127.0.0.1", port: 8080 }, "--connect");
  if (connect.port === 0) throw new UsageError("--connect needs the sender's port, not 0");
  return {
    help,
    version,
    connect,
    http: parseHostPort(values.http ?? "", { hostname: "127.0.0.1", port: 8081 }, "--http"),
    httpToken: parseHttpToken(values["http-token"], "--http-token"),
    latencyMs: values.latency === "auto"
      ? undefined
      : parseIntFlag(values.latency, "--latency", 1, 10_000),
    nack: parseSwitchFlag(values.nack, "--nack", true),
    ...parseRecordFlags(values),
    open: values.open ?? false,
    ...parseKeyFlags(values),
    log,
  };
}

/** Reads `--record`, `--record-segment` and `--ffmpeg`. */
function parseRecordFlags(
  values: { record?: string; "record-segment"?: string; ffmpeg?: string },
): Pick<ReceiverArgs, "record" | "recordSegmentSeconds" | "ffmpeg"> {
  const { record, "record-segment": segment, ffmpeg } = values;
  if (record === undefined) {
    if (segment !== undefined) throw new UsageError("--record-segment needs --record FILE");
    if (ffmpeg !== undefined) throw new UsageError("--ffmpeg is for --record; add --record FILE");
    return {};
  }
  if (recordContainer(record) === undefined) {
    throw new UsageError(`--record needs a .mkv, .avi or .mjpeg file, got "${record}"`);
  }
  if (ffmpeg === "") throw new UsageError("--ffmpeg needs a path");
  let recordSegmentSeconds: number | undefined;
  if (segment !== undefined) {
    const range = `from ${formatDuration(MIN_SEGMENT_SECONDS)} to ${
      formatDuration(MAX_SEGMENT_SECONDS)
    }`;
    try {
      recordSegmentSeconds = parseDuration(segment);
    } catch {
      throw new UsageError(
        `--record-segment needs a duration ${range}, such as 90, 30s, 10m or 1h, got "${segment}"`,
      );
    }
    if (recordSegmentSeconds < MIN_SEGMENT_SECONDS || recordSegmentSeconds > MAX_SEGMENT_SECONDS) {
      throw new UsageError(`--record-segment needs a duration ${range}, got "${segment}"`);
    }
  }
  return { record, recordSegmentSeconds, ffmpeg };
}
