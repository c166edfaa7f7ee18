/**
 * Sealing: how a datagram is encrypted and authenticated with a key.
 *
 * ```
 * +---------------------------------------------------------------+
 * |   8-byte header, as in the clear, with the type's top bit set  |
 * +---------------------------------------------------------------+
 * |   nonce (12 bytes): a 4-byte prefix, then a 64-bit counter     |
 * +---------------------------------------------------------------+
 * |   the datagram after its header, encrypted (AES-128-GCM)       |
 * +---------------------------------------------------------------+
 * |   authentication tag (16 bytes)                                |
 * +---------------------------------------------------------------+
 * ```
 *
 * The header and nonce (the first 20 bytes) are authenticated as associated
 * data, so nothing in a sealed datagram can be changed unnoticed. The nonce's
 * counter gives each datagram a place in its sender's sequence, for the
 * receiving side's replay window.
 *
 * See `docs/PROTOCOL.md`, "Sealing".
 *
 * AES-GCM runs synchronously, with no promise per datagram on the hot path:
 * through OpenSSL where it loads, else `node:crypto` (see `aes_gcm.ts`).
 *
 * @module
 */
import { AES_GCM, KEY_SIZE, NONCE_SIZE, TAG_SIZE } from "./aes_gcm.ts";
import { decodeHeader, HEADER_SIZE, OFFSET_TYPE, SEALED_BIT } from "../wire/header.ts";

export { KEY_SIZE, NONCE_SIZE, TAG_SIZE };
/** How much larger a sealed datagram is than the same datagram in the clear. */
export const SEAL_OVERHEAD = NONCE_SIZE + TAG_SIZE;
/** The size of the nonce's prefix, before its 64-bit counter. */
export const NONCE_PREFIX_SIZE = 4;
/** Where a sealed datagram holds its nonce, right after the header. */
export const OFFSET_NONCE = HEADER_SIZE;
/** Where a sealed datagram holds its nonce's counter (uint64). */
export const OFFSET_NONCE_COUNTER = OFFSET_NONCE + NONCE_PREFIX_SIZE;
/** Where a sealed datagram's encrypted body starts: after header and nonce, the bytes authenticated but not encrypted. */
export const OFFSET_SEALED_BODY = OFFSET_NONCE + NONCE_SIZE;
const AAD_SIZE = OFFSET_SEALED_BODY;

/**
 * Whether `bytes` is shaped as a sealed udpcam datagram: long enough for a
 * header, a nonce and a tag, with the magic, this version, and the sealed bit
 * in the type byte. Anything else is not worth opening, nor answering as if
 * it had been sealed.
 */
export function isSealed(bytes: Uint8Array): boolean {
  if (bytes.length < HEADER_SIZE + SEAL_OVERHEAD) return false;
  const header = decodeHeader(bytes);
  return header.ok && header.sealed;
}

/**
 * Seals a datagram in the clear (its header included) with `key` and a nonce
 * that must never be used again with this key.
 */
export function sealDatagram(plain: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  const sealed = new Uint8Array(plain.length + SEAL_OVERHEAD);
  sealed.set(plain.subarray(0, HEADER_SIZE));
  sealed[OFFSET_TYPE] |= SEALED_BIT;
  sealed.set(nonce, OFFSET_NONCE);
  const bodyEnd = sealed.length - TAG_SIZE;
  AES_GCM.seal(
    key,
    nonce,
    sealed.subarray(0, AAD_SIZE),
    plain.subarray(HEADER_SIZE),
    sealed.subarray(AAD_SIZE, bodyEnd),
    sealed.subarray(bodyEnd),
  );
  return sealed;
}

/** A datagram opened: the datagram in the clear, and its nonce's counter. */
export interface Opened {
  plain: Uint8Array;
  counter: number;
}

/**
 * Opens a sealed datagram with `key`: the datagram in the clear (its type's
 * top bit cleared) and its counter, or `undefined` if it is too short or does
 * not authenticate (wrong key, or changed on the way). Never throws.
 */
export function openDatagram(sealed: Uint8Array, key: Uint8Array): Opened | undefined {
  if (sealed.length < AAD_SIZE + TAG_SIZE || !isSealed(sealed)) return undefined;
  const bodyEnd = sealed.length - TAG_SIZE;
  const plain = new Uint8Array(HEADER_SIZE + bodyEnd - AAD_SIZE);
  const opened = AES_GCM.open(
    key,
    sealed.subarray(OFFSET_NONCE, OFFSET_SEALED_BODY),
    sealed.subarray(0, AAD_SIZE),
    sealed.subarray(AAD_SIZE, bodyEnd),
    sealed.subarray(bodyEnd),
    plain.subarray(HEADER_SIZE),
  );
  if (!opened) return undefined;
  plain.set(sealed.subarray(0, HEADER_SIZE));
  plain[OFFSET_TYPE] &= ~SEALED_BIT;
  return { plain, counter: nonceCounter(sealed) };
}

/** The counter of a sealed datagram's nonce (its last 8 bytes), as a number. */
export function nonceCounter(sealed: Uint8Array): number {
  const view = new DataView(sealed.buffer, sealed.byteOffset + OFFSET_NONCE_COUNTER, 8);
  return view.getUint32(0) * 2 ** 32 + view.getUint32(4);
}
