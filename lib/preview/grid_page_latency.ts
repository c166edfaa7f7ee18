/**
 * The grid page's record of one camera's latency to the screen: the samples
 * of the last 10 s for the tile's percentiles, and those not yet reported to
 * the receiver. Plain code with the clock given, so the tests call it
 * directly.
 *
 * @module
 */

/** How far back the tile's percentiles reach, in ms. */
export const WINDOW_MS = 10_000;
/** The most samples of one camera a report carries: the newest. */
export const REPORT_MAX = 120;
/**
 * The longest latency taken as a sample, in ms; a negative one is not taken
 * either. Beyond these it says a clock is wrong, not how late a frame is, and
 * the receiver drops such a sample from a report (`screen_latency.ts`).
 */
export const MAX_SAMPLE_MS = 60_000;

/** Percentiles of the latency to the screen, in ms, and how many samples they are of. */
export interface LatencySummary {
  p50?: number;
  p99?: number;
  samples: number;
}

/** One camera's latency samples, capture to paint, in ms. */
export class LatencyWindow {
  #samples: Array<{ at: number; ms: number }> = [];
  #unreported: number[] = [];

  /**
   * Adds a sample measured at `at` (any clock that only goes forward, in ms),
   * unless it is out of 0 to {@linkcode MAX_SAMPLE_MS}.
   */
  add(ms: number, at: number): void {
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_SAMPLE_MS) return;
    this.#samples.push({ at, ms });
    this.#unreported.push(ms);
    if (this.#unreported.length > REPORT_MAX) this.#unreported.shift();
    this.#forget(at);
  }

  /** The p50 and p99 of the samples of the last {@linkcode WINDOW_MS} before `now`. */
  summary(now: number): LatencySummary {
    this.#forget(now);
    const sorted = this.#samples.map((s) => s.ms).sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), samples: sorted.length };
  }

  /** The samples since the last call, at most {@linkcode REPORT_MAX} (the newest), oldest first. */
  takeUnreported(): number[] {
    const taken = this.#unreported;
    this.#unreported = [];
    return taken;
  }

  #forget(now: number): void {
    let old = 0;
    while (old < this.#samples.length && this.#samples[old].at < now - WINDOW_MS) old++;
    if (old > 0) this.#samples.splice(0, old);
  }
}

/** The nearest-rank percentile `p` (0 to 1) of sorted values, or undefined of none. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
