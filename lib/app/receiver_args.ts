import { UsageError } from "../cli/cli_error.ts";
import { formatDuration, parseDuration } from "../cli/duration.ts";
import { formatHostPort, type HostPort, parseHostPort } from "../cli/host_port.ts";
import { CAMERA_NAME } from "../preview/camera_name.ts";
import { parseHttpToken } from "../preview/http_token.ts";
import type { LogFormat } from "../cli/logger.ts";
import { parseIntFlag } from "../cli/int_flag.ts";
import { KEY_FLAGS, type KeyArgs, parseKeyFlags } from "../seal/key_flags.ts";
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
  /**
   * The sender's UDP address. @default undefined: the one sender announcing
   * itself on the LAN, else 127.0.0.1:8080 (see `DEFAULT_SENDER`)
   */
  connect?: HostPort;
  /**
   * Every sender to join, in order, `connect` first: the station's cameras
   * named on the command line (`HOST[:PORT]` or `NAME=HOST[:PORT]`). Empty
   * when none is named.
   */
  cameras: CameraArg[];
  /**
   * Join every sender announcing itself on the LAN, as they come and go
   * (`--all`), besides those named. @default {false}
   */
  all: boolean;
  /**
   * A file of keys, one camera a line (`NAME-or-HOST[:PORT] SECRET`), for
   * cameras whose key differs from `--key`'s. @default undefined
   */
  keys?: string;
  /** List the senders announcing themselves on the LAN, and exit. @default {false} */
  discover: boolean;
  /**
   * Where to receive RTP/JPEG instead (`rtp://HOST:PORT`): the local address
   * and port it comes to. @default undefined, udpcam's protocol from `connect`
   */
  rtp?: HostPort;
  /** An SDP file that says where RTP/JPEG comes (`--sdp FILE`), read at start. */
  sdp?: string;
  /**
   * A server of the classic tutorial's protocol to join instead
   * (`tutorial://HOST:PORT`). @default undefined, udpcam's protocol from `connect`
   */
  tutorial?: HostPort;
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
  /**
   * Record the frames to this `.mkv`, `.avi` or `.mjpeg` file, or with a
   * path without such an extension, into that folder, a file a camera
   * (`DIR/NAME.mkv`). @default undefined, no recording
   */
  record?: string;
  /** Start a new recording file every this many seconds. @default undefined, one file */
  recordSegmentSeconds?: number;
  /** The ffmpeg binary for `--record`. @default FFMPEG from the environment, else "ffmpeg" */
  ffmpeg?: string;
  /** Open the preview in the default browser once listening. @default {false} */
  open: boolean;
  /** Let pages of other origins embed the stream and the snapshot. @default {false} */
  allowEmbed: boolean;
  /** How events are written. @default {"text"} */
  log: LogFormat;
}

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
      discover: { type: "boolean" },
      all: { type: "boolean" },
      keys: { type: "string" },
      "allow-embed": { type: "boolean" },
      sdp: { type: "string" },
      ...KEY_FLAGS,
    },
  });
  const [firstPositional] = positionals;
  if (positionals.length > 1) {
    const other = positionals.find((text) => /^(?:rtp|tutorial):\/\//i.test(text));
    if (other !== undefined || values.sdp !== undefined) {
      throw new UsageError(
        `unexpected argument "${positionals[1]}": rtp://, tutorial:// and --sdp take one source; ` +
          "a station of several cameras joins udpcam senders",
      );
    }
  }
  if (positionals.length >= 1 && values.connect !== undefined) {
    throw new UsageError("give the sender's address once: as HOST[:PORT] or with --connect");
  }
  const sdp = parseSdpFlag(values.sdp, firstPositional, values);
  const rtp = parseRtpSource(firstPositional, values);
  const tutorial = parseTutorialSource(firstPositional, values);
  const all = values.all ?? false;
  const cameras = rtp !== undefined || tutorial !== undefined
    ? []
    : values.connect !== undefined
    ? [{ address: parseHostPort(values.connect, DEFAULT_SENDER, "--connect") }]
    : positionals.map(parseCameraArg);
  if (cameras.some((camera) => camera.address.port === 0)) {
    throw new UsageError("--connect needs the sender's port, not 0");
  }
  refuseRepeats(cameras);
  const connect = cameras[0]?.address;
  const discover = values.discover ?? false;
  if (discover && (positionals.length > 0 || values.connect !== undefined || sdp !== undefined)) {
    throw new UsageError("--discover lists the senders on the LAN: give it no address");
  }
  if (all && (rtp !== undefined || tutorial !== undefined || sdp !== undefined || discover)) {
    throw new UsageError(
      "--all joins every udpcam sender on the LAN: leave out rtp://, tutorial://, --sdp and --discover",
    );
  }
  if (
    values.keys !== undefined && (rtp !== undefined || tutorial !== undefined || sdp !== undefined)
  ) {
    refuseUdpcamFlags({ key: values.keys }, "another protocol's source");
  }
  if (values.keys === "") throw new UsageError("--keys needs the path of a keys file");
  return {
    help,
    version,
    connect,
    cameras,
    all,
    keys: values.keys,
    discover,
    rtp,
    sdp,
    tutorial,
    http: parseHostPort(values.http ?? "", { hostname: "127.0.0.1", port: 8081 }, "--http"),
    httpToken: parseHttpToken(values["http-token"], "--http-token"),
    latencyMs: values.latency === "auto"
      ? undefined
      : parseIntFlag(values.latency, "--latency", 1, 10_000),
    nack: parseSwitchFlag(values.nack, "--nack", true),
    ...parseRecordFlags(values),
    open: values.open ?? false,
    allowEmbed: values["allow-embed"] ?? false,
    ...parseKeyFlags(values),
    log,
  };
}

