/**
 * The messages of a joined session: KEEPALIVE (receiver to sender), ACK
 * (sender to receiver) and BYE (either way); and {@linkcode encodeControl},
 * which encodes any message but DATA, PARITY and NACK. See
 * `docs/PROTOCOL.md`, "KEEPALIVE", "ACK" and "BYE".
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * KEEPALIVE (64 bytes)
 * +---------------------------------------------------------------+
 * |        8-byte header (type 4), receiver id (at 8)             |
 * +---------------------------------------------------------------+
 * |   send time (float64, at 12)  |  cookie (16 bytes, at 20)     |
 * +---------------------------------------------------------------+
 * | fragments (36) | missing (40) | recovered (44) | shown (48)   |
 * +---------------------------------------------------------------+
 * | frames lost (52) | rtt µs (56) | queue delay µs (60)          |
 * +---------------------------------------------------------------+
 * ACK (28 bytes, or 37 to 101 with the sender's info)
 * +---------------------------------------------------------------+
 * |        8-byte header (type 5), receiver id (at 8)             |
 * +---------------------------------------------------------------+
 * |   echoed time (float64, at 12)  |  sender time (float64, 20)  |
 * +---------------------------------------------------------------+
 * | [started at (float64, 28) | name length (8, 36) | name (37..)] |
 * +---------------------------------------------------------------+
 * BYE (28 bytes)
 * +---------------------------------------------------------------+
 * |        8-byte header (type 6), receiver id (at 8)             |
 * +---------------------------------------------------------------+
 * |                     cookie (16 bytes, at 12)                  |
 * +---------------------------------------------------------------+
 * ```
 *
 * A KEEPALIVE's report is the receiver's running totals since it joined,
 * each a uint32 that wraps, then its round-trip time and queueing delay in
 * microseconds. A receiver that does not know of the ACK's sender info reads
 * its first 28 bytes.
 *
 * The file runs a little past 300 lines: its three small messages share the
 * one diagram above, and splitting them would split the diagram too.
 *
 * @module
 */
import {
  checkCookie,
  COOKIE_SIZE,
  encodeHeader,
  OFFSET_RECEIVER,
  OFFSET_SESSION,
  PacketType,
} from "./header.ts";
import {
  type Challenge,
  encodeChallenge,
  encodeHello,
  encodeJoin,
  type Hello,
  type Join,
  OFFSET_COOKIE,
  OFFSET_ECHO_TIME,
  OFFSET_SENDER_TIME,
  OFFSET_TIME,
} from "./handshake.ts";
import { encodeRefused, type Refused } from "./refused.ts";

/** The size of a KEEPALIVE, report included. */
export const KEEPALIVE_SIZE = 64;
/** The size of an ACK without the sender's info. */
export const ACK_SIZE = 28;
/** The size of a BYE. */
export const BYE_SIZE = 28;
/** The longest sender name an ACK carries, in UTF-8 bytes. */
export const MAX_SENDER_NAME = 64;

