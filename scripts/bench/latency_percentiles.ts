import { percentile } from "./percentile.ts";

/** The p50 and p99 of some latencies, ms (null of none), and how many there were. */
export interface Percentiles {
  p50: number | null;
  p99: number | null;
  samples: number;
}

/** The p50 and p99 of `values` by nearest rank. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => (sorted.length === 0 ? null : percentile(sorted, p));
  return { p50: rank(50), p99: rank(99), samples: sorted.length };
}

/**
 * Several cameras' percentiles as one: the median of their p50s and the
 * worst of their p99s, over the cameras that have samples.
 */
export function acrossCameras(
  cameras: ReadonlyArray<{ p50?: number | null; p99?: number | null; samples: number }>,
): Percentiles {
  const measured = cameras.filter((camera) =>
    camera.samples > 0 && typeof camera.p50 === "number" && typeof camera.p99 === "number"
  );
  return {
    p50: measured.length === 0 ? null : median(measured.map((camera) => camera.p50!)),
    p99: measured.length === 0 ? null : Math.max(...measured.map((camera) => camera.p99!)),
    samples: cameras.reduce((sum, camera) => sum + camera.samples, 0),
  };
}

/** The median of `values`: the middle one, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
