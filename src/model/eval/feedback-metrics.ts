/**
 * The feedback-loop signals (docs/fairness.md, "Feedback loops, live"), pure: exposure counts per
 * catalogue title in, coverage, concentration and popularity reinforcement out; two rating
 * histograms in, rating skew out. The live monitor (src/serving/live-signals.ts) feeds them from the
 * Redis boards; the simulator and tests feed them directly.
 */
import { gini } from './ranking-metrics.ts';

export { gini };

/** Share of the catalogue's `n` titles with any exposure (`counts` holds only the catalogue's titles). */
export function coverage(counts: ArrayLike<number>, n: number): number {
  if (n <= 0) return 0;
  let served = 0;
  for (let i = 0; i < counts.length; i++) if ((counts[i] as number) > 0) served++;
  return served / n;
}

/**
 * Share of all exposure on the `share` most exposed titles of a catalogue of `n` (the head: the top
 * ceil(share·n), at least one); 0 without exposure.
 */
export function headExposureShare(counts: ArrayLike<number>, n: number, share = 0.01): number {
  const sorted = Float64Array.from(counts).sort().reverse();
  const head = Math.max(1, Math.ceil(share * n));
  let total = 0;
  let top = 0;
  for (let i = 0; i < sorted.length; i++) {
    total += sorted[i] as number;
    if (i < head) top += sorted[i] as number;
  }
  return total === 0 ? 0 : top / total;
}

/** Share of all exposure on the titles `mask` marks (e.g. the popularity cap's head); 0 without exposure. */
export function maskedExposureShare(counts: ArrayLike<number>, mask: ArrayLike<number>): number {
  let total = 0;
  let masked = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    total += c;
    if (mask[i] === 1) masked += c;
  }
  return total === 0 ? 0 : masked / total;
}

/**
 * Average recommended popularity (ARP): the exposure-weighted mean of the titles' popularity, i.e.
 * the mean popularity of a recommended slot; 0 without exposure.
 */
export function averageRecommendedPopularity(
  counts: ArrayLike<number>,
  popularity: ArrayLike<number>,
): number {
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    total += c;
    weighted += c * (popularity[i] as number);
  }
  return total === 0 ? 0 : weighted / total;
}

/** Ratings per star, index 0 = 1 star … 4 = 5 stars. */
export type StarCounts = readonly [number, number, number, number, number];

/** Rating skew: served versus organic ratings. */
export interface RatingSkew {
  readonly served: { readonly n: number; readonly mean: number };
  readonly organic: { readonly n: number; readonly mean: number };
  /** Mean served − mean organic, stars (NaN unless both have ratings). */
  readonly meanGap: number;
  /**
   * Wasserstein-1 (earth mover's) distance between the two rating distributions, stars:
   * Σ_k |F_served(k) − F_organic(k)| over k = 1..4 (NaN unless both have ratings).
   */
  readonly wasserstein: number;
}

function meanOf(counts: StarCounts): { n: number; mean: number } {
  let n = 0;
  let sum = 0;
  counts.forEach((c, j) => {
    n += c;
    sum += c * (j + 1);
  });
  return { n, mean: n === 0 ? NaN : sum / n };
}

/** Compares the ratings of titles rated after being served with organic ones. */
export function ratingSkew(served: StarCounts, organic: StarCounts): RatingSkew {
  const s = meanOf(served);
  const o = meanOf(organic);
  let wasserstein = NaN;
  if (s.n > 0 && o.n > 0) {
    wasserstein = 0;
    let fs = 0;
    let fo = 0;
    for (let k = 0; k < 4; k++) {
      fs += served[k] as number;
      fo += organic[k] as number;
      wasserstein += Math.abs(fs / s.n - fo / o.n);
    }
  }
  return { served: s, organic: o, meanGap: s.mean - o.mean, wasserstein };
}
