/**
 * Upper bounds, in ms, suited to a video link from a LAN (a few ms) to the
 * Internet (hundreds of ms), up to the longest wait a receiver allows a frame.
 */
export const DEFAULT_LATENCY_BOUNDS_MS: readonly number[] = [
  2,
  5,
  10,
  20,
  35,
  50,
  75,
  100,
  150,
  250,
  400,
  600,
  1000,
  2500,
];

/** Options for a {@linkcode LatencyHistogram}. */
export interface LatencyHistogramOptions {
  /**
   * The buckets' upper bounds in ms, ascending, finite and above 0; a last
   * bucket without bound holds the rest.
   * @default {DEFAULT_LATENCY_BOUNDS_MS}
   */
  boundsMs?: readonly number[];
}

/** One bucket of a {@linkcode LatencyHistogramSnapshot}. */
export interface LatencyBucket {
  /** The bucket's upper bound in ms, inclusive; `Infinity` for the last. */
  leMs: number;
  /** Samples at or below {@linkcode leMs}: the counts are cumulative. */
  count: number;
}

/** A {@linkcode LatencyHistogram}'s totals at one moment. */
export interface LatencyHistogramSnapshot {
  /** Cumulative buckets by ascending bound, the last one's bound `Infinity`. */
  buckets: LatencyBucket[];
  /** How many samples, the last bucket's count. */
  count: number;
  /** All samples added together, in ms. */
  sumMs: number;
}

/**
 * Latency samples counted in fixed buckets over the histogram's whole life,
 * as a Prometheus histogram exposes them: memory is fixed and every total
 * only grows. A negative sample, which a clock offset error can give, counts
 * as 0, so that the sum never falls; a sample that is not a finite number is
 * ignored.
 */
export class LatencyHistogram {
  #boundsMs: readonly number[];
  #counts: Float64Array;
  #sumMs = 0;

  /** Creates an empty histogram. */
  constructor(options: LatencyHistogramOptions = {}) {
    const boundsMs = options.boundsMs ?? DEFAULT_LATENCY_BOUNDS_MS;
    boundsMs.forEach((bound, i) => {
      if (!Number.isFinite(bound) || bound <= 0) {
        throw new RangeError(`Bucket bound ${bound} is not a finite number above 0`);
      }
      if (i > 0 && bound <= boundsMs[i - 1]) {
        throw new RangeError(`Bucket bounds are not ascending: ${boundsMs[i - 1]}, ${bound}`);
      }
    });
    this.#boundsMs = [...boundsMs];
    this.#counts = new Float64Array(boundsMs.length + 1);
  }

  /** Counts one sample, in ms. */
  observe(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const value = Math.max(0, ms);
    let i = 0;
    while (i < this.#boundsMs.length && value > this.#boundsMs[i]) i++;
    this.#counts[i]++;
    this.#sumMs += value;
  }

  /** The totals now, as cumulative buckets. */
  snapshot(): LatencyHistogramSnapshot {
    let running = 0;
    const buckets = [...this.#counts].map((count, i) => {
      running += count;
      return { leMs: this.#boundsMs[i] ?? Infinity, count: running };
    });
    return { buckets, count: running, sumMs: this.#sumMs };
  }
}
