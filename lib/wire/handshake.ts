/**
 * The handshake's messages: HELLO and JOIN (receiver to sender), and
 * CHALLENGE (sender to receiver); REFUSED is in `refused.ts`. See `docs/PROTOCOL.md`, "The handshake",
 * for how they follow one another, with a key and without.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * HELLO (32 bytes)
 * +---------------------------------------------------------------+
 * |                     8-byte header (type 1)                    |
 * +---------------------------------------------------------------+
 * |                          receiver id                          |
 * +---------------------------------------------------------------+
 * |                    send time (float64, ms epoch)              |
 * +---------------------------------------------------------------+
 * |              hello nonce (12 bytes), or zeros                 |
 * +---------------------------------------------------------------+
 * CHALLENGE (44 bytes, or 88 with the key tail)
 * +---------------------------------------------------------------+
 * |        8-byte header (type 2), receiver id (at 8)             |
 * +---------------------------------------------------------------+
 * |   echoed time (float64, at 12)  |  sender time (float64, 20)  |
 * +---------------------------------------------------------------+
 * |                     cookie (16 bytes, at 28)                  |
 * +---------------------------------------------------------------+
 * |  [key tail: hello nonce (12, at 44), key share (32, at 56)]   |
 * +---------------------------------------------------------------+
 * JOIN (36 bytes, or 80 with the key tail)
 * +---------------------------------------------------------------+
 * |        8-byte header (type 3), receiver id (at 8)             |
 * +---------------------------------------------------------------+
 * |   send time (float64, at 12)  |  cookie (16 bytes, at 20)     |
 * +---------------------------------------------------------------+
 * |  [key tail: hello nonce (12, at 36), key share (32, at 48)]   |
 * +---------------------------------------------------------------+
 * ```
 *
 * A HELLO is padded to 32 bytes so that the CHALLENGE it earns is never
 * more than 3 times its size.
 *
 * @module
 */
import {
  checkCookie,
  checkSize,
  COOKIE_SIZE,
  encodeHeader,
  OFFSET_RECEIVER,
  OFFSET_SESSION,
  PacketType,
} from "./header.ts";

/** The size of a HELLO, the smallest a sender answers. */
export const HELLO_SIZE = 32;
/** The size of a CHALLENGE without the key tail. */
export const CHALLENGE_SIZE = 44;
/** The size of a JOIN without the key tail. */
export const JOIN_SIZE = 36;
/** The size of a hello nonce, and of the echo in a REFUSED. */
export const HELLO_NONCE_SIZE = 12;
/** The size of an X25519 key share (public key). */
export const SHARE_SIZE = 32;
/** The size of the key tail of a CHALLENGE or JOIN: a hello nonce and a key share. */
export const KEY_TAIL_SIZE = HELLO_NONCE_SIZE + SHARE_SIZE;

/** Where a HELLO, JOIN or KEEPALIVE holds its send time (float64). */
export const OFFSET_TIME = 12;
/** Where a HELLO holds its hello nonce. */
export const OFFSET_HELLO_NONCE = 20;
/** Where a CHALLENGE or ACK holds the time it echoes (float64). */
export const OFFSET_ECHO_TIME = 12;
/** Where a CHALLENGE or ACK holds the sender's time (float64). */
export const OFFSET_SENDER_TIME = 20;
/** Where a CHALLENGE holds its cookie. */
export const OFFSET_CHALLENGE_COOKIE = 28;
/** Where a CHALLENGE's key tail starts. */
export const OFFSET_CHALLENGE_KEY_TAIL = CHALLENGE_SIZE;
/** Where a JOIN or KEEPALIVE holds its cookie. */
export const OFFSET_COOKIE = 20;
/** Where a JOIN's key tail starts. */
export const OFFSET_JOIN_KEY_TAIL = JOIN_SIZE;

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

/** Encodes a HELLO. @throws {RangeError} For a nonce of the wrong size. */
export function encodeHello(packet: Hello): Uint8Array {
  const [bytes, view] = encodeHeader(HELLO_SIZE, packet.type, packet.session);
  view.setUint32(OFFSET_RECEIVER, packet.receiver);
  view.setFloat64(OFFSET_TIME, packet.time);
  if (packet.nonce !== undefined) {
    bytes.set(checkSize(packet.nonce, HELLO_NONCE_SIZE, "hello nonce"), OFFSET_HELLO_NONCE);
  }
  return bytes;
}