/** Where a KEEPALIVE's report starts: seven uint32, in the order of {@linkcode ReceiverReport}. */
export const OFFSET_REPORT = 36;
/** Where an ACK with the sender's info holds when the sender started (float64). */
export const OFFSET_STARTED_AT = 28;
/** Where an ACK with the sender's info holds the name's length (uint8). */
export const OFFSET_NAME_LENGTH = 36;
/** Where an ACK with the sender's info holds the name, in UTF-8. */
export const OFFSET_NAME = 37;
/** Where a BYE holds its cookie. */
export const OFFSET_BYE_COOKIE = 12;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** What a receiver measures, as running totals since it joined. Counters wrap at 2^32. */
export interface ReceiverReport {
  /** Distinct fragments received, rebuilt ones included. */
  fragments: number;
  /** Fragments found missing, before any recovery. */
  missing: number;
  /** Missing fragments that were later resent or rebuilt. */
  recovered: number;
  /** Frames shown. */
  framesShown: number;
  /** Frames given up, after any recovery. */
  framesLost: number;
  /** The receiver's round-trip time to the sender, in ms. */
  rttMs: number;
  /** How much longer than the least the path now delays datagrams, in ms. */
  queueDelayMs: number;
}
/** A report of nothing yet, as a receiver sends before its first frame. */
export const EMPTY_REPORT: Readonly<ReceiverReport> = {
  fragments: 0,
  missing: 0,
  recovered: 0,
  framesShown: 0,
  framesLost: 0,
  rttMs: 0,
  queueDelayMs: 0,
};
/** A joined receiver stays joined, and reports how the stream reaches it. */
export interface Keepalive {
  type: typeof PacketType.KEEPALIVE;
  session: number;
  receiver: number;
  time: number;
  cookie: Uint8Array;
  report: ReceiverReport;
}
/** Who the sender is, as its receivers show it. */
export interface SenderInfo {
  /** Its name: `--name`, or its host name; at most {@linkcode MAX_SENDER_NAME} UTF-8 bytes. */
  name: string;
  /** When it started, ms since the epoch on its clock. */
  startedAt: number;
}
/** The sender confirms a join or keepalive; the times measure round trip and clock offset. */
export interface Ack {
  type: typeof PacketType.ACK;
  session: number;
  receiver: number;
  echoTime: number;
  senderTime: number;
  /** Who the sender is, from a sender that says. */
  info?: SenderInfo;
}
/** Either side leaves. */
export interface Bye {
  type: typeof PacketType.BYE;
  session: number;
  receiver: number;
  cookie: Uint8Array;
}
/** Any message {@linkcode encodeControl} encodes: all but DATA, PARITY and NACK. */
export type Control = Hello | Challenge | Join | Keepalive | Ack | Bye | Refused;

/**
 * Encodes a control message (anything but DATA, PARITY and NACK).
 * @throws {RangeError} For a field of the wrong size.
 */
export function encodeControl(packet: Control): Uint8Array {
  switch (packet.type) {
    case PacketType.HELLO:
      return encodeHello(packet);
    case PacketType.CHALLENGE:
      return encodeChallenge(packet);
    case PacketType.JOIN:
      return encodeJoin(packet);
    case PacketType.KEEPALIVE:
      return encodeKeepalive(packet);
    case PacketType.ACK:
      return encodeAck(packet);
    case PacketType.BYE:
      return encodeBye(packet);
    case PacketType.REFUSED:
      return encodeRefused(packet);
  }
}

/** Encodes a KEEPALIVE. @throws {RangeError} For a cookie of the wrong size. */
export function encodeKeepalive(packet: Keepalive): Uint8Array {
  const [bytes, view] = encodeHeader(KEEPALIVE_SIZE, packet.type, packet.session);
  view.setUint32(OFFSET_RECEIVER, packet.receiver);
  view.setFloat64(OFFSET_TIME, packet.time);
  bytes.set(checkCookie(packet.cookie), OFFSET_COOKIE);
  writeReport(view, packet.report);
  return bytes;
}

/** Decodes a KEEPALIVE of at least {@linkcode KEEPALIVE_SIZE} bytes whose header is checked. */
export function decodeKeepalive(bytes: Uint8Array, view: DataView): Keepalive {
  return {
    type: PacketType.KEEPALIVE,
    session: view.getUint32(OFFSET_SESSION),
    receiver: view.getUint32(OFFSET_RECEIVER),
    time: view.getFloat64(OFFSET_TIME),
    cookie: bytes.slice(OFFSET_COOKIE, OFFSET_COOKIE + COOKIE_SIZE),
    report: readReport(view),
  };
}

function writeReport(view: DataView, report: ReceiverReport): void {
  let at = OFFSET_REPORT;
  for (
    const count of [
      report.fragments,
      report.missing,
      report.recovered,
      report.framesShown,
      report.framesLost,
    ]
  ) {
    view.setUint32(at, count >>> 0);
    at += 4;
  }
  view.setUint32(at, micros(report.rttMs));
  view.setUint32(at + 4, micros(report.queueDelayMs));
}

function micros(ms: number): number {
  return Number.isFinite(ms) ? Math.min(0xffffffff, Math.max(0, Math.round(ms * 1000))) : 0;
}

