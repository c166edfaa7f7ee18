/**
 * The udpcam wire format, version 1. Every datagram, in both directions, starts
 * with the same 8-byte header; all integers are big-endian and times are IEEE 754
 * doubles holding milliseconds since the Unix epoch on the clock of the side that
 * wrote them.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+---------------+---------------+
 * |        magic 0x5543 "UC"      |  version (1)  |     type      |
 * +-------------------------------+---------------+---------------+
 * |                          session id                           |
 * +---------------------------------------------------------------+
 * ```
 *
 * The session id is chosen at random each time a sender starts; a receiver's
 * first hello carries 0.
 *
 * DATA (sender to receiver), one fragment of one JPEG frame:
 *
 * ```
 * +---------------------------------------------------------------+
 * |                     8-byte header (type 7)                    |
 * +---------------------------------------------------------------+
 * |                         frame number                          |
 * +---------------------------------------------------------------+
 * |                    frame length in bytes                      |
 * +-------------------------------+-------------------------------+
 * |R|      fragment index         |  fragment size (bytes, > 0)   |
 * +-------------------------------+-------------------------------+
 * |                 capture time (float64, ms epoch)              |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                payload: frame bytes from                      |
 * |        index * fragment size, fragment size long              |
 * |        (the last fragment holds what is left)                 |
 * +---------------------------------------------------------------+
 * ```
 *
 * | field | offset | size | meaning |
 * |---|---|---|---|
 * | magic | 0 | 2 | 0x5543, "UC" |
 * | version | 2 | 1 | 1 |
 * | type | 3 | 1 | {@linkcode PacketType} |
 * | session | 4 | 4 | the sender's session id |
 * | frame | 8 | 4 | frame number, +1 per frame within a session |
 * | frameLength | 12 | 4 | the whole JPEG's size |
 * | index | 16 | 2 | this fragment's place in the frame (low 15 bits); the top bit, R, is set on a resend |
 * | fragmentSize | 18 | 2 | payload size of every fragment but the last |
 * | captureTime | 20 | 8 | when the sender got the frame |
 *
 * Control messages (the handshake and keepalives) follow the header with a
 * receiver id (a random number each receiver picks), a time, and for most a
 * 16-byte cookie:
 *
 * | type | direction | body after the header | size |
 * |---|---|---|---|
 * | HELLO 1 | R to S | receiver id, send time, hello nonce or zeros | 32 |
 * | CHALLENGE 2 | S to R | receiver id, echoed time, sender time, cookie, [key tail] | 44, or 88 |
 * | JOIN 3 | R to S | receiver id, send time, cookie, [key tail] | 36, or 80 |
 * | KEEPALIVE 4 | R to S | receiver id, send time, cookie, report | 64 |
 * | ACK 5 | S to R | receiver id, echoed time, sender time, sender info | 28, or 37 to 101 |
 * | BYE 6 | either | receiver id, cookie | 28 |
 * | NACK 8 | R to S | receiver id, cookie, 1 to 128 ranges | 36 to 1052 |
 * | REFUSED 10 | S to R | reason (uint8), zero padding, [echo, [stretch salt]] | 12, 24 or 40 |
 *
 * An ACK may carry the sender's info after its 28 bytes: when the sender
 * started (float64, ms epoch, at 28), the length of its name (uint8, at most
 * 64, at 36) and the name in UTF-8 (from 37). A receiver that does not know
 * of it reads the first 28 bytes, as before. REFUSED tells a receiver why it
 * is not answered: 1 the sender needs a key, 2 the hello did not authenticate
 * with the sender's key, 3 the sender has no key, 4 the sender has its most
 * receivers, 5 the sender has no session with the receiver (it restarted, or
 * dropped it): say hello again.
 *
 * With a key (see `stream_secret.ts` for the keys), the handshake is:
 *
 * 1. HELLO in the clear, with a fresh random 12-byte hello nonce at 20;
 *    the sender answers REFUSED 1 with the echo (at 12, 12 bytes: the nonce)
 *    and its run's 16-byte stretching salt (at 24), 40 bytes in all. A
 *    receiver without a key reads it as "a key is needed".
 * 2. The receiver stretches the key with that salt, then sends HELLO sealed
 *    with the hello key, its header naming the sender's session, a fresh
 *    hello nonce at 20.
 * 3. CHALLENGE sealed with the hello key, with the key tail: the hello nonce
 *    echoed (at 44, 12 bytes) and the sender's X25519 key share (at 56, 32
 *    bytes). The receiver takes only one that answers a hello of its own
 *    still pending, and makes the keys of this join from it.
 * 4. JOIN sealed with the hello key, with the key tail: the same hello
 *    nonce (at 36) and the receiver's X25519 key share (at 48). The sender
 *    takes each hello nonce once.
 * 5. Everything after, both ways, is sealed with the keys of this join,
 *    which differ for every receiver and every join.
 *
 * A sender with a key answers what it cannot take with a REFUSED that
 * echoes 12 bytes of it, so that a receiver believes only answers to
 * datagrams it sent, each once: the hello nonce of a HELLO in the clear or of
 * a JOIN, or else the sealed datagram's own nonce (its bytes 8 to 20). A
 * sealed datagram it has no keys for (a receiver of an earlier run, or one it
 * dropped) gets REFUSED 5 with the echo and the salt, in the clear; a sealed
 * HELLO that does not open gets REFUSED 2 with the echo, in the clear; a
 * full sender seals REFUSED 4, with the JOIN's hello nonce, with the hello
 * key. A sender without a key answers anything sealed with REFUSED 3 and
 * the echo. Old receivers read the first 12 bytes of a REFUSED, as before.
 *
 * Sealed datagrams (see `datagram_seal.ts`) have the type byte's top bit
 * set, and the body after the 8-byte header encrypted and authenticated.
 * The keyed handshake's keys are those of udpcam 2 (see `stream_secret.ts`);
 * the header's version stays 1, since without a key nothing changed: a keyed
 * peer of udpcam 1 and one of udpcam 2 cannot open each other's datagrams,
 * and each says so (a sender refuses a sealed HELLO naming session 0 with
 * REFUSED 2; a receiver takes a 12-byte REFUSED from a keyed sender as one
 * of an older udpcam).
 *
 * A HELLO is padded to 32 bytes so that the CHALLENGE it earns is never more
 * than 3 times its size, and no reply to an unverified address is larger than
 * the datagram that caused it by more than that factor.
 *
 * A cookie is opaque to the receiver; the sender reads in it when it made
 * it (see `cookie_signer.ts`), takes none older than 10 s, and none made for
 * an address before a receiver last left it (goodbye, timeout, or replaced).
 * Every JOIN is held to that, a repeated one too.
 *
 * Every KEEPALIVE and NACK is too, so a joined receiver proves its address
 * again every 5 s: the sender answers its KEEPALIVE with a CHALLENGE (a new
 * cookie, echoing the keepalive's time) instead of an ACK, and the receiver
 * echoes the new cookie in a JOIN and in all it sends from then on.
 *
 * With a key, what a receiver sends after its JOIN is sealed with the keys
 * of that join, which no one else holds, another key holder included, and
 * the sender's replay window refuses any of it seen before: a KEEPALIVE or
 * NACK played back, before or after its goodbye, counts for nothing. The
 * CHALLENGE with a new cookie and the JOIN that echoes it are sealed with
 * those keys too, without the key tail (72 and 64 bytes sealed, where the
 * join's are 116 and 108), so only that receiver can read the cookie: one
 * that joined from an address and lost it gets no new cookie there, however
 * many keepalives of its own it seals.
 *
 * A KEEPALIVE's report is the receiver's running totals since it joined, each
 * a uint32 that wraps: fragments received (36), fragments found missing (40),
 * missing fragments recovered (44), frames shown (48), frames lost (52); then
 * its round-trip time (56) and queueing delay (60), in microseconds.
 *
 * A NACK asks for fragments again. Each range is 8 bytes: frame number
 * (uint32), first fragment index (uint16), and how many fragments (uint16).
 * Only a joined receiver's NACK, with its cookie, is answered, and only with
 * fragments of frames the sender still holds.
 *
 * PARITY (sender to receiver, with `--fec`) has the DATA layout, except that
 * offset 16 holds the group (uint8) and the number of groups (uint8) where
 * DATA has the fragment index. A frame of `n` fragments has `groups` parity
 * datagrams; group `g` covers the fragments whose index `i` has
 * `i % groups == g`, so a burst of up to `groups` consecutive losses costs
 * each group one fragment at most. The payload, `fragmentSize` long, is the
 * XOR of the group's fragments, each padded with zeros to `fragmentSize`:
 * it rebuilds any one missing fragment of its group.
 *
 * @module
 */

