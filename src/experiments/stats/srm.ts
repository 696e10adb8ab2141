import jstat from 'jstat';

const { jStat } = jstat;

/** GrowthBook's and Eppo's threshold: an SRM is flagged only below p = 0.001 (false alarms are costly). */
export const SRM_THRESHOLD = 0.001;
/** Fewest units per arm before the check says anything (GrowthBook's minimum count per variation). */
export const SRM_MIN_PER_ARM = 8;

/** The sample-ratio-mismatch check of one look. */
export interface SrmCheck {
  readonly chi2: number;
  readonly p: number;
  /** Expected units per arm under the configured weights. */
  readonly expected: readonly number[];
  readonly flagged: boolean;
  /** False while some arm has fewer than SRM_MIN_PER_ARM units (then never flagged). */
  readonly enough: boolean;
}

/**
 * Pearson's χ² goodness of fit of the units counted per arm against the configured weights, k − 1
 * degrees of freedom (GrowthBook `check_srm`); arms of weight 0 are left out. Count distinct users
 * exposed, not ratings: ratings per arm are an outcome a better model may change.
 */
export function srmCheck(counts: readonly number[], weights: readonly number[]): SrmCheck {
  const kept = counts.map((c, k) => ({ c, w: weights[k] ?? 0 })).filter((x) => x.w > 0);
  const total = kept.reduce((s, x) => s + x.c, 0);
  const weightSum = kept.reduce((s, x) => s + x.w, 0);
  const expected = counts.map((_, k) => ((weights[k] ?? 0) / weightSum) * total);
  let chi2 = 0;
  for (const { c, w } of kept) {
    const e = (w / weightSum) * total;
    if (e > 0) chi2 += (c - e) ** 2 / e;
  }
  const df = kept.length - 1;
  // One degree of freedom: p = erfc(√(χ²/2)) keeps its precision in the far tail, where 1 − CDF would be 0.
  const p =
    total === 0 || df < 1
      ? 1
      : df === 1
        ? jStat.erfc(Math.sqrt(chi2 / 2))
        : 1 - jStat.chisquare.cdf(chi2, df);
  const enough = kept.length >= 2 && kept.every((x) => x.c >= SRM_MIN_PER_ARM);
  return { chi2, p, expected, flagged: enough && p < SRM_THRESHOLD, enough };
}
