/**
 * Hostile datagrams for fuzzing: random bytes, and real datagrams truncated,
 * flipped, overwritten with huge counts and offsets, given the wrong session,
 * replayed as they were, or sealed with the wrong key.
 *
 * @module
 */
import { NONCE_SIZE, sealDatagram } from "../lib/datagram_seal.ts";
import { NonceSequence } from "../lib/nonce_sequence.ts";
import { HEADER_SIZE, SEALED_BIT } from "../lib/packet.ts";
import { SessionCipher } from "../lib/session_cipher.ts";
import type { Random } from "./_random.ts";

/** The kinds of mutation, each chosen about as often. */
export const MUTATIONS = [
  "random",
  "truncated",
  "flipped",
  "huge",
  "session",
  "type",
  "replay",
  "wrongKey",
  "unsealed",
] as const;

/** One of {@linkcode MUTATIONS}. */
export type Mutation = typeof MUTATIONS[number];

const HUGE = [0, 1, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0xffffffff];

/** Makes hostile datagrams from samples of real ones. */
export class Mutator {
  #random: Random;
  #wrongKey = new SessionCipher({
    sendKey: crypto.getRandomValues(new Uint8Array(16)),
    receiveKey: crypto.getRandomValues(new Uint8Array(16)),
    nonces: NonceSequence.random(),
  });
  #wrongHelloKey = crypto.getRandomValues(new Uint8Array(16));

  /** A mutator drawing from `random`. */
  constructor(random: Random) {
    this.#random = random;
  }

  /** One hostile datagram from `samples` (real datagrams; may be empty), and how it was made. */
  next(samples: readonly Uint8Array[]): [Mutation, Uint8Array] {
    const r = this.#random;
    const kind = samples.length === 0 ? "random" : r.pick(MUTATIONS);
    const real = samples.length === 0 ? new Uint8Array(0) : r.pick(samples);
    switch (kind) {
      case "random":
        return [kind, r.bytes(r.int(0, 1500))];
      case "truncated":
        return [kind, real.slice(0, r.int(0, Math.max(0, real.length - 1)))];
      case "flipped": {
        const bytes = real.slice();
        for (let i = r.int(1, 8); i > 0 && bytes.length > 0; i--) {
          bytes[r.int(0, bytes.length - 1)] ^= 1 << r.int(0, 7);
        }
        return [kind, bytes];
      }
      case "huge": {
        // Counts, lengths, indexes and offsets: every field after the header.
        const bytes = real.slice();
        const view = new DataView(bytes.buffer);
        for (let i = r.int(1, 4); i > 0 && bytes.length >= HEADER_SIZE + 4; i--) {
          const at = r.int(HEADER_SIZE, bytes.length - 4);
          if (r.chance(0.5)) view.setUint32(at, r.pick(HUGE));
          else view.setUint16(at, r.pick(HUGE) & 0xffff);
        }
        return [kind, bytes];
      }
      case "session": {
        const bytes = real.slice();
        if (bytes.length >= HEADER_SIZE) new DataView(bytes.buffer).setUint32(4, r.uint32());
        return [kind, bytes];
      }
      case "type": {
        const bytes = real.slice();
        if (bytes.length > 3) bytes[3] = r.int(0, 255);
        return [kind, bytes];
      }
      case "replay":
        return [kind, real];
      case "wrongKey": {
        const plain = real.slice();
        if (plain.length >= HEADER_SIZE) plain[3] &= ~SEALED_BIT;
        if (plain.length < HEADER_SIZE) return [kind, plain];
        return [
          kind,
          r.chance(0.3)
            ? sealDatagram(
              plain,
              this.#wrongHelloKey,
              crypto.getRandomValues(new Uint8Array(NONCE_SIZE)),
            )
            : this.#wrongKey.seal(plain),
        ];
      }
      case "unsealed": {
        const bytes = real.slice();
        if (bytes.length >= HEADER_SIZE) bytes[3] &= ~SEALED_BIT;
        return [kind, bytes];
      }
    }
  }
}