function readReport(view: DataView): ReceiverReport {
  const at = OFFSET_REPORT;
  return {
    fragments: view.getUint32(at),
    missing: view.getUint32(at + 4),
    recovered: view.getUint32(at + 8),
    framesShown: view.getUint32(at + 12),
    framesLost: view.getUint32(at + 16),
    rttMs: view.getUint32(at + 20) / 1000,
    queueDelayMs: view.getUint32(at + 24) / 1000,
  };
}

/** Encodes an ACK. @throws {RangeError} For a name over {@linkcode MAX_SENDER_NAME} bytes. */
export function encodeAck(packet: Ack): Uint8Array {
  const name = packet.info !== undefined ? senderName(packet.info.name) : undefined;
  const size = name !== undefined ? OFFSET_NAME + name.length : ACK_SIZE;
  const [bytes, view] = encodeHeader(size, packet.type, packet.session);
  view.setUint32(OFFSET_RECEIVER, packet.receiver);
  view.setFloat64(OFFSET_ECHO_TIME, packet.echoTime);
  view.setFloat64(OFFSET_SENDER_TIME, packet.senderTime);
  if (name !== undefined) {
    view.setFloat64(OFFSET_STARTED_AT, packet.info!.startedAt);
    view.setUint8(OFFSET_NAME_LENGTH, name.length);
    bytes.set(name, OFFSET_NAME);
  }
  return bytes;
}

/** Decodes an ACK of at least {@linkcode ACK_SIZE} bytes whose header is checked. */
export function decodeAck(bytes: Uint8Array, view: DataView): Ack {
  const info = readSenderInfo(bytes, view);
  return {
    type: PacketType.ACK,
    session: view.getUint32(OFFSET_SESSION),
    receiver: view.getUint32(OFFSET_RECEIVER),
    echoTime: view.getFloat64(OFFSET_ECHO_TIME),
    senderTime: view.getFloat64(OFFSET_SENDER_TIME),
    ...(info === undefined ? {} : { info }),
  };
}

/**
 * A sender's name as the ACK carries it.
 * @throws {RangeError} For a name over {@linkcode MAX_SENDER_NAME} bytes.
 */
function senderName(name: string): Uint8Array {
  const bytes = utf8.encode(name);
  if (bytes.length > MAX_SENDER_NAME) {
    throw new RangeError(
      `A sender's name is at most ${MAX_SENDER_NAME} bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}

/**
 * The sender's info at the end of an ACK, if it is there and fits; like junk
 * after any control message, anything else there is ignored.
 */
function readSenderInfo(bytes: Uint8Array, view: DataView): SenderInfo | undefined {
  if (bytes.length < OFFSET_NAME) return undefined;
  const length = view.getUint8(OFFSET_NAME_LENGTH);
  const startedAt = view.getFloat64(OFFSET_STARTED_AT);
  if (length > MAX_SENDER_NAME || bytes.length < OFFSET_NAME + length) return undefined;
  if (!Number.isFinite(startedAt)) return undefined;
  return { name: fromUtf8.decode(bytes.subarray(OFFSET_NAME, OFFSET_NAME + length)), startedAt };
}

/** Encodes a BYE. @throws {RangeError} For a cookie of the wrong size. */
export function encodeBye(packet: Bye): Uint8Array {
  const [bytes, view] = encodeHeader(BYE_SIZE, packet.type, packet.session);
  view.setUint32(OFFSET_RECEIVER, packet.receiver);
  bytes.set(checkCookie(packet.cookie), OFFSET_BYE_COOKIE);
  return bytes;
}

/** Decodes a BYE of at least {@linkcode BYE_SIZE} bytes whose header is checked. */
export function decodeBye(bytes: Uint8Array, view: DataView): Bye {
  return {
    type: PacketType.BYE,
    session: view.getUint32(OFFSET_SESSION),
    receiver: view.getUint32(OFFSET_RECEIVER),
    cookie: bytes.slice(OFFSET_BYE_COOKIE, OFFSET_BYE_COOKIE + COOKIE_SIZE),
  };
}
