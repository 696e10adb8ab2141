import jstat from 'jstat';

const { jStat } = jstat;

/** A sample summarised: count, mean and variance (ddof 1). */
export interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

/** A two-sample comparison of B against A: the difference, its SE, the test and the CI. */
export interface Comparison {
  /** mean_B − mean_A. */
  readonly diff: number;
  readonly se: number;
  readonly t: number;
  /** Degrees of freedom (Welch–Satterthwaite; Infinity for a z test). */
  readonly df: number;
  /** Two-sided p-value; NaN when either side has fewer than 2 units. */
  readonly p: number;
  readonly ci: readonly [number, number];
}

/** Moments of plain numbers (Welford's update, so long sums of squares do not cancel). */
export function momentsOf(values: Iterable<number>): Moments {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const x of values) {
    n++;
    const d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  return { n, mean: n === 0 ? NaN : mean, variance: n < 2 ? NaN : m2 / (n - 1) };
}

/**
 * Two-sided p of a t statistic with ν degrees of freedom, as 2·F(−|t|): the tail is computed
 * directly, never as 1 − F(|t|), which rounds to 0 far from the centre (t = 12 at ν = 30,000).
 */
export function tTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t) || !(df > 0)) return NaN;
  return df === Infinity
    ? 2 * jStat.normal.cdf(-Math.abs(t), 0, 1)
    : 2 * jStat.studentt.cdf(-Math.abs(t), df);
}

/** The (1 − α/2) quantile of Student's t (the normal's when ν is infinite). */
export function tQuantile(alpha: number, df: number): number {
  return df === Infinity ? jStat.normal.inv(1 - alpha / 2, 0, 1) : jStat.studentt.inv(1 - alpha / 2, df);
}

/**
 * Welch's two-sample t test of B against A, with the Welch–Satterthwaite degrees of freedom and the
 * (1 − α) confidence interval of mean_B − mean_A (GrowthBook's `TTest`, PostHog's
 * `calculate_welch_satterthwaite_df`). Fewer than 2 units on a side: p and the CI are NaN.
 */
export function welch(a: Moments, b: Moments, alpha = 0.05): Comparison {
  const diff = b.mean - a.mean;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  if (a.n < 2 || b.n < 2 || !(se > 0)) return { diff, se, t: NaN, df: NaN, p: NaN, ci: [NaN, NaN] };
  const t = diff / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const half = tQuantile(alpha, df) * se;
  return { diff, se, t, df, p: tTwoSided(t, df), ci: [diff - half, diff + half] };
}

/** A z test of a difference with a known (delta-method) standard error. */
export function zTest(diff: number, se: number, alpha = 0.05): Comparison {
  if (!(se > 0)) return { diff, se, t: NaN, df: Infinity, p: NaN, ci: [NaN, NaN] };
  const half = tQuantile(alpha, Infinity) * se;
  return {
    diff,
    se,
    t: diff / se,
    df: Infinity,
    p: tTwoSided(diff / se, Infinity),
    ci: [diff - half, diff + half],
  };
}
