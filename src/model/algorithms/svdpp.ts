import { createRandom, fillNormal } from '../../lib/random.ts';
import type { Algorithm, EpochListener, RatingSet } from '../ratings/rating-set.ts';
import type { RatingRows } from '../ratings/rating-rows.ts';
import { globalMeanOf, rowsByUser } from '../ratings/rating-rows.ts';
import { SvdModel } from './svd-model.ts';
import type { FactorModelParams } from './svd.ts';

/**
 * SVD++ (Koren 2008): r̂ = μ + b_u + b_i + q_i·(p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j), where N(u) is
 * the set of items u rated in training. Same pass order and updates as Surprise's SVDpp, but fast:
 *
 * Surprise recomputes the implicit sum z_u and touches every y_j, j ∈ N(u), for each of u's
 * ratings: O(|N(u)|²·k) per user per epoch. Ratings are visited user by user, and every y_j of
 * the user receives the same update y_j ← s·y_j + lr·err·q_i/√n (s = 1 − lr·reg). So within a
 * user's block we keep z_u exactly (z ← s·z + lr·err·q_i) and accumulate the common affine map
 * y_j ↦ a·y_j + g, applying it once at the end of the block: O(|N(u)|·k) per user, and the
 * result equals Surprise's update order up to rounding (svdpp.test.ts checks this against a
 * naive implementation).
 */

/** SVD++ hyper-parameters; defaults are Surprise's SVDpp (lr_all, reg_all for every term). */
export type SvdppParams = FactorModelParams;

/** Surprise SVDpp's defaults: 20 factors, 20 epochs, lr 0.007, reg 0.02, init N(0, 0.1). */
export const SVDPP_DEFAULTS: SvdppParams = {
  factors: 20,
  epochs: 20,
  lr: 0.007,
  reg: 0.02,
  initMean: 0,
  initStd: 0.1,
  seed: 1,
};

/** Training state; all Float64 so the result tracks Surprise's double-precision updates. */
interface SvdppState {
  readonly mu: number;
  readonly k: number;
  readonly bu: Float64Array;
  readonly bi: Float64Array;
  readonly pu: Float64Array;
  readonly qi: Float64Array;
  readonly yj: Float64Array;
  /** Scratch: the current user's implicit sum |N(u)|^-½ Σ y_j. */
  readonly z: Float64Array;
  /** Scratch: the pending common increment of the current user's y_j. */
  readonly g: Float64Array;
}

/**
 * Trains SVD++ and folds the implicit feedback into the user factors (p_u + z_u), so the result is
 * an ordinary biased-MF model that the SVD serving path can score and store as it is.
 */
export function fitSvdpp(train: RatingSet, params: SvdppParams, onEpoch?: EpochListener): SvdModel {
  const k = params.factors;
  const random = createRandom(params.seed);
  const state: SvdppState = {
    mu: globalMeanOf(train),
    k,
    bu: new Float64Array(train.nUsers),
    bi: new Float64Array(train.nItems),
    pu: new Float64Array(train.nUsers * k),
    qi: new Float64Array(train.nItems * k),
    yj: new Float64Array(train.nItems * k),
    z: new Float64Array(k),
    g: new Float64Array(k),
  };
  fillNormal(state.pu, random, params.initMean, params.initStd);
  fillNormal(state.qi, random, params.initMean, params.initStd);
  fillNormal(state.yj, random, params.initMean, params.initStd);
  const byUser = rowsByUser(train);
  const n = train.ratings.length;
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    let sq = 0;
    for (let u = 0; u < byUser.nRows; u++) sq += userBlock(state, byUser, u, params.lr, params.reg);
    onEpoch?.(epoch + 1, params.epochs, Math.sqrt(sq / Math.max(n, 1)));
  }
  return foldImplicit(state, byUser, train, params);
}

