import { fillNormalZigguratFrom } from '../../lib/fill-normal-ziggurat.ts';
import { createRandom } from '../../lib/random.ts';
import type { Algorithm, EpochListener, RatingSet } from '../ratings/rating-set.ts';
import type { SgdRates } from './sgd-step.ts';
import { createJsEpochRunner, createWasmEpochRunnerInPlace, zeroState } from './svd-epoch-runner.ts';
import { SvdModel } from './svd-model.ts';

/** What every SGD-trained factor model is set by: size, schedule, penalty, initialisation, seed. */
export interface FactorModelParams {
  readonly factors: number;
  readonly epochs: number;
  readonly lr: number;
  readonly reg: number;
  readonly initMean: number;
  readonly initStd: number;
  readonly seed: number;
}

/** Hyper-parameters of biased MF; defaults equal Surprise's SVD so results compare. */
export interface SvdParams extends FactorModelParams {
  /** Visit ratings in a fresh seeded order each epoch; false (default) is Surprise's fixed user-major order. */
  readonly shuffle: boolean;
  /** Use the WebAssembly SIMD kernel when factors % 4 === 0 (same step, f32 arithmetic). */
  readonly simd: boolean;
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
  shuffle: false,
  simd: true,
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
  const mu = mean(train.ratings);
  const rates: SgdRates = { lr: params.lr, reg: params.reg };
  const n = train.ratings.length;
  // The kernel's memory holds the factors, so they are drawn straight into it: no copy per fit or epoch.
  const runner =
    params.simd && k % 4 === 0
      ? createWasmEpochRunnerInPlace(train, k, mu, rates)
      : createJsEpochRunner(train, zeroState(train, k, mu), rates);
  // Same stream as createRandom(seed): user factors, item factors, then the shuffles.
  let seed = fillNormalZigguratFrom(runner.state.userFactors, params.seed, params.initMean, params.initStd);
  seed = fillNormalZigguratFrom(runner.state.itemFactors, seed, params.initMean, params.initStd);
  const random = createRandom(seed);
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (params.shuffle) shuffleInPlace(runner.order, random);
    const sq = runner.epoch();
    onEpoch?.(epoch + 1, epochs, Math.sqrt(sq / Math.max(n, 1)));
  }
  const state = runner.finish();
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
