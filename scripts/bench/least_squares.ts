/** A point of a series: `y` at `x`. */
export interface Point {
  x: number;
  y: number;
}

/**
 * The slope of the least-squares line through `points`: how much `y` grows
 * per unit of `x`. NaN for fewer than two distinct `x`.
 */
export function leastSquaresSlope(points: readonly Point[]): number {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const { x, y } of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? NaN : covariance / variance;
}
