/**
 * Seeded random inputs for property tests: the same seed gives the same
 * inputs on every machine, so a failure names its seed and can be run again.
 *
 * @module
 */
import { seededRandom } from "../scripts/impair/seeded_random.ts";

/** Numbers, bytes and choices drawn from one seeded sequence. */
export class Random {
  /** The seed the sequence started from, for failure messages. */
  readonly seed: number;
  #next: () => number;

  /** Starts the sequence of `seed`. */
  constructor(seed: number) {
    this.seed = seed;
    this.#next = seededRandom(seed);
  }

  /** A number in [0, 1). */
  float(): number {
    return this.#next();
  }

  /** An integer from `min` to `max`, both included; at most 2^32 values apart. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }

  /** An integer from 1 to `max`, as likely to be small as large on a log scale. */
  logInt(max: number): number {
    return Math.min(max, Math.floor(Math.exp(this.#next() * Math.log(max + 1))));
  }

  /** A uint32. */
  uint32(): number {
    return Math.floor(this.#next() * 0x1_0000_0000);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)];
  }

  /** `length` random bytes. */
  bytes(length: number): Uint8Array<ArrayBuffer> {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      let word = this.uint32();
      for (let j = i; j < i + 4 && j < length; j++, word >>>= 8) bytes[j] = word & 0xff;
    }
    return bytes;
  }

  /** A float64 from 64 random bits: any value, NaN, infinities and -0 included. */
  float64(): number {
    return new DataView(this.bytes(8).buffer).getFloat64(0);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns them. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.#next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
