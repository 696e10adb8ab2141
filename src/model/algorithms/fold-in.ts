import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import type { SvdModel } from './svd-model.ts';

/** Ridge strength for fold-in: the penalty λ‖(b_u, p_u)‖² in the least-squares objective. */
export interface FoldInOptions {
  readonly lambda: number;
}

/**
 * λ = 3 was best for 3, 5, 10 and 20 given ratings of held-out ml-latest-small users, for both default
 * and tuned SVD (docs/model.md); much less overfits 100 factors to a handful of ratings.
 */
export const FOLD_IN_DEFAULTS: FoldInOptions = { lambda: 3 };

/** A cold user's parameters solved against fixed item factors. */
export interface FoldedUser {
  readonly bias: number;
  readonly vector: Float32Array;
  /** Ratings actually used (items the model knows). */
  readonly used: number;
}

/**
 * Folds a new user into a trained model: solves min Σ (r_j − μ − b_j − b_u − p_u·q_j)² + λ(b_u² + ‖p_u‖²)
 * over the rated items the model knows, with items' q_j and b_j held fixed — ridge regression by
 * Cholesky of the (k+1)×(k+1) normal equations. With no usable ratings the user gets zeros, which
 * predicts the item-bias fallback. Throws RangeError unless λ is finite and > 0.
 */
export function foldInUser(
  model: SvdModel,
  items: ArrayLike<number>,
  ratings: ArrayLike<number>,
  options: FoldInOptions = FOLD_IN_DEFAULTS,
): FoldedUser {
  const { lambda } = options;
  // λ > 0 keeps the normal matrix positive definite: with fewer ratings than k + 1 it is singular otherwise.
  if (!(Number.isFinite(lambda) && lambda > 0))
    throw new RangeError(`fold-in lambda must be a finite number > 0, got ${lambda}`);
  const { factors: k, itemFactors: q, itemBias, mu } = model.data;
  const dim = k + 1;
  const normal = Matrix.zeros(dim, dim);
  const rhs = Matrix.zeros(dim, 1);
  const row = new Float64Array(dim);
  let used = 0;
  for (let j = 0; j < items.length; j++) {
    const item = items[j] as number;
    if (!model.knowsItem(item)) continue;
    used++;
    row[0] = 1;
    for (let f = 0; f < k; f++) row[f + 1] = q[item * k + f] as number;
    const y = (ratings[j] as number) - mu - (itemBias[item] as number);
    for (let a = 0; a < dim; a++) {
      const ra = row[a] as number;
      rhs.set(a, 0, rhs.get(a, 0) + ra * y);
      for (let b = 0; b <= a; b++) normal.set(a, b, normal.get(a, b) + ra * (row[b] as number));
    }
  }
  const vector = new Float32Array(k);
  if (used === 0) return { bias: 0, vector, used };
  for (let a = 0; a < dim; a++) {
    normal.set(a, a, normal.get(a, a) + lambda);
    for (let b = 0; b < a; b++) normal.set(b, a, normal.get(a, b));
  }
  const x = new CholeskyDecomposition(normal).solve(rhs);
  for (let f = 0; f < k; f++) vector[f] = x.get(f + 1, 0);
  return { bias: x.get(0, 0), vector, used };
}

/** A folded user's prediction for an item, with the model's fallback and clipping. */
export function predictFolded(model: SvdModel, user: FoldedUser, item: number): number {
  const d = model.data;
  let est = d.mu + user.bias;
  if (model.knowsItem(item)) {
    est += d.itemBias[item] as number;
    for (let f = 0; f < d.factors; f++)
      est += (user.vector[f] as number) * (d.itemFactors[item * d.factors + f] as number);
  }
  return Math.min(d.scale.max, Math.max(d.scale.min, est));
}
