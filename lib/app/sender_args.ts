import { parseRtspUrl, type RtspUrl } from "../rtsp/rtsp_url.ts";
import { UsageError } from "../cli/cli_error.ts";
import { type HostPort, parseHostPort } from "../cli/host_port.ts";
import { parseIntFlag } from "../cli/int_flag.ts";
import type { LogFormat } from "../cli/logger.ts";
import { KEY_FLAGS, type KeyArgs, parseKeyFlags } from "../seal/key_flags.ts";
import { parseFlags } from "../cli/parse_flags.ts";
import { parseSourceSpec, type SourceSpec } from "../capture/source_spec.ts";
import { isMulticastIpv4 } from "../net/ipv4_address.ts";
import { parseSwitchFlag } from "../cli/switch_flag.ts";
import { MIN_MTU } from "../wire/fragment_frame.ts";
import {
  DEFAULT_OVERLAY_POSITION,
  OVERLAY_POSITIONS,
  type OverlayPosition,
} from "../overlay/overlay_layout.ts";
import { type OverlayPart, parseOverlayText, UNPRINTABLE } from "../overlay/overlay_text.ts";
import { MAX_DATAGRAM } from "../wire/header.ts";
import { SENDER_DEFAULTS } from "../send/sender_defaults.ts";

/** The longest `--name`, in bytes of UTF-8. */
export const MAX_NAME_BYTES = 64;

/** Text burnt into every frame, as `--overlay` and `--overlay-position` give it. */
export interface SenderOverlay {
  /** The text as typed. */
  text: string;
  /** The text, read into literal parts and placeholders. */
  parts: OverlayPart[];
  /** The corner it sits in. @default {"top-left"} */
  position: OverlayPosition;
}

/** Options for {@linkcode parseSenderArgs}. */
export interface ParseSenderArgsOptions {
  /**
   * This machine's host name: the default `--name` and the overlay's `{host}`.
   *
   * @default {Deno.hostname()}, or "localhost" if it cannot be read
   */
  hostname?: string;
}

/** Everything the sender was asked to do, with defaults resolved. */
export interface SenderArgs extends KeyArgs {
  /** Print help and exit. */
  help: boolean;
  /** Print the version and exit. */
  version: boolean;
  /** Print the cameras ffmpeg sees and exit. */
  listCameras: boolean;
  /**
   * Also send RTP/JPEG (RFC 2435) to this address (`--rtp HOST:PORT`), a
   * unicast address or an IPv4 multicast group. @default undefined, none
   */
  rtp?: { to: HostPort; ttl?: number; sdp?: string };
  /**
   * Also serve clients of the classic tutorial on this UDP port
   * (`--tutorial-port PORT`), on `listen`'s address. @default undefined, none
   */
  tutorialPort?: number;
  /** Also publish RTP/JPEG to this RTSP server (`--rtsp URL`). @default undefined, none */
  rtsp?: RtspUrl;
  /** The UDP address receivers contact. @default {{hostname: "0.0.0.0", port: 8080}} */
  listen: HostPort;
  /** `camera`, `camera:NAME`, `test`, a file or a URL, as given. @default {"camera"} */
  source: string;
  /** The source, read. */
  spec: SourceSpec;
  /** Repeat a file source. @default {false} */
  loop: boolean;
  /** Resize to at most this width, keeping the aspect ratio. */
  width?: number;
  /** Send at most this many frames a second. */
  fps?: number;
  /** JPEG quality, 1 to 100. @default {80} */
  quality: number;
  /** Pass the source's own JPEG frames through, without decoding or encoding. @default {false} */
  copy: boolean;
  /** The ffmpeg binary. @default FFMPEG from the environment, else "ffmpeg" */
  ffmpeg?: string;
  /** The largest datagram, in bytes. @default {1200} */
  mtu: number;
  /** The peak send rate, in Mbit/s. @default {400} */
  paceMbps: number;
  /** The most receivers at once. @default {32} */
  maxReceivers: number;
  /** Spread each frame's datagrams over this many ms; 0 for none. @default {4} */
  spreadMs: number;
  /** Fragments per parity datagram; 0 for no forward error correction. @default {0} */
  fec: number;
  /** Lower quality, then fps, then resolution when receivers' links are congested. @default {true} */
  adapt: boolean;
  /** Announce the sender on the LAN (DNS-SD over mDNS, `_udpcam._udp`). @default {true} */
  announce: boolean;
  /** How events are written. @default {"text"} */
  log: LogFormat;
  /**
   * The name receivers show for this sender: printable, at most 64 bytes of UTF-8.
   * @default the host name, cut to 64 bytes
   */
  name: string;
  /** This machine's host name, for the overlay's `{host}`. @default {Deno.hostname()} */
  host: string;
  /** Text burnt into every frame. @default {undefined} none */
  overlay?: SenderOverlay;
}

