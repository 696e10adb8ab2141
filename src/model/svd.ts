import { createRandom, fillNormal } from './random.ts';
import type { Algorithm, EpochListener, RatingSet } from './rating-set.ts';
import { sgdStep, type FactorState, type SgdRates } from './sgd-step.ts';
import { SvdModel } from './svd-model.ts';

/** Hyper-parameters of biased MF; defaults equal Surprise's SVD so results compare. */
export interface SvdParams {
  readonly factors: number;
  readonly epochs: number;
  readonly lr: number;
  readonly reg: number;
  readonly initMean: number;
  readonly initStd: number;
  readonly seed: number;
  /** Visit ratings in a fresh seeded order each epoch (Surprise keeps one user-major order). */
  readonly shuffle: boolean;
}

/** Surprise SVD's defaults: 100 factors, 20 epochs, lr 0.005, reg 0.02, init N(0, 0.1). */
export const SVD_DEFAULTS: SvdParams = {
  factors: 100,
  epochs: 20,
  lr: 0.005,
  reg: 0.02,
  initMean: 0,
  initStd: 0.1,
  seed: 1,
  shuffle: true,
};

function countPer(indices: Int32Array, n: number): Float32Array {
  const counts = new Float32Array(n);
  for (let k = 0; k < indices.length; k++) counts[indices[k] as number]! += 1;
  return counts;
}

function mean(values: Float32Array): number {
  let s = 0;
  for (let k = 0; k < values.length; k++) s += values[k] as number;
  return values.length === 0 ? 0 : s / values.length;
}

/** Trains biased MF by SGD: deterministic for a given seed, no allocation inside the epoch loop. */
export function fitSvd(train: RatingSet, params: SvdParams, onEpoch?: EpochListener): SvdModel {
  const { factors: k, epochs } = params;
  const random = createRandom(params.seed);
  const userFactors = new Float32Array(train.nUsers * k);
  const itemFactors = new Float32Array(train.nItems * k);
  fillNormal(userFactors, random, params.initMean, params.initStd);
  fillNormal(itemFactors, random, params.initMean, params.initStd);
  const state: FactorState = {
    mu: mean(train.ratings),
    factors: k,
    userBias: new Float32Array(train.nUsers),
    itemBias: new Float32Array(train.nItems),
    userFactors,
    itemFactors,
  };
  const rates: SgdRates = { lr: params.lr, reg: params.reg };
  const n = train.ratings.length;
  const order = userMajorOrder(train);
  const { users, items, ratings } = train;
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (params.shuffle) shuffleInPlace(order, random);
    let sq = 0;
    for (let k2 = 0; k2 < n; k2++) {
      const row = order[k2] as number;
      const err = sgdStep(state, users[row] as number, items[row] as number, ratings[row] as number, rates);
      sq += err * err;
    }
    onEpoch?.(epoch + 1, epochs, Math.sqrt(sq / Math.max(n, 1)));
  }
  return new SvdModel({
    ...state,
    algorithm: 'svd',
    params: { ...params },
    scale: train.scale,
    userIds: train.userIds,
    itemIds: train.itemIds,
    userCounts: countPer(train.users, train.nUsers),
    itemCounts: countPer(train.items, train.nItems),
  });
}

/** Rows sorted by user then input order: Surprise's iteration order when not shuffling. */
function userMajorOrder(train: RatingSet): Int32Array {
  const order = Int32Array.from({ length: train.ratings.length }, (_, k) => k);
  const users = train.users;
  return order.sort((a, b) => (users[a] as number) - (users[b] as number) || a - b);
}

function shuffleInPlace(order: Int32Array, random: { int(n: number): number }): void {
  for (let k = order.length - 1; k > 0; k--) {
    const j = random.int(k + 1);
    const t = order[k] as number;
    order[k] = order[j] as number;
    order[j] = t;
  }
}

/** Biased matrix factorisation ("SVD" in Surprise's sense). */
export const svd: Algorithm<SvdParams> = { name: 'svd', defaults: SVD_DEFAULTS, fit: fitSvd };
