/**
 * Per-point statistics of a metric: sample mean, sample standard deviation
 * (n - 1), Student's t 95 % confidence interval of the mean
 * (mean ± t(0.975, n - 1) · sd / √n, the quantile from
 * `@stdlib/stats-base-dists-t-quantile`), minimum, median and maximum.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Summary of one metric at one point. With n = 1, `sd` and `ci95` are null; with n = 0 every figure is null. */
export interface MetricSummary {
  /** Runs where the metric applied (null values are left out). */
  readonly n: number;
  readonly mean: number | null;
  readonly sd: number | null;
  readonly ci95: [number, number] | null;
  readonly min: number | null;
  readonly median: number | null;
  readonly max: number | null;
}

/** Rounds to 12 significant digits so summaries print without float noise. */
function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** Summarises values (in any order; the result does not depend on it). O(n log n). */
export function summarise(values: readonly number[]): MetricSummary {
  const xs = [...values].sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, ci95: null, min: null, median: null, max: null };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 ? xs[(n - 1) / 2]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
  if (n === 1) return { n, mean: tidy(mean), sd: null, ci95: null, min: xs[0]!, median: tidy(median), max: xs[0]! };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const half = tQuantile(0.975, n - 1) * sd / Math.sqrt(n);
  return { n, mean: tidy(mean), sd: tidy(sd), ci95: [tidy(mean - half), tidy(mean + half)], min: xs[0]!, median: tidy(median), max: xs[n - 1]! };
}