/** The first two bytes of every udpcam datagram: "UC". */
export const MAGIC = 0x5543;
/** The protocol version this code speaks. */
export const VERSION = 1;
/** The size of the header common to every datagram. */
export const HEADER_SIZE = 8;
/** The size of a DATA datagram's header, payload excluded. */
export const DATA_HEADER_SIZE = 28;
/** The size of the cookie that proves a receiver can receive at its address. */
export const COOKIE_SIZE = 16;
/** The size of the salt a sender with a key stretches its key with, new each run. */
export const SALT_SIZE = 16;
/** The size of a hello nonce, and of the echo in a REFUSED. */
export const HELLO_NONCE_SIZE = 12;
/** The size of an X25519 key share (public key). */
export const SHARE_SIZE = 32;
/** The bit of the type byte that marks a sealed (encrypted and authenticated) datagram. */
export const SEALED_BIT = 0x80;
/** The smallest HELLO a sender answers. */
export const HELLO_SIZE = 32;
/** The size of a KEEPALIVE, report included. */
export const KEEPALIVE_SIZE = 64;
/** The size of a NACK before its ranges. */
export const NACK_HEADER_SIZE = 28;
/** The size of one NACK range. */
export const NACK_RANGE_SIZE = 8;
/** The most ranges one NACK carries. */
export const MAX_NACK_RANGES = 128;
/** The most parity groups a frame has: the group is 8 bits. */
export const MAX_PARITY_GROUPS = 255;
/** The most fragments a frame can have: the index is 15 bits. */
export const MAX_FRAGMENTS = 0x7fff;
/** The longest sender name an ACK carries, in UTF-8 bytes. */
export const MAX_SENDER_NAME = 64;
/** The bit of a DATA datagram's index field that marks a resend. */
const RESENT_BIT = 0x8000;
/** The largest datagram IPv4 UDP can carry. */
export const MAX_DATAGRAM = 65_507;

