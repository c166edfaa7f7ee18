import { createHmac, randomBytes } from "node:crypto";
import { COOKIE_SIZE } from "../wire/header.ts";

/** Options for a {@linkcode CookieSigner}. */
export interface CookieSignerOptions {
  /**
   * How long a cookie proves anything, in ms from when it was made; an older
   * one is refused.
   * @default {10000}
   */
  maxAgeMs?: number;
}

/** The size of the time at the start of a cookie. */
const TIME_SIZE = 5;
/** Cookie times count milliseconds modulo this (about 35 years). */
const TIME_RANGE = 2 ** (8 * TIME_SIZE);

/**
 * Makes and checks return-routability cookies. A cookie is the time it was
 * made, then a keyed hash of that time, the address a hello came from and the
 * receiver id; only a receiver that really gets datagrams at that address can
 * echo it, so a spoofed hello never turns the sender into a reflector. The
 * secret is random per sender run and the sender keeps no state per hello.
 *
 * ```
 *  0         5                                                 16
 * +---------+---------------------------------------------------+
 * | made at | HMAC-SHA-256 of the time, the address and the      |
 * | (ms,    | receiver id: its first 11 bytes                    |
 * | uint40) |                                                    |
 * +---------+---------------------------------------------------+
 * ```
 *
 * The time makes the age of every cookie exact, so that one captured and
 * replayed later is refused once it is `maxAgeMs` old, and says whether a
 * cookie was made before something (a goodbye) that voids it. Only the sender
 * reads it: to a receiver the cookie is 16 opaque bytes. The hash's 88 bits
 * are far beyond guessing: each guess is a datagram, and a cookie lives
 * seconds.
 *
 * HMAC-SHA-256 through `node:crypto`, synchronous: WebCrypto's first use
 * loads its implementation and held the sender's event loop up about 30 ms
 * just as it began to answer receivers.
 */
export class CookieSigner {
  /** How long a cookie proves anything, in ms. */
  readonly maxAgeMs: number;
  #key: Uint8Array;

  /**
   * Creates a signer with a fresh random secret.
   * @throws {RangeError} If `maxAgeMs` is not from 1 ms to a day.
   */
  constructor(options: CookieSignerOptions = {}) {
    const maxAgeMs = options.maxAgeMs ?? 10_000;
    if (!(maxAgeMs > 0 && maxAgeMs <= 86_400_000)) {
      throw new RangeError(`A cookie's life must be from 1 ms to a day, got ${maxAgeMs} ms`);
    }
    this.maxAgeMs = maxAgeMs;
    this.#key = randomBytes(32);
  }

  /** The cookie for `address` and `receiver` made at `now` (ms, a clock that never steps back). */
  sign(address: string, receiver: number, now: number): Uint8Array {
    const time = modulo(Math.floor(now));
    const cookie = new Uint8Array(COOKIE_SIZE);
    const view = new DataView(cookie.buffer);
    view.setUint8(0, Math.floor(time / 2 ** 32));
    view.setUint32(1, time % 2 ** 32);
    cookie.set(this.#mac(address, receiver, time), TIME_SIZE);
    return cookie;
  }

  /**
   * When `cookie` was made (ms, on the clock {@linkcode sign} was given), if
   * {@linkcode sign} made it for this address and receiver at most `maxAgeMs`
   * before `now`; otherwise `undefined`.
   */
  verify(cookie: Uint8Array, address: string, receiver: number, now: number): number | undefined {
    if (cookie.length !== COOKIE_SIZE) return undefined;
    const view = new DataView(cookie.buffer, cookie.byteOffset, COOKIE_SIZE);
    const time = view.getUint8(0) * 2 ** 32 + view.getUint32(1);
    const age = modulo(Math.floor(now) - time);
    if (age > this.maxAgeMs) return undefined;
    const mac = this.#mac(address, receiver, time);
    if (!timingSafeEqual(cookie.subarray(TIME_SIZE), mac)) return undefined;
    return Math.floor(now) - age;
  }

  #mac(address: string, receiver: number, time: number): Uint8Array {
    const mac = createHmac("sha256", this.#key).update(`${time}|${address}|${receiver}`).digest();
    return new Uint8Array(mac.buffer, mac.byteOffset, COOKIE_SIZE - TIME_SIZE);
  }
}

function modulo(ms: number): number {
  return ((ms % TIME_RANGE) + TIME_RANGE) % TIME_RANGE;
}

/** Compares two byte strings in time that depends only on their length. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
