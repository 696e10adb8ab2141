import type { Moments } from './welch.ts';

/**
 * Per-unit (per-user) sums of a ratio metric: each user contributes a numerator and a denominator,
 * e.g. their sum of squared errors and their rating count, or their served lists that led to a watch
 * and their served lists. The user is the unit because one user's ratings are not independent.
 */
export interface UnitSums {
  /** Users with a denominator > 0. */
  readonly k: number;
  readonly num: number;
  readonly num2: number;
  readonly den: number;
  readonly den2: number;
  readonly numDen: number;
  /** Σ and Σ² of each user's own mean num/den, for the user-averaged metric. */
  readonly mean: number;
  readonly mean2: number;
}

/** Empty sums. */
export const NO_UNITS: UnitSums = { k: 0, num: 0, num2: 0, den: 0, den2: 0, numDen: 0, mean: 0, mean2: 0 };

/** Adds one user's (numerator, denominator); users with no denominator are skipped. */
export function addUnit(s: UnitSums, num: number, den: number): UnitSums {
  if (!(den > 0)) return s;
  const m = num / den;
  return {
    k: s.k + 1,
    num: s.num + num,
    num2: s.num2 + num * num,
    den: s.den + den,
    den2: s.den2 + den * den,
    numDen: s.numDen + num * den,
    mean: s.mean + m,
    mean2: s.mean2 + m * m,
  };
}

/** Sums of many users' (numerator, denominator) pairs. */
export function unitSumsOf(units: Iterable<readonly [num: number, den: number]>): UnitSums {
  let s = NO_UNITS;
  for (const [num, den] of units) s = addUnit(s, num, den);
  return s;
}

/** Moments of the per-user means (each user counts once, however many ratings they gave). */
export function userMeanMoments(s: UnitSums): Moments {
  if (s.k === 0) return { n: 0, mean: NaN, variance: NaN };
  const mean = s.mean / s.k;
  const variance = s.k < 2 ? NaN : Math.max(0, (s.mean2 - s.k * mean * mean) / (s.k - 1));
  return { n: s.k, mean, variance };
}

/** A ratio estimate Σnum/Σden with its delta-method variance over users. */
export interface RatioEstimate {
  readonly estimate: number;
  readonly variance: number;
}

/**
 * Σnum/Σden with the delta-method variance (Deng, Knoblich, Lu 2018; GrowthBook `variance_of_ratios`):
 * Var ≈ (1/K)·[σ²_S/μ_n² + σ²_n·μ_S²/μ_n⁴ − 2σ_Sn·μ_S/μ_n³], moments across users.
 */
export function ratioEstimate(s: UnitSums): RatioEstimate {
  if (s.k === 0 || s.den === 0) return { estimate: NaN, variance: NaN };
  const k = s.k;
  const muS = s.num / k;
  const muN = s.den / k;
  if (k < 2) return { estimate: s.num / s.den, variance: NaN };
  const varS = (s.num2 - k * muS * muS) / (k - 1);
  const varN = (s.den2 - k * muN * muN) / (k - 1);
  const cov = (s.numDen - k * muS * muN) / (k - 1);
  const variance = (varS / muN ** 2 + (varN * muS ** 2) / muN ** 4 - (2 * cov * muS) / muN ** 3) / k;
  return { estimate: s.num / s.den, variance: Math.max(0, variance) };
}