const OFFSET_VERSION = 2;
const OFFSET_TYPE = 3;
const OFFSET_SESSION = 4;
const OFFSET_FRAME = 8;
const OFFSET_FRAME_LENGTH = 12;
const OFFSET_INDEX = 16;
const OFFSET_FRAGMENT_SIZE = 18;
const OFFSET_CAPTURE_TIME = 20;
const OFFSET_RECEIVER = 8;
const OFFSET_TIME = 12;
const OFFSET_COOKIE = 20;
const OFFSET_ECHO = 12;
const OFFSET_SENDER_TIME = 20;
const OFFSET_CHALLENGE_COOKIE = 28;
const OFFSET_BYE_COOKIE = 12;
const OFFSET_REPORT = 36;
const OFFSET_NACK_COOKIE = 12;
const OFFSET_GROUP = 16;
const OFFSET_GROUPS = 17;

/** The kinds of datagram. */
export const PacketType = {
  HELLO: 1,
  CHALLENGE: 2,
  JOIN: 3,
  KEEPALIVE: 4,
  ACK: 5,
  BYE: 6,
  DATA: 7,
  NACK: 8,
  PARITY: 9,
  REFUSED: 10,
} as const;

/** Why a sender refuses a receiver, as a REFUSED datagram says. */
export const RefusalReason = {
  /** The sender has a key and the hello was not sealed. */
  KEY_REQUIRED: 1,
  /** The hello did not authenticate with the sender's key. */
  WRONG_KEY: 2,
  /** The hello was sealed, and the sender has no key. */
  NO_KEY: 3,
  /** The sender streams to its most receivers already. */
  FULL: 4,
  /** The session named is not the sender's: say hello again. */
  STALE: 5,
} as const;

/** One of {@linkcode RefusalReason}'s values. */
export type RefusalReasonCode = typeof RefusalReason[keyof typeof RefusalReason];

/**
 * The 12 bytes of a datagram that a REFUSED answering it echoes: a sealed
 * datagram's nonce (bytes 8 to 20), or what a HELLO in the clear holds as its
 * hello nonce (bytes 20 to 32); zeros where the datagram is shorter.
 */
export function echoOf(datagram: Uint8Array): Uint8Array {
  const at = datagram.length > 3 && (datagram[3] & SEALED_BIT) !== 0
    ? HEADER_SIZE
    : OFFSET_HELLO_NONCE;
  const echo = new Uint8Array(HELLO_NONCE_SIZE);
  echo.set(datagram.subarray(at, at + HELLO_NONCE_SIZE));
  return echo;
}