/** Where the receiver looks for a sender when told nothing and none announces itself. */
export const DEFAULT_SENDER: HostPort = { hostname: "127.0.0.1", port: 8080 };

/**
 * Reads the sender's address as typed: `HOST[:PORT]`, or as the sender prints
 * it, `udp://HOST:PORT` (`udpcam://` too); a mistake is told with the text
 * as typed.
 */
function parseSenderAddress(text: string): HostPort {
  const bare = text.replace(/^(?:udp|udpcam):\/\//i, "").replace(/\/$/, "");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(bare)) {
    throw new UsageError(
      `"${text}" is not an address the receiver takes: give the sender's HOST[:PORT] ` +
        "(udp:// may lead it), rtp://HOST:PORT or tutorial://HOST:PORT",
    );
  }
  const wrong = new UsageError(
    `the sender's address needs HOST[:PORT] with a port from 1 to 65535, got "${text}"`,
  );
  let address: HostPort;
  try {
    address = parseHostPort(bare, DEFAULT_SENDER, "the sender's address");
  } catch {
    throw wrong;
  }
  if (address.port === 0) throw wrong;
  return address;
}

/** One sender named on the command line. */
export interface CameraArg {
  /** The name given as `NAME=HOST[:PORT]`; else the station makes one of the address. */
  name?: string;
  /** Its UDP address. */
  address: HostPort;
}

/** Reads `HOST[:PORT]` or `NAME=HOST[:PORT]`; the name as the paths take it. */
function parseCameraArg(text: string): CameraArg {
  const named = /^([^=:[\]]+)=(.+)$/.exec(text);
  if (named === null) return { address: parseSenderAddress(text) };
  const [, name, address] = named;
  if (!CAMERA_NAME.test(name)) {
    throw new UsageError(
      `the camera's name "${name}" must start with a letter or digit and have only letters, ` +
        `digits, ".", "_" and "-" (40 at most)`,
    );
  }
  return { name, address: parseSenderAddress(address) };
}

/** Refuses a camera named twice, or two cameras of one name. */
function refuseRepeats(cameras: CameraArg[]): void {
  const seen = new Set<string>();
  for (const { address } of cameras) {
    const where = formatHostPort(address);
    if (seen.has(where)) throw new UsageError(`${where} is given twice: give each sender once`);
    seen.add(where);
  }
  const names = cameras.flatMap(({ name }) => name === undefined ? [] : [name]);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) {
    throw new UsageError(`two cameras are named ${twice}: give each its own`);
  }
}

/** Reads `--sdp FILE`: RTP/JPEG as the file says, in place of an address. */
function parseSdpFlag(
  sdp: string | undefined,
  positional: string | undefined,
  values: { key?: string; "key-file"?: string; nack?: string; latency?: string; connect?: string },
): string | undefined {
  if (sdp === undefined) return undefined;
  if (sdp === "") throw new UsageError("--sdp needs the path of an SDP file");
  if (positional !== undefined || values.connect !== undefined) {
    throw new UsageError("--sdp says where the stream comes: give no address with it");
  }
  refuseUdpcamFlags(values, "--sdp");
  return sdp;
}

/** Refuses the flags only udpcam's own protocol has, with another protocol's source given by `how`. */
function refuseUdpcamFlags(
  values: { key?: string; "key-file"?: string; nack?: string; latency?: string },
  how: string,
  protocol = "RTP",
): void {
  for (const flag of ["key", "key-file", "nack", "latency"] as const) {
    if (values[flag] !== undefined) {
      throw new UsageError(
        `--${flag} is for udpcam's own protocol; ${protocol} has no such thing, so leave it out with ${how}`,
      );
    }
  }
}

/**
 * Reads a `tutorial://HOST:PORT` source (a server of the classic tutorial),
 * or `undefined` for anything else; refuses the flags only udpcam's protocol has.
 */
function parseTutorialSource(
  positional: string | undefined,
  values: { key?: string; "key-file"?: string; nack?: string; latency?: string },
): HostPort | undefined {
  if (positional === undefined || !positional.toLowerCase().startsWith("tutorial://")) {
    return undefined;
  }
  refuseUdpcamFlags(values, "tutorial://", "the tutorial's protocol");
  const address = parseHostPort(
    positional.slice("tutorial://".length).replace(/\/$/, ""),
    { hostname: "127.0.0.1", port: 8080 },
    "tutorial://",
  );
  if (address.port === 0) {
    throw new UsageError(
      "tutorial:// needs the server's port, such as tutorial://192.168.1.20:8080",
    );
  }
  return address;
}

/**
 * Reads an `rtp://HOST:PORT` source, or `undefined` for anything else (udpcam's
 * own protocol); refuses the flags only udpcam's protocol has.
 */
function parseRtpSource(
  positional: string | undefined,
  values: { key?: string; "key-file"?: string; nack?: string; latency?: string },
): HostPort | undefined {
  if (positional === undefined || !positional.toLowerCase().startsWith("rtp://")) {
    return undefined;
  }
  refuseUdpcamFlags(values, "rtp://");
  const address = parseHostPort(positional.slice("rtp://".length).replace(/\/$/, ""), {
    hostname: "0.0.0.0",
    port: 0,
  }, "rtp://");
  if (address.port === 0) {
    throw new UsageError(`rtp:// needs the port the RTP comes to, such as rtp://0.0.0.0:5004`);
  }
  return address;
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
  // A path with another extension is a mistake; one with none is a folder, a file a camera.
  if (
    recordContainer(record) === undefined && (record === "" || /\.[A-Za-z0-9]{1,5}$/.test(record))
  ) {
    throw new UsageError(
      `--record needs a .mkv, .avi or .mjpeg file, got "${record}" (or a folder without an ` +
        "extension, for a file a camera)",
    );
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
