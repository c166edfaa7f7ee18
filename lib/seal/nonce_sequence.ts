import { NONCE_PREFIX_SIZE, NONCE_SIZE } from "./datagram_seal.ts";

/** The counter starts below this, so that it stays an exact number for ever. */
const RANDOM_START_LIMIT = 2 ** 48;

/**
 * The nonces one side seals with under one key: a fixed prefix
 * ({@linkcode NONCE_PREFIX_SIZE} bytes) and a 64-bit counter that only goes up, so no nonce repeats. The sender, alone
 * with its key, starts at 1 with a zero prefix; receivers, who share a key,
 * each start at a random prefix and counter.
 */
export class NonceSequence {
  #prefix: Uint8Array;
  #counter: number;

  /** A sequence from `counter` with `prefix` ({@linkcode NONCE_PREFIX_SIZE} bytes). */
  constructor(prefix: Uint8Array = new Uint8Array(NONCE_PREFIX_SIZE), counter = 1) {
    if (prefix.length !== NONCE_PREFIX_SIZE) {
      throw new RangeError(`A nonce prefix is ${NONCE_PREFIX_SIZE} bytes`);
    }
    this.#prefix = prefix.slice();
    this.#counter = counter;
  }

  /** A sequence with a random prefix and a random start. */
  static random(): NonceSequence {
    const [high, low] = crypto.getRandomValues(new Uint32Array(2));
    const start = ((high & 0xffff) * 2 ** 32 + low) % RANDOM_START_LIMIT;
    return new NonceSequence(crypto.getRandomValues(new Uint8Array(NONCE_PREFIX_SIZE)), start);
  }

  /** The next nonce. */
  next(): Uint8Array {
    const nonce = new Uint8Array(NONCE_SIZE);
    nonce.set(this.#prefix);
    const view = new DataView(nonce.buffer);
    const counter = this.#counter++;
    view.setUint32(NONCE_PREFIX_SIZE, Math.floor(counter / 2 ** 32));
    view.setUint32(NONCE_PREFIX_SIZE + 4, counter >>> 0);
    return nonce;
  }
}
