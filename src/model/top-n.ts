import type { TopHeap } from './heap.ts';
import type { Predictor } from './ratings/rating-set.ts';
import { SvdModel } from './algorithms/svd-model.ts';

/**
 * Fills `out` with every item's unclipped biased-MF score for one user vector: μ + b_u + b_i + p·q_i.
 * The plain TypeScript kernel the API uses and a later WebAssembly one is tested against. Items the
 * model never trained (`itemCounts` 0) score -Infinity, so they are never recommended on noise.
 */
export function scoreAllItems(
  model: SvdModel,
  userVector: Float32Array,
  userOffset: number,
  userBias: number,
  out: Float32Array,
): void {
  const { factors: k, itemFactors: q, itemBias, itemCounts, mu } = model.data;
  const base = mu + userBias;
  for (let i = 0, o = 0; i < model.nItems; i++, o += k) {
    if ((itemCounts[i] as number) === 0) {
      out[i] = -Infinity;
      continue;
    }
    let s = 0;
    for (let f = 0; f < k; f++) s += (q[o + f] as number) * (userVector[userOffset + f] as number);
    out[i] = base + (itemBias[i] as number) + s;
  }
}

/**
 * Scores every item for a dense user index. An SvdModel uses the factor kernel (an unknown user gets
 * the bias-only ranking μ + b_i); any other predictor is asked item by item.
 */
export function scoreUser(predictor: Predictor, user: number, out: Float32Array): void {
  if (predictor instanceof SvdModel) {
    const d = predictor.data;
    if (predictor.knowsUser(user)) {
      scoreAllItems(predictor, d.userFactors, user * d.factors, d.userBias[user] as number, out);
    } else {
      for (let i = 0; i < out.length; i++)
        out[i] = predictor.knowsItem(i) ? d.mu + (d.itemBias[i] as number) : -Infinity;
    }
    return;
  }
  for (let i = 0; i < out.length; i++) out[i] = predictor.predict(user, i);
}

/**
 * The N best items of a score array, skipping `exclude` (e.g. what the user has seen) and non-finite
 * scores (-Infinity, and NaN from a broken model, which would otherwise block every better score).
 * Overwrites the excluded entries of `scores` with -Infinity; selection uses the preallocated heap
 * (capacity N) and writes best first into `outIndices`/`outScores`. Returns how many were written.
 */
export function topN(
  scores: Float32Array,
  exclude: ArrayLike<number>,
  heap: TopHeap,
  outIndices: Int32Array,
  outScores?: Float32Array,
): number {
  for (let k = 0; k < exclude.length; k++) {
    const i = exclude[k] as number;
    if (i >= 0 && i < scores.length) scores[i] = -Infinity;
  }
  heap.clear();
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (Number.isFinite(s)) heap.push(i, s);
  }
  return heap.drainDescending(outIndices, outScores);
}