/** A receiver asks for the stream. */
export interface Hello {
  type: typeof PacketType.HELLO;
  session: number;
  receiver: number;
  time: number;
  /** From a receiver with a key: a fresh random nonce its answer echoes (not all zeros). */
  nonce?: Uint8Array;
}
/** The sender's reply to a hello: echo the cookie to prove you receive at your address. */
export interface Challenge {
  type: typeof PacketType.CHALLENGE;
  session: number;
  receiver: number;
  echoTime: number;
  senderTime: number;
  cookie: Uint8Array;
  /** From a sender with a key: the hello nonce it answers. */
  nonce?: Uint8Array;
  /** From a sender with a key: its X25519 key share. */
  share?: Uint8Array;
}
/** A receiver echoes its cookie to join. */
export interface Join {
  type: typeof PacketType.JOIN;
  session: number;
  receiver: number;
  time: number;
  cookie: Uint8Array;
  /** From a receiver with a key: the hello nonce of the CHALLENGE it answers. */
  nonce?: Uint8Array;
  /** From a receiver with a key: its X25519 key share. */
  share?: Uint8Array;
}
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
/** One fragment of one frame. `payload` is a view into the datagram. */
export interface Data {
  type: typeof PacketType.DATA;
  session: number;
  frame: number;
  frameLength: number;
  index: number;
  fragmentSize: number;
  captureTime: number;
  /** Sent again on a receiver's request, not the first time. */
  resent: boolean;
  payload: Uint8Array;
}
/** Fragments `index` to `index + count - 1` of one frame. */
export interface NackRange {
  frame: number;
  index: number;
  count: number;
}
/** A receiver asks for fragments it is missing. */
export interface Nack {
  type: typeof PacketType.NACK;
  session: number;
  receiver: number;
  cookie: Uint8Array;
  ranges: NackRange[];
}
/** The XOR of one group of one frame's fragments. `payload` is a view into the datagram. */
export interface Parity {
  type: typeof PacketType.PARITY;
  session: number;
  frame: number;
  frameLength: number;
  group: number;
  groups: number;
  fragmentSize: number;
  captureTime: number;
  payload: Uint8Array;
}
/** The sender will not answer: see {@linkcode RefusalReason}. */
export interface Refused {
  type: typeof PacketType.REFUSED;
  session: number;
  reason: RefusalReasonCode;
  /** From a sender with a key: 12 bytes of the datagram it answers. */
  echo?: Uint8Array;
  /** With `echo`, for reasons 1 and 5: the salt the sender's run stretches its key with. */
  salt?: Uint8Array;
}
/** Any decoded datagram. */
export type Packet =
  | Hello
  | Challenge
  | Join
  | Keepalive
  | Ack
  | Bye
  | Data
  | Nack
  | Parity
  | Refused;

/** Every reason the decoder rejects a datagram for. */
export const REJECT_REASONS = ["short", "foreign", "version", "type", "malformed"] as const;
/** Why a datagram was rejected. */
export type RejectReason = typeof REJECT_REASONS[number];

/** The result of {@linkcode decodePacket}: a packet, or why there is none. */
export type Decoded = { ok: true; packet: Packet } | { ok: false; reason: RejectReason };

const CONTROL_SIZES: Record<number, number> = {
  [PacketType.HELLO]: HELLO_SIZE,
  [PacketType.CHALLENGE]: 44,
  [PacketType.JOIN]: 36,
  [PacketType.KEEPALIVE]: KEEPALIVE_SIZE,
  [PacketType.ACK]: 28,
  [PacketType.BYE]: 28,
  [PacketType.REFUSED]: 12,
};
/**
 * The smallest datagram of `type`, in the clear, that {@linkcode decodePacket}
 * may accept; `undefined` for a type it does not know.
 */
export function smallestOf(type: number): number | undefined {
  if (type === PacketType.DATA || type === PacketType.PARITY) return DATA_HEADER_SIZE + 1;
  if (type === PacketType.NACK) return NACK_HEADER_SIZE + NACK_RANGE_SIZE;
  return CONTROL_SIZES[type];
}
const OFFSET_HELLO_NONCE = 20;
/** Where the key tail of a CHALLENGE and of a JOIN starts, and how long it is. */
const KEY_TAIL_AT: Record<number, number> = {
  [PacketType.CHALLENGE]: 44,
  [PacketType.JOIN]: 36,
};
const KEY_TAIL_SIZE = HELLO_NONCE_SIZE + SHARE_SIZE;
const OFFSET_ECHO_FIELD = 12;
const OFFSET_REFUSAL_SALT = OFFSET_ECHO_FIELD + HELLO_NONCE_SIZE;
const OFFSET_STARTED_AT = 28;
const OFFSET_NAME_LENGTH = 36;
const OFFSET_NAME = 37;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const OFFSET_REFUSAL = 8;
const REFUSAL_MAX = RefusalReason.STALE;

