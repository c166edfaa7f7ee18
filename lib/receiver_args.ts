import { UsageError } from "./cli_error.ts";
import { type HostPort, parseHostPort } from "./host_port.ts";
import { parseHttpToken } from "./http_token.ts";
import type { LogFormat } from "./logger.ts";
import { parseIntFlag } from "./int_flag.ts";
import { KEY_FLAGS, KEY_HELP, type KeyArgs, parseKeyFlags } from "./key_flags.ts";
import { parseFlags } from "./parse_flags.ts";
import { parseSwitchFlag } from "./switch_flag.ts";

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
  --log text|json      event log format; json writes one object a line on stdout
  -h, --help           show this help
  -V, --version        show the version

Preview:
  /              the live video and its stats
  /stream.mjpg   MJPEG stream (multipart/x-mixed-replace), for browsers, VLC, ffplay
  /snapshot.jpg  the newest frame
  /stats         JSON stats
  Beyond loopback, or with --http-token, every request needs the token: as
  ?token=TOKEN (the page keeps it in a cookie) or Authorization: Bearer TOKEN

Examples:
  receiver                               a sender on this machine
  receiver 192.168.1.20                  a sender on the LAN, default port 8080
  receiver 192.168.1.20:9000 --http 0.0.0.0:8081
  receiver 192.168.1.20 --http 0.0.0.0:8081 --http-token "$TOKEN"
  receiver 10.8.0.5 --latency 300        a far sender: more time to recover
  receiver 192.168.1.20 --key-file ~/.udpcam-key   a sender with a key

Exit codes: 0 done, 1 failure, 2 bad usage, 4 address in use.`;

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
    ...parseKeyFlags(values),
    log,
  };
}
