/**
 * The always-valid sequential test: GrowthBook's `SequentialTwoSidedTTest`, the asymptotic confidence
 * sequence of Waudby-Smith et al. 2023 (arXiv 2103.06476v7, eq. 9 half-width, eq. 155 p-value,
 * eq. 161 ρ). Its p-value is 1/Λ of the normal-mixture mSPRT (Johari, Pekelis, Walsh 2022) with
 * τ² = ρ²·s², so one implementation is both. Reading it after every batch does not inflate the
 * false-positive rate, unlike a fixed-horizon test read repeatedly.
 */

/** ρ of the mixture for a tuning sample size N* (the total units expected at decision time). */
export function sequentialRho(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuning);
}

/** The sequential test of one look: the always-valid p and confidence sequence of the difference. */
export interface SequentialLook {
  readonly p: number;
  readonly ci: readonly [number, number];
}

/**
 * One look at a difference `diff` with standard error `se` over `n` units in both arms together.
 * The per-unit variance is s² = se²·n (GrowthBook's convention). The e-value is computed in log space
 * (PostHog does the same) so it cannot overflow.
 */
export function sequentialLook(
  diff: number,
  se: number,
  n: number,
  alpha: number,
  tuning: number,
): SequentialLook {
  if (!(se > 0) || !(n > 0)) return { p: NaN, ci: [NaN, NaN] };
  const rho = sequentialRho(alpha, tuning);
  const s2 = se * se * n;
  const tr2p1 = n * rho * rho + 1;
  const half = Math.sqrt(s2) * Math.sqrt((2 * tr2p1 * Math.log(Math.sqrt(tr2p1) / alpha)) / (n * rho) ** 2);
  // eq. 155: st² = Δ²·n / s² · n = (Δ/se)²·n … written out: log e = ρ²·n·(Δ/se)² / (2(nρ² + 1)) − ½ log(nρ² + 1).
  const logE = (rho * rho * n * (diff / se) ** 2) / (2 * tr2p1) - 0.5 * Math.log(tr2p1);
  return { p: Math.min(1, Math.exp(-logE)), ci: [diff - half, diff + half] };
}