function header(size: number, type: number, session: number): [Uint8Array, DataView] {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, MAGIC);
  view.setUint8(OFFSET_VERSION, VERSION);
  view.setUint8(OFFSET_TYPE, type);
  view.setUint32(OFFSET_SESSION, session);
  return [bytes, view];
}

/** Encodes a control message (anything but DATA, PARITY and NACK). */
export function encodeControl(packet: Exclude<Packet, Data | Parity | Nack>): Uint8Array {
  if (packet.type === PacketType.REFUSED) return encodeRefused(packet);
  const keyed = (packet.type === PacketType.CHALLENGE || packet.type === PacketType.JOIN) &&
    keyTail(packet);
  const name = packet.type === PacketType.ACK && packet.info !== undefined
    ? senderName(packet.info.name)
    : undefined;
  const size = keyed
    ? KEY_TAIL_AT[packet.type] + KEY_TAIL_SIZE
    : name !== undefined
    ? OFFSET_NAME + name.length
    : CONTROL_SIZES[packet.type];
  const [bytes, view] = header(size, packet.type, packet.session);
  view.setUint32(OFFSET_RECEIVER, packet.receiver);
  switch (packet.type) {
    case PacketType.HELLO:
      view.setFloat64(OFFSET_TIME, packet.time);
      if (packet.nonce !== undefined) {
        bytes.set(checkSize(packet.nonce, HELLO_NONCE_SIZE, "hello nonce"), OFFSET_HELLO_NONCE);
      }
      break;
    case PacketType.CHALLENGE:
      view.setFloat64(OFFSET_ECHO, packet.echoTime);
      view.setFloat64(OFFSET_SENDER_TIME, packet.senderTime);
      bytes.set(checkCookie(packet.cookie), OFFSET_CHALLENGE_COOKIE);
      if (keyed) writeKeyTail(bytes, KEY_TAIL_AT[packet.type], packet.nonce!, packet.share!);
      break;
    case PacketType.JOIN:
      view.setFloat64(OFFSET_TIME, packet.time);
      bytes.set(checkCookie(packet.cookie), OFFSET_COOKIE);
      if (keyed) writeKeyTail(bytes, KEY_TAIL_AT[packet.type], packet.nonce!, packet.share!);
      break;
    case PacketType.KEEPALIVE:
      view.setFloat64(OFFSET_TIME, packet.time);
      bytes.set(checkCookie(packet.cookie), OFFSET_COOKIE);
      writeReport(view, packet.report);
      break;
    case PacketType.ACK:
      view.setFloat64(OFFSET_ECHO, packet.echoTime);
      view.setFloat64(OFFSET_SENDER_TIME, packet.senderTime);
      if (name !== undefined) {
        view.setFloat64(OFFSET_STARTED_AT, packet.info!.startedAt);
        view.setUint8(OFFSET_NAME_LENGTH, name.length);
        bytes.set(name, OFFSET_NAME);
      }
      break;
    case PacketType.BYE:
      bytes.set(checkCookie(packet.cookie), OFFSET_BYE_COOKIE);
      break;
  }
  return bytes;
}

/**
 * Whether a CHALLENGE or JOIN carries the key tail.
 * @throws {RangeError} For only half of it.
 */
function keyTail(packet: Challenge | Join): boolean {
  if ((packet.nonce === undefined) !== (packet.share === undefined)) {
    throw new RangeError("A key tail has both a hello nonce and a key share, or neither");
  }
  return packet.nonce !== undefined;
}

function writeKeyTail(bytes: Uint8Array, at: number, nonce: Uint8Array, share: Uint8Array): void {
  bytes.set(checkSize(nonce, HELLO_NONCE_SIZE, "hello nonce"), at);
  bytes.set(checkSize(share, SHARE_SIZE, "key share"), at + HELLO_NONCE_SIZE);
}

/**
 * A REFUSED: 12 bytes, or 24 with an echo, or 40 with an echo and a salt.
 * @throws {RangeError} For a salt without an echo, or a field of the wrong size.
 */