/** One pass over user u's ratings; returns the sum of squared errors seen before each step. */
function userBlock(s: SvdppState, byUser: RatingRows, u: number, lr: number, reg: number): number {
  const start = byUser.offsets[u] as number;
  const end = byUser.offsets[u + 1] as number;
  if (end === start) return 0;
  const { k, bu, bi, pu, qi, yj, z, g } = s;
  const invSqrt = 1 / Math.sqrt(end - start);
  implicitSum(s, byUser, u, invSqrt);
  g.fill(0);
  const shrink = 1 - lr * reg;
  let decay = 1;
  let sq = 0;
  const uo = u * k;
  for (let e = start; e < end; e++) {
    const i = byUser.cols[e] as number;
    const io = i * k;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += (qi[io + f] as number) * ((pu[uo + f] as number) + (z[f] as number));
    const err = (byUser.values[e] as number) - (s.mu + (bu[u] as number) + (bi[i] as number) + dot);
    sq += err * err;
    bu[u] = (bu[u] as number) + lr * (err - reg * (bu[u] as number));
    bi[i] = (bi[i] as number) + lr * (err - reg * (bi[i] as number));
    for (let f = 0; f < k; f++) {
      const puf = pu[uo + f] as number;
      const qif = qi[io + f] as number;
      const zf = z[f] as number;
      pu[uo + f] = puf + lr * (err * qif - reg * puf);
      qi[io + f] = qif + lr * (err * (puf + zf) - reg * qif);
      z[f] = shrink * zf + lr * err * qif;
      g[f] = shrink * (g[f] as number) + lr * err * qif * invSqrt;
    }
    decay *= shrink;
  }
  for (let e = start; e < end; e++) {
    const jo = (byUser.cols[e] as number) * k;
    for (let f = 0; f < k; f++) yj[jo + f] = decay * (yj[jo + f] as number) + (g[f] as number);
  }
  return sq;
}

/** Writes |N(u)|^-½ Σ_{j∈N(u)} y_j into the scratch z. */
function implicitSum(s: SvdppState, byUser: RatingRows, u: number, invSqrt: number): void {
  const { k, yj, z } = s;
  z.fill(0);
  const end = byUser.offsets[u + 1] as number;
  for (let e = byUser.offsets[u] as number; e < end; e++) {
    const jo = (byUser.cols[e] as number) * k;
    for (let f = 0; f < k; f++) z[f] = (z[f] as number) + (yj[jo + f] as number);
  }
  for (let f = 0; f < k; f++) z[f] = (z[f] as number) * invSqrt;
}

/** p_u + z_u per user, packaged as a biased-MF model with Surprise's unknown-side fallback. */
function foldImplicit(s: SvdppState, byUser: RatingRows, train: RatingSet, params: SvdppParams): SvdModel {
  const { k } = s;
  const userFactors = new Float32Array(train.nUsers * k);
  const userCounts = new Float32Array(train.nUsers);
  for (let u = 0; u < train.nUsers; u++) {
    const count = (byUser.offsets[u + 1] as number) - (byUser.offsets[u] as number);
    userCounts[u] = count;
    if (count === 0) continue;
    implicitSum(s, byUser, u, 1 / Math.sqrt(count));
    for (let f = 0; f < k; f++) userFactors[u * k + f] = (s.pu[u * k + f] as number) + (s.z[f] as number);
  }
  const itemCounts = new Float32Array(train.nItems);
  for (let e = 0; e < byUser.cols.length; e++) itemCounts[byUser.cols[e] as number]! += 1;
  return new SvdModel({
    algorithm: 'svd++',
    params: { ...params },
    mu: s.mu,
    factors: k,
    userBias: Float32Array.from(s.bu),
    itemBias: Float32Array.from(s.bi),
    userFactors,
    itemFactors: Float32Array.from(s.qi),
    scale: train.scale,
    userIds: train.userIds,
    itemIds: train.itemIds,
    userCounts,
    itemCounts,
  });
}

/** SVD++ with implicit feedback from the training set's rated items. */
export const svdpp: Algorithm<SvdppParams> = { name: 'svd++', defaults: SVDPP_DEFAULTS, fit: fitSvdpp };
