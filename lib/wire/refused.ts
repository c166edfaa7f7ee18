/**
 * REFUSED, sender to receiver: why the sender will not answer, and with a
 * key, 12 bytes of what it answers, and its run's stretching salt. See
 * `docs/PROTOCOL.md`, "REFUSED" and "The handshake with a key".
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * REFUSED (12 bytes, 24 with the echo, 40 with the echo and the salt)
 * +---------------+-----------------------------------------------+
 * |                     8-byte header (type 10)                   |
 * +---------------+-----------------------------------------------+
 * |  reason (8)   |            zero padding (3 bytes)             |
 * +---------------+-----------------------------------------------+
 * |  [echo (12 bytes, at 12), [stretching salt (16, at 24)]]      |
 * +---------------------------------------------------------------+
 * ```
 *
 * The echo lets a receiver believe only answers to datagrams it sent, each
 * once. Old receivers read the first 12 bytes.
 *
 * @module
 */
import {
  checkSize,
  encodeHeader,
  HEADER_SIZE,
  isSealedType,
  OFFSET_SESSION,
  OFFSET_TYPE,
  PacketType,
} from "./header.ts";
import { HELLO_NONCE_SIZE, OFFSET_HELLO_NONCE } from "./handshake.ts";

/** The size of a REFUSED without an echo. */
export const REFUSED_SIZE = 12;
/** The size of the salt a sender with a key stretches its key with, new each run. */
export const SALT_SIZE = 16;
/** Where a REFUSED holds its reason (uint8). */
export const OFFSET_REFUSAL = 8;
/** Where a REFUSED holds its echo. */
export const OFFSET_REFUSAL_ECHO = 12;
/** Where a REFUSED holds the sender's stretching salt. */
export const OFFSET_REFUSAL_SALT = OFFSET_REFUSAL_ECHO + HELLO_NONCE_SIZE;

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
const REFUSAL_MAX = RefusalReason.STALE;

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

/**
 * The 12 bytes of a datagram that a REFUSED answering it echoes: a sealed
 * datagram's nonce (bytes 8 to 20), or what a HELLO in the clear holds as its
 * hello nonce (bytes 20 to 32); zeros where the datagram is shorter.
 */
export function echoOf(datagram: Uint8Array): Uint8Array {
  const at = datagram.length > OFFSET_TYPE && isSealedType(datagram)
    ? HEADER_SIZE
    : OFFSET_HELLO_NONCE;
  const echo = new Uint8Array(HELLO_NONCE_SIZE);
  echo.set(datagram.subarray(at, at + HELLO_NONCE_SIZE));
  return echo;
}

/**
 * A REFUSED: 12 bytes, or 24 with an echo, or 40 with an echo and a salt.
 * @throws {RangeError} For a salt without an echo, or a field of the wrong size.
 */
export function encodeRefused(packet: Refused): Uint8Array {
  if (packet.salt !== undefined && packet.echo === undefined) {
    throw new RangeError("A REFUSED with a salt echoes what it answers");
  }
  const size = packet.salt !== undefined
    ? OFFSET_REFUSAL_SALT + SALT_SIZE
    : packet.echo !== undefined
    ? OFFSET_REFUSAL_SALT
    : REFUSED_SIZE;
  const [bytes, view] = encodeHeader(size, packet.type, packet.session);
  view.setUint8(OFFSET_REFUSAL, packet.reason);
  if (packet.echo !== undefined) {
    bytes.set(checkSize(packet.echo, HELLO_NONCE_SIZE, "echo"), OFFSET_REFUSAL_ECHO);
  }
  if (packet.salt !== undefined) {
    bytes.set(checkSize(packet.salt, SALT_SIZE, "salt"), OFFSET_REFUSAL_SALT);
  }
  return bytes;
}

/**
 * Decodes a REFUSED of at least {@linkcode REFUSED_SIZE} bytes whose header is
 * checked; `undefined` for a reason it does not know.
 */
export function decodeRefused(bytes: Uint8Array, view: DataView): Refused | undefined {
  const reason = view.getUint8(OFFSET_REFUSAL);
  if (reason < 1 || reason > REFUSAL_MAX) return undefined;
  const echo = bytes.length >= OFFSET_REFUSAL_SALT
    ? { echo: bytes.slice(OFFSET_REFUSAL_ECHO, OFFSET_REFUSAL_SALT) }
    : {};
  const salt = bytes.length >= OFFSET_REFUSAL_SALT + SALT_SIZE
    ? { salt: bytes.slice(OFFSET_REFUSAL_SALT, OFFSET_REFUSAL_SALT + SALT_SIZE) }
    : {};
  return {
    type: PacketType.REFUSED,
    session: view.getUint32(OFFSET_SESSION),
    reason: reason as RefusalReasonCode,
    ...echo,
    ...salt,
  };
}
