/** A figure of several cameras or processes: the mean and the lowest. */
export interface Spread {
  mean: number;
  min: number;
}

/** The mean and the lowest of `values`; NaN of none. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { mean: NaN, min: NaN };
  return {
    mean: values.reduce((sum, value) => sum + value, 0) / values.length,
    min: Math.min(...values),
  };
}
