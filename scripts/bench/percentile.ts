import { nearestRank } from "../../lib/metrics/nearest_rank.ts";

/** The `p`-th percentile (0-100) of ascending `sorted` values by nearest rank; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return nearestRank(sorted, p) ?? NaN;
}
