import { createHmac, randomBytes } from "node:crypto";
import { COOKIE_SIZE } from "./packet.ts";

/** Options for a {@linkcode CookieSigner}. */
export interface CookieSignerOptions {
  /**
   * How long a cookie stays valid, in ms; one older than twice this is refused.
   * @default {30000}
   */
  periodMs?: number;
}

/**
 * Makes and checks return-routability cookies: a keyed hash of the address a
 * hello came from, the receiver id and the current period. Only a receiver that
 * really gets datagrams at that address can echo it, so a spoofed hello never
 * turns the sender into a reflector. The secret is random per sender run and
 * the sender keeps no state per hello.
 *
 * HMAC-SHA-256 through `node:crypto`, synchronous: WebCrypto's first use
 * loads its implementation and held the sender's event loop up about 30 ms
 * just as it began to answer receivers.
 */
export class CookieSigner {
  #key: Uint8Array;
  #periodMs: number;

  /** Creates a signer with a fresh random secret. */
  constructor(options: CookieSignerOptions = {}) {
    this.#periodMs = options.periodMs ?? 30_000;
    this.#key = randomBytes(32);
  }

  /** The cookie for `address` and `receiver` at time `now` (ms). */
  sign(address: string, receiver: number, now: number): Uint8Array {
    return this.#mac(address, receiver, Math.floor(now / this.#periodMs));
  }

  /** Whether `cookie` was made by {@linkcode sign} for this address and receiver, recently. */
  verify(cookie: Uint8Array, address: string, receiver: number, now: number): boolean {
    const period = Math.floor(now / this.#periodMs);
    for (const p of [period, period - 1]) {
      if (timingSafeEqual(cookie, this.#mac(address, receiver, p))) return true;
    }
    return false;
  }

  #mac(address: string, receiver: number, period: number): Uint8Array {
    const mac = createHmac("sha256", this.#key).update(`${address}|${receiver}|${period}`).digest();
    return new Uint8Array(mac.buffer, mac.byteOffset, COOKIE_SIZE).slice();
  }
}

/** Compares two byte strings in time that depends only on their length. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
