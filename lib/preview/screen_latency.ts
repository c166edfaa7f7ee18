import { LatencyHistogram, type LatencyHistogramSnapshot } from "../metrics/latency_histogram.ts";
import { nearestRank } from "../metrics/nearest_rank.ts";

/** What `/stats` says of a camera's latency to the screen, as pages report it. */
export interface ScreenLatencyStats {
  /** The median over the last {@linkcode SCREEN_LATENCY_WINDOW_MS}, in ms. */
  p50: number | undefined;
  /** The 99th percentile over the same time, in ms. */
  p99: number | undefined;
  /** How many samples that time holds. */
  samples: number;
}

/** How long a reported sample counts toward the percentiles, in ms. */
export const SCREEN_LATENCY_WINDOW_MS = 10_000;
/** The most samples one camera keeps for its percentiles: a bound whatever pages report. */
const MAX_KEPT = 4096;
/** The largest sample taken, in ms: anything longer is not a frame on a screen. */
const MAX_SAMPLE_MS = 60_000;

/**
 * One camera's latency to the screen: capture on the sender to the frame
 * painted in a viewer's page, as the pages measure and report it
 * (`POST /screen-latency`). The percentiles are over the samples of the last
 * {@linkcode SCREEN_LATENCY_WINDOW_MS}, at most 4,096 of them, so memory
 * is bounded whatever is reported; the histogram counts every sample taken.
 */
export class ScreenLatency {
  #samples: Array<{ at: number; ms: number }> = [];
  #histogram = new LatencyHistogram();
  #now: () => number;

  /** A meter with no sample; `now` is a monotonic clock in ms. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /**
   * Takes the samples of one report, in ms; those that are not a number
   * from 0 to 60,000 are left out. How many were taken.
   */
  add(samples: readonly number[]): number {
    const at = this.#now();
    let taken = 0;
    for (const ms of samples) {
      if (!Number.isFinite(ms) || ms < 0 || ms > MAX_SAMPLE_MS) continue;
      this.#samples.push({ at, ms });
      this.#histogram.observe(ms);
      taken++;
    }
    if (this.#samples.length > MAX_KEPT) this.#samples.splice(0, this.#samples.length - MAX_KEPT);
    return taken;
  }

  /** The percentiles over the last {@linkcode SCREEN_LATENCY_WINDOW_MS}. */
  get stats(): ScreenLatencyStats {
    const since = this.#now() - SCREEN_LATENCY_WINDOW_MS;
    const first = this.#samples.findIndex((sample) => sample.at >= since);
    this.#samples.splice(0, first === -1 ? this.#samples.length : first);
    const sorted = this.#samples.map((sample) => sample.ms).sort((a, b) => a - b);
    return { p50: nearestRank(sorted, 50), p99: nearestRank(sorted, 99), samples: sorted.length };
  }

  /** Every sample taken since the start, in fixed buckets. */
  get histogram(): LatencyHistogramSnapshot {
    return this.#histogram.snapshot();
  }
}

/** The most samples one report may carry for one camera. */
export const MAX_REPORT_SAMPLES = 256;

/**
 * The samples of `POST /screen-latency?camera=A&ms=41.2,39.8&camera=B&ms=...`
 * by camera, pairs in order; `undefined` for a report that is not of that form
 * or carries more than {@linkcode MAX_REPORT_SAMPLES} for a camera.
 */
export function parseScreenLatencyReport(url: URL): Map<string, number[]> | undefined {
  const cameras = url.searchParams.getAll("camera");
  const values = url.searchParams.getAll("ms");
  if (cameras.length !== values.length || cameras.length === 0) return undefined;
  const report = new Map<string, number[]>();
  for (let i = 0; i < cameras.length; i++) {
    const samples = values[i] === "" ? [] : values[i].split(",").map(Number);
    const all = [...(report.get(cameras[i]) ?? []), ...samples];
    // For a camera, whatever the number of pairs naming it.
    if (all.length > MAX_REPORT_SAMPLES) return undefined;
    report.set(cameras[i], all);
  }
  return report;
}
