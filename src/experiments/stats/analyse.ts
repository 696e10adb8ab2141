import { sequentialLook, type SequentialLook } from './sequential.ts';
import { ratioEstimate, userMeanMoments, type UnitSums } from './units.ts';
import { welch, zTest, type Comparison, type Moments } from './welch.ts';

/** How a metric is tested. */
export interface TestSettings {
  readonly alpha: number;
  /** The sequential test's N*: total users expected at decision time, fixed per experiment. */
  readonly tuning: number;
}

/** One arm's view of a ratio metric. */
export interface ArmMetric {
  readonly users: number;
  /** Σ denominators (ratings, or served lists). */
  readonly count: number;
  /** Σnum/Σden (the rating-weighted MSE, or the share of lists) and its delta-method SE. */
  readonly ratio: number;
  readonly ratioSe: number;
  /** Mean and SD of the per-user means. */
  readonly userMean: number;
  readonly userSd: number;
}

/** A metric compared between arm A (control) and arm B; differences are B − A. */
export interface MetricAnalysis {
  readonly arms: readonly [ArmMetric, ArmMetric];
  /** Welch's t test on per-user means: valid only at a sample size fixed in advance. */
  readonly perUser: Comparison;
  /** The rating-weighted ratio, z test with the delta-method SE over users. */
  readonly ratio: Comparison;
  /** The always-valid test of the per-user difference: may be read at every look. */
  readonly sequential: SequentialLook;
}

function arm(s: UnitSums): ArmMetric {
  const m = userMeanMoments(s);
  const r = ratioEstimate(s);
  return {
    users: s.k,
    count: s.den,
    ratio: r.estimate,
    ratioSe: Math.sqrt(r.variance),
    userMean: m.mean,
    userSd: Math.sqrt(m.variance),
  };
}

/** Compares a ratio metric of two arms with the user as the unit. */
export function analyseMetric(a: UnitSums, b: UnitSums, settings: TestSettings): MetricAnalysis {
  const perUser = welch(userMeanMoments(a), userMeanMoments(b), settings.alpha);
  const ra = ratioEstimate(a);
  const rb = ratioEstimate(b);
  const ratio = zTest(rb.estimate - ra.estimate, Math.sqrt(ra.variance + rb.variance), settings.alpha);
  return {
    arms: [arm(a), arm(b)],
    perUser,
    ratio,
    sequential: sequentialLook(perUser.diff, perUser.se, a.k + b.k, settings.alpha, settings.tuning),
  };
}

/** Per-rating sums of squared errors: count, Σe², Σe⁴. */
export interface RatingSums {
  readonly n: number;
  readonly se: number;
  readonly se2: number;
}

/** Moments of per-rating squared errors from their sums. */
export function ratingMoments(s: RatingSums): Moments {
  const mean = s.n === 0 ? NaN : s.se / s.n;
  return { n: s.n, mean, variance: s.n < 2 ? NaN : Math.max(0, (s.se2 - s.n * mean * mean) / (s.n - 1)) };
}

/**
 * The seed's test, kept to show why it misleads: Welch on every rating's squared error as if the
 * ratings were independent. They are not (a user's ratings share the user), so its SE is too small.
 */
export function perRatingTest(a: RatingSums, b: RatingSums, alpha: number): Comparison {
  return welch(ratingMoments(a), ratingMoments(b), alpha);
}

/** What the report concludes from the primary metric. */
export type Verdict = 'continue' | 'a-better' | 'b-better' | 'srm';

/**
 * The decision of one look: an SRM blocks any verdict; else the arm whose metric is better once the
 * always-valid p (its running minimum over looks) is below α; `continue` otherwise.
 */
export function verdictOf(
  look: SequentialLook,
  diff: number,
  runningMinP: number,
  alpha: number,
  lowerIsBetter: boolean,
  srmFlagged: boolean,
): Verdict {
  if (srmFlagged) return 'srm';
  if (!(Math.min(runningMinP, look.p) < alpha) || !Number.isFinite(diff) || diff === 0) return 'continue';
  return diff < 0 === lowerIsBetter ? 'b-better' : 'a-better';
}
