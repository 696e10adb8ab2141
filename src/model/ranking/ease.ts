import type { RatingSet } from '../ratings/rating-set.ts';
import { invertSpdInPlace } from './invert-spd.ts';

/**
 * EASE (Steck 2019): an item–item model for implicit feedback with a closed form. With X the binary
 * user × item matrix (rated or watched), G = XᵀX + λI and P = G⁻¹, the weights are
 * B = I − P · diag(1 / diag P) with a zero diagonal, and a user's score for item j is Σ_{i ∈ history} B_ij.
 * The inverse costs m³, so the model covers only the m items with the most training interactions.
 */

/** EASE's knobs: ridge strength and which items the Gram matrix covers. */
export interface EaseParams {
  /** Ridge penalty λ on the item–item weights. */
  readonly lambda: number;
  /** At most this many items, the most interacted with in training (m³ work, m² memory). */
  readonly maxItems: number;
  /** Items with fewer training interactions are left out. */
  readonly minCount: number;
}

/** λ 200 and the top 1,000 items: chosen on earlier time cut-offs of ml-latest-small (docs/model.md). */
export const EASE_DEFAULTS: EaseParams = { lambda: 200, maxItems: 1000, minCount: 5 };

/** A fitted EASE model over a subset of the catalogue. */
export interface EaseModel {
  readonly params: EaseParams;
  /** Catalogue size (dense item indices 0..nItems−1). */
  readonly nItems: number;
  /** Dense item index of each covered column. */
  readonly items: Int32Array;
  /** Column of each dense item index; −1 where the model does not cover the item. */
  readonly column: Int32Array;
  /** B, m × m row-major: row = history item's column, column = scored item's column. */
  readonly weights: Float32Array;
}

/** Fits EASE on the binary interactions of `train` (every rating counts once, whatever its value). */
export function fitEase(train: RatingSet, params: EaseParams = EASE_DEFAULTS): EaseModel {
  const { nItems, nUsers } = train;
  const counts = new Float64Array(nItems);
  for (let k = 0; k < train.items.length; k++) counts[train.items[k] as number]! += 1;
  const ranked = Array.from({ length: nItems }, (_, i) => i)
    .filter((i) => (counts[i] as number) >= params.minCount)
    .sort((a, b) => (counts[b] as number) - (counts[a] as number) || a - b)
    .slice(0, params.maxItems);
  const m = ranked.length;
  const items = Int32Array.from(ranked);
  const column = new Int32Array(nItems).fill(-1);
  for (let c = 0; c < m; c++) column[items[c] as number] = c;

  // Gram matrix XᵀX from each user's distinct covered items.
  const byUser: number[][] = Array.from({ length: nUsers }, () => []);
  for (let k = 0; k < train.items.length; k++) {
    const c = column[train.items[k] as number] as number;
    if (c >= 0) byUser[train.users[k] as number]!.push(c);
  }
  const g = new Float64Array(m * m);
  for (const cols of byUser) {
    const distinct = [...new Set(cols)];
    for (const x of distinct) for (const y of distinct) g[x * m + y]! += 1;
  }
  for (let c = 0; c < m; c++) g[c * m + c]! += params.lambda;
  invertSpdInPlace(g, m);
  const weights = new Float32Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i !== j) weights[i * m + j] = -(g[i * m + j] as number) / (g[j * m + j] as number);
    }
  }
  return { params, nItems, items, column, weights };
}

/**
 * Scores every item for a history (dense item indices, rated or watched) into `out`; items the model
 * does not cover get NaN (unknown, as the blend reads it). `scratch` holds m float64 sums: pass one
 * per thread of work to allocate nothing per user.
 */
export function scoreEase(
  model: EaseModel,
  history: ArrayLike<number>,
  out: Float32Array,
  scratch: Float64Array = new Float64Array(model.items.length),
): Float32Array {
  const m = model.items.length;
  const { weights, column, items } = model;
  scratch.fill(0, 0, m);
  for (let h = 0; h < history.length; h++) {
    const item = history[h] as number;
    const c = item >= 0 && item < column.length ? (column[item] as number) : -1;
    if (c < 0) continue;
    const row = c * m;
    for (let j = 0; j < m; j++) scratch[j]! += weights[row + j] as number;
  }
  out.fill(NaN, 0, model.nItems);
  for (let j = 0; j < m; j++) out[items[j] as number] = scratch[j] as number;
  return out;
}