/**
 * Reads the sender's command line; throws a {@linkcode UsageError} on a mistake.
 *
 * @param argv The arguments, without the program name.
 * @param options This machine's host name.
 * @returns Everything the sender was asked to do.
 */
export function parseSenderArgs(
  argv: string[],
  options: ParseSenderArgsOptions = {},
): SenderArgs {
  const { values, positionals, help, version, log } = parseFlags(argv, {
    tool: "sender",
    flags: {
      "list-cameras": { type: "boolean" },
      listen: { type: "string" },
      source: { type: "string" },
      loop: { type: "boolean" },
      width: { type: "string" },
      fps: { type: "string" },
      quality: { type: "string" },
      copy: { type: "boolean" },
      ffmpeg: { type: "string" },
      mtu: { type: "string" },
      pace: { type: "string" },
      "max-receivers": { type: "string" },
      spread: { type: "string" },
      fec: { type: "string" },
      adapt: { type: "string" },
      announce: { type: "string" },
      name: { type: "string" },
      overlay: { type: "string" },
      "overlay-position": { type: "string" },
      rtp: { type: "string" },
      ttl: { type: "string" },
      sdp: { type: "string" },
      "tutorial-port": { type: "string" },
      rtsp: { type: "string" },
      ...KEY_FLAGS,
    },
  });
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"; see sender --help`);
  }
  const source = values.source ?? "camera";
  let spec: SourceSpec;
  try {
    spec = parseSourceSpec(source);
  } catch (error) {
    throw new UsageError(`--source: ${(error as Error).message}; see sender --help`);
  }
  if (values.loop && spec.kind !== "file" && spec.kind !== "url") {
    throw new UsageError("--loop repeats a file or URL source; drop it for a camera or test");
  }
  const copy = values.copy ?? false;
  if (copy && spec.kind === "test") {
    throw new UsageError(
      "--copy passes a camera's or a file's own JPEG frames through; the test pattern is drawn " +
        "here and has none: drop --copy",
    );
  }
  const width = parseIntFlag(values.width, "--width", 16, 16384);
  const fps = parseIntFlag(values.fps, "--fps", 1, 240);
  if (copy && (width !== undefined || fps !== undefined || values.quality !== undefined)) {
    throw new UsageError("--copy sends frames as they are; drop --width, --fps and --quality");
  }
  const overlay = parseOverlay(values.overlay, values["overlay-position"]);
  if (copy && overlay !== undefined) {
    throw new UsageError(
      "--overlay draws on decoded frames, and --copy sends frames without decoding them; drop one",
    );
  }
  const host = options.hostname ?? systemHostname();
  const listen = parseHostPort(
    values.listen ?? "",
    { hostname: "0.0.0.0", port: 8080 },
    "--listen",
  );
  const tutorialPort = parseIntFlag(values["tutorial-port"], "--tutorial-port", 1, 65535);
  if (tutorialPort !== undefined && tutorialPort === listen.port) {
    throw new UsageError(
      `--tutorial-port ${tutorialPort} is the port of --listen; give the tutorial's clients another`,
    );
  }
  return {
    help,
    version,
    listCameras: values["list-cameras"] ?? false,
    rtp: parseRtpFlags(values, spec),
    tutorialPort,
    rtsp: parseRtspFlag(values.rtsp, spec),
    listen,
    source,
    spec,
    loop: values.loop ?? false,
    width,
    fps,
    quality: parseIntFlag(values.quality, "--quality", 1, 100) ?? 80,
    copy,
    ffmpeg: values.ffmpeg,
    mtu: parseIntFlag(values.mtu, "--mtu", MIN_MTU, MAX_DATAGRAM) ?? SENDER_DEFAULTS.mtu,
    paceMbps: parseIntFlag(values.pace, "--pace", 1, 100_000) ?? SENDER_DEFAULTS.paceMbps,
    maxReceivers: parseIntFlag(values["max-receivers"], "--max-receivers", 1, 1000) ??
      SENDER_DEFAULTS.maxReceivers,
    spreadMs: parseIntFlag(values.spread, "--spread", 0, 1000) ?? SENDER_DEFAULTS.spreadMs,
    fec: parseFec(values.fec),
    adapt: parseSwitchFlag(values.adapt, "--adapt", true),
    announce: parseSwitchFlag(values.announce, "--announce", true),
    ...parseKeyFlags(values),
    log,
    name: values.name === undefined ? defaultName(host) : parseName(values.name),
    host,
    overlay,
  };
}