function encodeRefused(packet: Refused): Uint8Array {
  if (packet.salt !== undefined && packet.echo === undefined) {
    throw new RangeError("A REFUSED with a salt echoes what it answers");
  }
  const size = packet.salt !== undefined
    ? OFFSET_REFUSAL_SALT + SALT_SIZE
    : packet.echo !== undefined
    ? OFFSET_REFUSAL_SALT
    : CONTROL_SIZES[PacketType.REFUSED];
  const [bytes, view] = header(size, packet.type, packet.session);
  view.setUint8(OFFSET_REFUSAL, packet.reason);
  if (packet.echo !== undefined) {
    bytes.set(checkSize(packet.echo, HELLO_NONCE_SIZE, "echo"), OFFSET_ECHO_FIELD);
  }
  if (packet.salt !== undefined) {
    bytes.set(checkSize(packet.salt, SALT_SIZE, "salt"), OFFSET_REFUSAL_SALT);
  }
  return bytes;
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

/**
 * Encodes a NACK for 1 to {@linkcode MAX_NACK_RANGES} ranges.
 * @throws {RangeError} For no ranges, too many, or a range out of bounds.
 */
export function encodeNack(packet: Omit<Nack, "type">): Uint8Array {
  const { ranges } = packet;
  if (ranges.length === 0 || ranges.length > MAX_NACK_RANGES) {
    throw new RangeError(`A NACK carries 1 to ${MAX_NACK_RANGES} ranges, got ${ranges.length}`);
  }
  const [bytes, view] = header(
    NACK_HEADER_SIZE + ranges.length * NACK_RANGE_SIZE,
    PacketType.NACK,
    packet.session,
  );
  view.setUint32(OFFSET_RECEIVER, packet.receiver);
  bytes.set(checkCookie(packet.cookie), OFFSET_NACK_COOKIE);
  let at = NACK_HEADER_SIZE;
  for (const { frame, index, count } of ranges) {
    if (
      !Number.isInteger(index) || !Number.isInteger(count) || index < 0 || count < 1 ||
      index + count > MAX_FRAGMENTS
    ) {
      throw new RangeError(`A NACK range must cover 1 to ${MAX_FRAGMENTS} fragments`);
    }
    if (!Number.isInteger(frame) || frame < 0 || frame > 0xffffffff) {
      throw new RangeError(`A NACK range's frame must be a uint32, got ${frame}`);
    }
    view.setUint32(at, frame);
    view.setUint16(at + 4, index);
    view.setUint16(at + 6, count);
    at += NACK_RANGE_SIZE;
  }
  return bytes;
}

function checkCookie(cookie: Uint8Array): Uint8Array {
  return checkSize(cookie, COOKIE_SIZE, "cookie");
}

function checkSize(bytes: Uint8Array, size: number, what: string): Uint8Array {
  if (bytes.length !== size) {
    throw new RangeError(`A ${what} must be ${size} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** What DATA and PARITY headers share: the frame and how it is cut. */
export interface FrameFields {
  session: number;
  frame: number;
  frameLength: number;
  fragmentSize: number;
  captureTime: number;
}

/** Fields of a DATA datagram's header. */
export interface DataHeader extends FrameFields {
  index: number;
}

/**
 * Writes a DATA header into `target` at offset 0; the caller writes the payload
 * after {@linkcode DATA_HEADER_SIZE}.
 */
export function writeDataHeader(target: Uint8Array, fields: DataHeader): void {
  const view = writeFrameHeader(target, PacketType.DATA, fields);
  view.setUint16(OFFSET_INDEX, fields.index);
}

/** Writes what DATA and PARITY headers share; the caller writes offset 16. */
function writeFrameHeader(
  target: Uint8Array,
  type: number,
  fields: FrameFields,
): DataView {
  const view = new DataView(target.buffer, target.byteOffset, DATA_HEADER_SIZE);
  view.setUint16(0, MAGIC);
  view.setUint8(OFFSET_VERSION, VERSION);
  view.setUint8(OFFSET_TYPE, type);
  view.setUint32(OFFSET_SESSION, fields.session);
  view.setUint32(OFFSET_FRAME, fields.frame);
  view.setUint32(OFFSET_FRAME_LENGTH, fields.frameLength);
  view.setUint16(OFFSET_FRAGMENT_SIZE, fields.fragmentSize);
  view.setFloat64(OFFSET_CAPTURE_TIME, fields.captureTime);
  return view;
}

/** Fields of a PARITY datagram's header. */
export interface ParityHeader extends FrameFields {
  group: number;
  groups: number;
}

/**
 * Writes a PARITY header into `target` at offset 0; the caller writes the
 * parity after {@linkcode DATA_HEADER_SIZE}.
 */
export function writeParityHeader(target: Uint8Array, fields: ParityHeader): void {
  const view = writeFrameHeader(target, PacketType.PARITY, fields);
  view.setUint8(OFFSET_GROUP, fields.group);
  view.setUint8(OFFSET_GROUPS, fields.groups);
}

/**
 * Decodes one datagram. Never throws: a short, foreign or inconsistent
 * datagram gives `{ ok: false, reason }`. A DATA packet's payload is a view
 * into `bytes`, valid until the caller reuses that buffer.
 */
export function decodePacket(bytes: Uint8Array): Decoded {
  if (bytes.length < HEADER_SIZE) return { ok: false, reason: "short" };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== MAGIC) return { ok: false, reason: "foreign" };
  if (view.getUint8(OFFSET_VERSION) !== VERSION) return { ok: false, reason: "version" };
  const type = view.getUint8(OFFSET_TYPE);
  const session = view.getUint32(OFFSET_SESSION);
  if (type === PacketType.DATA) return decodeData(bytes, view, session);
  if (type === PacketType.PARITY) return decodeParity(bytes, view, session);
  if (type === PacketType.NACK) return decodeNack(bytes, view, session);
  const size = CONTROL_SIZES[type];
  if (size === undefined) return { ok: false, reason: "type" };
  if (bytes.length < size) return { ok: false, reason: "short" };
  if (type === PacketType.REFUSED) {
    const reason = view.getUint8(OFFSET_REFUSAL);
    if (reason < 1 || reason > REFUSAL_MAX) return { ok: false, reason: "malformed" };
    const echo = bytes.length >= OFFSET_REFUSAL_SALT
      ? { echo: bytes.slice(OFFSET_ECHO_FIELD, OFFSET_REFUSAL_SALT) }
      : {};
    const salt = bytes.length >= OFFSET_REFUSAL_SALT + SALT_SIZE
      ? { salt: bytes.slice(OFFSET_REFUSAL_SALT, OFFSET_REFUSAL_SALT + SALT_SIZE) }
      : {};
    return {
      ok: true,
      packet: { type, session, reason: reason as RefusalReasonCode, ...echo, ...salt },
    };
  }
  const receiver = view.getUint32(OFFSET_RECEIVER);
  switch (type) {
    case PacketType.HELLO: {
      const nonce = bytes.subarray(OFFSET_HELLO_NONCE, OFFSET_HELLO_NONCE + HELLO_NONCE_SIZE);
      return {
        ok: true,
        packet: {
          type,
          session,
          receiver,
          time: view.getFloat64(OFFSET_TIME),
          ...(nonce.some((b) => b !== 0) ? { nonce: nonce.slice() } : {}),
        },
      };
    }
    case PacketType.CHALLENGE:
      return {
        ok: true,
        packet: {
          type,
          session,
          receiver,
          echoTime: view.getFloat64(OFFSET_ECHO),
          senderTime: view.getFloat64(OFFSET_SENDER_TIME),
          cookie: bytes.slice(OFFSET_CHALLENGE_COOKIE, OFFSET_CHALLENGE_COOKIE + COOKIE_SIZE),
          ...readKeyTail(bytes, KEY_TAIL_AT[type]),
        },
      };
    case PacketType.JOIN:
    case PacketType.KEEPALIVE: {
      const time = view.getFloat64(OFFSET_TIME);
      const cookie = bytes.slice(OFFSET_COOKIE, OFFSET_COOKIE + COOKIE_SIZE);
      return {
        ok: true,
        packet: type === PacketType.JOIN
          ? { type, session, receiver, time, cookie, ...readKeyTail(bytes, KEY_TAIL_AT[type]) }
          : { type, session, receiver, time, cookie, report: readReport(view) },
      };
    }
    case PacketType.ACK: {
      const info = readSenderInfo(bytes, view);
      return {
        ok: true,
        packet: {
          type,
          session,
          receiver,
          echoTime: view.getFloat64(OFFSET_ECHO),
          senderTime: view.getFloat64(OFFSET_SENDER_TIME),
          ...(info === undefined ? {} : { info }),
        },
      };
    }
    default:
      return {
        ok: true,
        packet: {
          type: PacketType.BYE,
          session,
          receiver,
          cookie: bytes.slice(OFFSET_BYE_COOKIE, OFFSET_BYE_COOKIE + COOKIE_SIZE),
        },
      };
  }
}

/** The key tail at `at`, if the datagram is long enough to hold it. */
function readKeyTail(bytes: Uint8Array, at: number): { nonce?: Uint8Array; share?: Uint8Array } {
  if (bytes.length < at + KEY_TAIL_SIZE) return {};
  return {
    nonce: bytes.slice(at, at + HELLO_NONCE_SIZE),
    share: bytes.slice(at + HELLO_NONCE_SIZE, at + KEY_TAIL_SIZE),
  };
}

/**
 * Reads what DATA and PARITY share, with how many fragments the frame has;
 * `undefined` for a layout no frame can have.
 */
function readFrameFields(
  view: DataView,
  session: number,
): (FrameFields & { count: number }) | undefined {
  const frameLength = view.getUint32(OFFSET_FRAME_LENGTH);
  const fragmentSize = view.getUint16(OFFSET_FRAGMENT_SIZE);
  const captureTime = view.getFloat64(OFFSET_CAPTURE_TIME);
  if (fragmentSize === 0 || frameLength === 0 || !Number.isFinite(captureTime)) return undefined;
  const count = Math.ceil(frameLength / fragmentSize);
  if (count > MAX_FRAGMENTS) return undefined;
  const frame = view.getUint32(OFFSET_FRAME);
  return { session, frame, frameLength, fragmentSize, captureTime, count };
}

function decodeData(bytes: Uint8Array, view: DataView, session: number): Decoded {
  if (bytes.length <= DATA_HEADER_SIZE) return { ok: false, reason: "short" };
  const fields = readFrameFields(view, session);
  if (fields === undefined) return { ok: false, reason: "malformed" };
  // Named, not spread: this runs for every datagram.
  const { count, frame, frameLength, fragmentSize, captureTime } = fields;
  const indexField = view.getUint16(OFFSET_INDEX);
  const index = indexField & ~RESENT_BIT;
  const payload = bytes.subarray(DATA_HEADER_SIZE);
  // The layout is fixed by frameLength and fragmentSize: every fragment but the
  // last is exactly fragmentSize long, so no two fragments can overlap or leave a gap.
  if (index >= count) return { ok: false, reason: "malformed" };
  const expected = index === count - 1 ? frameLength - index * fragmentSize : fragmentSize;
  if (payload.length !== expected) return { ok: false, reason: "malformed" };
  return {
    ok: true,
    packet: {
      type: PacketType.DATA,
      session,
      frame,
      frameLength,
      fragmentSize,
      captureTime,
      index,
      resent: (indexField & RESENT_BIT) !== 0,
      payload,
    },
  };
}

/** A copy of a DATA datagram marked as a resend. */
export function markResent(datagram: Uint8Array): Uint8Array {
  const copy = datagram.slice();
  copy[OFFSET_INDEX] |= RESENT_BIT >> 8;
  return copy;
}

function decodeParity(bytes: Uint8Array, view: DataView, session: number): Decoded {
  if (bytes.length <= DATA_HEADER_SIZE) return { ok: false, reason: "short" };
  const fields = readFrameFields(view, session);
  if (fields === undefined) return { ok: false, reason: "malformed" };
  const { count, frame, frameLength, fragmentSize, captureTime } = fields;
  const group = view.getUint8(OFFSET_GROUP);
  const groups = view.getUint8(OFFSET_GROUPS);
  const payload = bytes.subarray(DATA_HEADER_SIZE);
  if (groups === 0 || groups > count || group >= groups || payload.length !== fragmentSize) {
    return { ok: false, reason: "malformed" };
  }
  return {
    ok: true,
    packet: {
      type: PacketType.PARITY,
      session,
      frame,
      frameLength,
      fragmentSize,
      captureTime,
      group,
      groups,
      payload,
    },
  };
}

function decodeNack(bytes: Uint8Array, view: DataView, session: number): Decoded {
  if (bytes.length < NACK_HEADER_SIZE + NACK_RANGE_SIZE) return { ok: false, reason: "short" };
  const body = bytes.length - NACK_HEADER_SIZE;
  const count = body / NACK_RANGE_SIZE;
  if (!Number.isInteger(count) || count > MAX_NACK_RANGES) {
    return { ok: false, reason: "malformed" };
  }
  const ranges: NackRange[] = new Array(count);
  for (let i = 0, at = NACK_HEADER_SIZE; i < count; i++, at += NACK_RANGE_SIZE) {
    const index = view.getUint16(at + 4);
    const length = view.getUint16(at + 6);
    if (length === 0 || index + length > MAX_FRAGMENTS) return { ok: false, reason: "malformed" };
    ranges[i] = { frame: view.getUint32(at), index, count: length };
  }
  return {
    ok: true,
    packet: {
      type: PacketType.NACK,
      session,
      receiver: view.getUint32(OFFSET_RECEIVER),
      cookie: bytes.slice(OFFSET_NACK_COOKIE, OFFSET_NACK_COOKIE + COOKIE_SIZE),
      ranges,
    },
  };
}
