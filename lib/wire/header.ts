/**
 * The header every udpcam datagram starts with, in both directions, and the
 * fields most messages share after it. All integers are big-endian; times are
 * IEEE 754 doubles holding milliseconds since the Unix epoch on the clock of
 * the side that wrote them. See `docs/PROTOCOL.md`, "The header".
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+---------------+-+-------------+
 * |        magic 0x5543 "UC"      |  version (1)  |S|    type     |
 * +-------------------------------+---------------+-+-------------+
 * |                          session id                           |
 * +---------------------------------------------------------------+
 * ```
 *
 * The session id is chosen at random each time a sender starts; a receiver's
 * first hello carries 0. S, the type byte's top bit, marks a sealed datagram
 * (see `lib/seal/datagram_seal.ts`).
 *
 * @module
 */

/** The first two bytes of every udpcam datagram: "UC". */
export const MAGIC = 0x5543;
/** The protocol version this code speaks. */
export const VERSION = 1;
/** The size of the header common to every datagram. */
export const HEADER_SIZE = 8;
/** The bit of the type byte that marks a sealed (encrypted and authenticated) datagram. */
export const SEALED_BIT = 0x80;
/** The largest datagram IPv4 UDP can carry. */
export const MAX_DATAGRAM = 65_507;

/** Where the magic is (uint16). */
export const OFFSET_MAGIC = 0;
/** Where the version is (uint8). */
export const OFFSET_VERSION = 2;
/** Where the type byte is (uint8), its top bit {@linkcode SEALED_BIT}. */
export const OFFSET_TYPE = 3;
/** Where the session id is (uint32). */
export const OFFSET_SESSION = 4;
/** Where a control message or NACK holds the receiver id (uint32), right after the header. */
export const OFFSET_RECEIVER = 8;

/** The size of the cookie that proves a receiver can receive at its address. */
export const COOKIE_SIZE = 16;

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

/** Every reason {@linkcode decodeHeader} rejects a datagram for, in the order it checks. */
export const HEADER_REJECT_REASONS = ["short", "foreign", "version"] as const;
/** Why a datagram's header was rejected. */
export type HeaderRejectReason = typeof HEADER_REJECT_REASONS[number];

/** What the header of a datagram says. */
export interface Header {
  /** The type, without {@linkcode SEALED_BIT}; not checked to be one this code knows. */
  type: number;
  /** Whether {@linkcode SEALED_BIT} is set. */
  sealed: boolean;
  /** The session id. */
  session: number;
}

/** The result of {@linkcode decodeHeader}: the header's fields, or why there are none. */
export type DecodedHeader = ({ ok: true } & Header) | { ok: false; reason: HeaderRejectReason };

/**
 * Decodes the header of `bytes`. Never throws: shorter than
 * {@linkcode HEADER_SIZE} gives `short`, another magic `foreign`, and another
 * version `version`. The type is given as it is, whatever it is.
 */
export function decodeHeader(bytes: Uint8Array): DecodedHeader {
  if (bytes.length < HEADER_SIZE) return { ok: false, reason: "short" };
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  if (view.getUint16(OFFSET_MAGIC) !== MAGIC) return { ok: false, reason: "foreign" };
  if (view.getUint8(OFFSET_VERSION) !== VERSION) return { ok: false, reason: "version" };
  const byte = view.getUint8(OFFSET_TYPE);
  return {
    ok: true,
    type: byte & ~SEALED_BIT,
    sealed: (byte & SEALED_BIT) !== 0,
    session: view.getUint32(OFFSET_SESSION),
  };
}

/** Whether the type byte of `datagram` has {@linkcode SEALED_BIT} set. */
export function isSealedType(datagram: Uint8Array): boolean {
  return (datagram[OFFSET_TYPE] & SEALED_BIT) !== 0;
}

/** The type of `datagram`, its type byte without {@linkcode SEALED_BIT}. */
export function typeOf(datagram: Uint8Array): number {
  return datagram[OFFSET_TYPE] & ~SEALED_BIT;
}

/** The session id of `datagram`, which must be at least {@linkcode HEADER_SIZE} long. */
export function sessionOf(datagram: Uint8Array): number {
  return new DataView(datagram.buffer, datagram.byteOffset + OFFSET_SESSION, 4).getUint32(0);
}

/** Sets the session id of `datagram` in place. */
export function setSession(datagram: Uint8Array, session: number): void {
  new DataView(datagram.buffer, datagram.byteOffset + OFFSET_SESSION, 4).setUint32(0, session);
}

/**
 * A new datagram of `size` bytes, zeros after its header of `type` and
 * `session`, with a view over it for the caller to write the rest.
 */
export function encodeHeader(size: number, type: number, session: number): [Uint8Array, DataView] {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  writeHeader(view, type, session);
  return [bytes, view];
}

/** Writes the header of `type` and `session` into `view` at offset 0. */
export function writeHeader(view: DataView, type: number, session: number): void {
  view.setUint16(OFFSET_MAGIC, MAGIC);
  view.setUint8(OFFSET_VERSION, VERSION);
  view.setUint8(OFFSET_TYPE, type);
  view.setUint32(OFFSET_SESSION, session);
}

/**
 * `bytes`, checked to be `size` long.
 * @throws {RangeError} For another size, naming the field as `what`.
 */
export function checkSize(bytes: Uint8Array, size: number, what: string): Uint8Array {
  if (bytes.length !== size) {
    throw new RangeError(`A ${what} must be ${size} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/**
 * A cookie, checked to be {@linkcode COOKIE_SIZE} long.
 * @throws {RangeError} For another size.
 */
export function checkCookie(cookie: Uint8Array): Uint8Array {
  return checkSize(cookie, COOKIE_SIZE, "cookie");
}
