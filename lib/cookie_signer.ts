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
 */
export class CookieSigner {
  #key: Promise<CryptoKey>;
  #periodMs: number;

  /** Creates a signer with a fresh random secret. */
  constructor(options: CookieSignerOptions = {}) {
    this.#periodMs = options.periodMs ?? 30_000;
    this.#key = crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  }

  /** The cookie for `address` and `receiver` at time `now` (ms). */
  async sign(address: string, receiver: number, now: number): Promise<Uint8Array> {
    return await this.#mac(address, receiver, Math.floor(now / this.#periodMs));
  }

  /** Whether `cookie` was made by {@linkcode sign} for this address and receiver, recently. */
  async verify(
    cookie: Uint8Array,
    address: string,
    receiver: number,
    now: number,
  ): Promise<boolean> {
    const period = Math.floor(now / this.#periodMs);
    for (const p of [period, period - 1]) {
      if (timingSafeEqual(cookie, await this.#mac(address, receiver, p))) return true;
    }
    return false;
  }

  async #mac(address: string, receiver: number, period: number): Promise<Uint8Array> {
    const message = new TextEncoder().encode(`${address}|${receiver}|${period}`);
    const mac = await crypto.subtle.sign("HMAC", await this.#key, message);
    return new Uint8Array(mac, 0, COOKIE_SIZE);
  }
}

/** Compares two byte strings in time that depends only on their length. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
