import { type CookieSigner, timingSafeEqual } from "../seal/cookie_signer.ts";

/** What a receiver proved of its address: the newest cookie it echoed, and when that was made. */
export interface ProvenAddress {
  /** `host:port`, the key of the peer. */
  key: string;
  /** The id the receiver chose. */
  receiver: number;
  /** The newest cookie it echoed; its keepalives, NACKs and byes must carry it, or a newer one. */
  cookie: Uint8Array;
  /** When that cookie was made (ms): the receiver was at its address then. */
  cookieMadeAt: number;
}

/**
 * Which cookies prove that a receiver is at its address: made by the signer
 * for that address and receiver, no older than the signer's `maxAgeMs`, and
 * not made before a receiver last left that address, so that a JOIN captured
 * before a leave and replayed after it counts for nothing. Pure apart from
 * the cookie's keyed hash: times are given by the caller.
 */
export class AddressProof {
  #signer: CookieSigner;
  /** When a receiver last left each address (ms, whole), oldest first: cookies made before are void. */
  #left = new Map<string, number>();

  /** Checks cookies with `signer`'s key and age limit. */
  constructor(signer: CookieSigner) {
    this.#signer = signer;
  }

  /**
   * When `cookie` was made, if it proves that `receiver` was at `key` then:
   * made for them, no older than the signer's `maxAgeMs` at `now`, and not
   * before a receiver last left that address.
   */
  prove(cookie: Uint8Array, key: string, receiver: number, now: number): number | undefined {
    const madeAt = this.#signer.verify(cookie, key, receiver, now);
    if (madeAt === undefined) return undefined;
    const left = this.#left.get(key);
    return left !== undefined && madeAt <= left ? undefined : madeAt;
  }

  /**
   * What the cookie a joined receiver's datagram carries says at `now`:
   * `true` if it is its cookie and made at most the signer's `maxAgeMs` ago, or a newer
   * fresh one made for it (from a challenge whose JOIN was lost: it becomes
   * its cookie); `false` if it is its cookie, older; `undefined` for any other.
   */
  check(peer: ProvenAddress, cookie: Uint8Array, now: number): boolean | undefined {
    if (timingSafeEqual(peer.cookie, cookie)) {
      return now - peer.cookieMadeAt <= this.#signer.maxAgeMs;
    }
    const madeAt = this.prove(cookie, peer.key, peer.receiver, now);
    if (madeAt === undefined) return undefined;
    if (madeAt > peer.cookieMadeAt) {
      peer.cookie = cookie;
      peer.cookieMadeAt = madeAt;
    }
    return true;
  }

  /** Voids the cookies made for `key` until `now` (ms): a receiver left it. */
  left(key: string, now: number): void {
    this.#left.delete(key);
    this.#left.set(key, Math.floor(now));
  }

  /** Forgets the leaves of more than the signer's `maxAgeMs` before `now`: their cookies are too old by now anyway. */
  prune(now: number): void {
    for (const [key, at] of this.#left) {
      if (now - at <= this.#signer.maxAgeMs) break;
      this.#left.delete(key);
    }
  }
}