/** Decodes a HELLO of at least {@linkcode HELLO_SIZE} bytes whose header is checked. */
export function decodeHello(bytes: Uint8Array, view: DataView): Hello {
  const nonce = bytes.subarray(OFFSET_HELLO_NONCE, OFFSET_HELLO_NONCE + HELLO_NONCE_SIZE);
  return {
    type: PacketType.HELLO,
    session: view.getUint32(OFFSET_SESSION),
    receiver: view.getUint32(OFFSET_RECEIVER),
    time: view.getFloat64(OFFSET_TIME),
    ...(nonce.some((b) => b !== 0) ? { nonce: nonce.slice() } : {}),
  };
}

/** Encodes a CHALLENGE. @throws {RangeError} For half a key tail, or a field of the wrong size. */
export function encodeChallenge(packet: Challenge): Uint8Array {
  const keyed = keyTail(packet);
  const size = keyed ? OFFSET_CHALLENGE_KEY_TAIL + KEY_TAIL_SIZE : CHALLENGE_SIZE;
  const [bytes, view] = encodeHeader(size, packet.type, packet.session);
  view.setUint32(OFFSET_RECEIVER, packet.receiver);
  view.setFloat64(OFFSET_ECHO_TIME, packet.echoTime);
  view.setFloat64(OFFSET_SENDER_TIME, packet.senderTime);
  bytes.set(checkCookie(packet.cookie), OFFSET_CHALLENGE_COOKIE);
  if (keyed) writeKeyTail(bytes, OFFSET_CHALLENGE_KEY_TAIL, packet.nonce!, packet.share!);
  return bytes;
}

/** Decodes a CHALLENGE of at least {@linkcode CHALLENGE_SIZE} bytes whose header is checked. */
export function decodeChallenge(bytes: Uint8Array, view: DataView): Challenge {
  return {
    type: PacketType.CHALLENGE,
    session: view.getUint32(OFFSET_SESSION),
    receiver: view.getUint32(OFFSET_RECEIVER),
    echoTime: view.getFloat64(OFFSET_ECHO_TIME),
    senderTime: view.getFloat64(OFFSET_SENDER_TIME),
    cookie: bytes.slice(OFFSET_CHALLENGE_COOKIE, OFFSET_CHALLENGE_COOKIE + COOKIE_SIZE),
    ...readKeyTail(bytes, OFFSET_CHALLENGE_KEY_TAIL),
  };
}

/** Encodes a JOIN. @throws {RangeError} For half a key tail, or a field of the wrong size. */
export function encodeJoin(packet: Join): Uint8Array {
  const keyed = keyTail(packet);
  const size = keyed ? OFFSET_JOIN_KEY_TAIL + KEY_TAIL_SIZE : JOIN_SIZE;
  const [bytes, view] = encodeHeader(size, packet.type, packet.session);
  view.setUint32(OFFSET_RECEIVER, packet.receiver);
  view.setFloat64(OFFSET_TIME, packet.time);
  bytes.set(checkCookie(packet.cookie), OFFSET_COOKIE);
  if (keyed) writeKeyTail(bytes, OFFSET_JOIN_KEY_TAIL, packet.nonce!, packet.share!);
  return bytes;
}

/** Decodes a JOIN of at least {@linkcode JOIN_SIZE} bytes whose header is checked. */
export function decodeJoin(bytes: Uint8Array, view: DataView): Join {
  return {
    type: PacketType.JOIN,
    session: view.getUint32(OFFSET_SESSION),
    receiver: view.getUint32(OFFSET_RECEIVER),
    time: view.getFloat64(OFFSET_TIME),
    cookie: bytes.slice(OFFSET_COOKIE, OFFSET_COOKIE + COOKIE_SIZE),
    ...readKeyTail(bytes, OFFSET_JOIN_KEY_TAIL),
  };
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

/** The key tail at `at`, if the datagram is long enough to hold it. */
function readKeyTail(bytes: Uint8Array, at: number): { nonce?: Uint8Array; share?: Uint8Array } {
  if (bytes.length < at + KEY_TAIL_SIZE) return {};
  return {
    nonce: bytes.slice(at, at + HELLO_NONCE_SIZE),
    share: bytes.slice(at + HELLO_NONCE_SIZE, at + KEY_TAIL_SIZE),
  };
}
