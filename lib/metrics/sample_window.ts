import { nearestRank } from "./nearest_rank.ts";

/**
 * The last `size` numeric samples, for percentiles such as latency p50 and p99.
 * Memory is fixed; reading a percentile sorts a copy.
 */
export class SampleWindow {
  #samples: Float64Array;
  #count = 0;
  #next = 0;

  /** Creates a window of `size` samples (@default 1024). */
  constructor(size = 1024) {
    this.#samples = new Float64Array(size);
  }

  /** How many samples the window holds now. */
  get count(): number {
    return this.#count;
  }

  /** Adds one sample, replacing the oldest when full. */
  add(value: number): void {
    this.#samples[this.#next] = value;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#count < this.#samples.length) this.#count++;
  }

  /** The `p`-th percentile (0-100) by nearest rank, or undefined when empty. */
  percentile(p: number): number | undefined {
    return nearestRank(this.#samples.slice(0, this.#count).sort(), p);
  }

  /** Forgets every sample. */
  clear(): void {
    this.#count = 0;
    this.#next = 0;
  }
}