/** Reads `--rtsp URL`. */
function parseRtspFlag(text: string | undefined, spec: SourceSpec): RtspUrl | undefined {
  if (text === undefined) return undefined;
  let url: RtspUrl;
  try {
    url = parseRtspUrl(text);
  } catch (error) {
    throw new UsageError(`--rtsp ${(error as Error).message}`);
  }
  if (spec.kind === "test") throw new UsageError(`--rtsp ${TEST_PATTERN_NOT_RTP}`);
  return url;
}

/** Why RTP/JPEG outputs refuse the built-in test pattern. */
const TEST_PATTERN_NOT_RTP =
  "cannot carry the built-in test pattern (4:4:4 JPEG; RTP/JPEG takes 4:2:0 and 4:2:2): " +
  "use a camera, file or URL source";

/** Reads `--rtp`, `--ttl` and `--sdp`. */
function parseRtpFlags(
  values: { rtp?: string; ttl?: string; sdp?: string },
  spec: SourceSpec,
): SenderArgs["rtp"] {
  if (values.rtp === undefined) {
    if (values.ttl !== undefined) throw new UsageError("--ttl is for --rtp to a multicast group");
    if (values.sdp !== undefined) {
      throw new UsageError("--sdp describes --rtp; add --rtp HOST:PORT");
    }
    return undefined;
  }
  const to = parseHostPort(values.rtp, { hostname: "", port: 0 }, "--rtp");
  if (to.hostname === "" || to.port === 0) {
    throw new UsageError(`--rtp needs HOST:PORT, such as 192.168.1.20:5004, got "${values.rtp}"`);
  }
  if (spec.kind === "test") {
    throw new UsageError(`--rtp ${TEST_PATTERN_NOT_RTP}`);
  }
  const multicast = isMulticastIpv4(to.hostname);
  const ttl = parseIntFlag(values.ttl, "--ttl", 1, 255);
  if (ttl !== undefined && !multicast) {
    throw new UsageError("--ttl is for a multicast group (224.0.0.0 to 239.255.255.255)");
  }
  if (values.sdp === "") throw new UsageError("--sdp needs a file to write");
  return { to, ttl: multicast ? ttl ?? 1 : undefined, sdp: values.sdp };
}

function parseOverlay(
  text: string | undefined,
  position: string | undefined,
): SenderOverlay | undefined {
  if (text === undefined) {
    if (position !== undefined) {
      throw new UsageError("--overlay-position places --overlay text; add --overlay TEXT");
    }
    return undefined;
  }
  if (position !== undefined && !(OVERLAY_POSITIONS as readonly string[]).includes(position)) {
    throw new UsageError(
      `--overlay-position needs ${OVERLAY_POSITIONS.join(", ")}, got "${position}"`,
    );
  }
  if (text.trim() === "") {
    throw new UsageError("--overlay is empty; give the text, or drop --overlay");
  }
  let parts: OverlayPart[];
  try {
    parts = parseOverlayText(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new UsageError(`--overlay: ${message.charAt(0).toLowerCase()}${message.slice(1)}`);
  }
  return {
    text,
    parts,
    position: (position as OverlayPosition | undefined) ?? DEFAULT_OVERLAY_POSITION,
  };
}

function parseName(name: string): string {
  if (name.trim() === "") throw new UsageError("--name is empty; give a name, or drop --name");
  if (UNPRINTABLE.test(name)) {
    throw new UsageError("--name takes printable characters only, on one line");
  }
  const bytes = new TextEncoder().encode(name).length;
  if (bytes > MAX_NAME_BYTES) {
    throw new UsageError(`--name takes at most ${MAX_NAME_BYTES} bytes of UTF-8, got ${bytes}`);
  }
  return name;
}

/** The host name, cut to {@linkcode MAX_NAME_BYTES} on a character boundary. */
function defaultName(host: string): string {
  const encoder = new TextEncoder();
  let name = "";
  for (const char of host.replace(new RegExp(UNPRINTABLE.source, "gu"), "")) {
    if (encoder.encode(name + char).length > MAX_NAME_BYTES) break;
    name += char;
  }
  return name === "" ? "udpcam" : name;
}

function systemHostname(): string {
  try {
    return Deno.hostname() || "localhost";
  } catch {
    // Not allowed to read it (only the sender itself is).
    return "localhost";
  }
}

function parseFec(value: string | undefined): number {
  if (value === "off" || value === "0") return 0;
  return parseIntFlag(value, "--fec", 2, 64) ?? 0;
}
