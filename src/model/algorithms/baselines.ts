import type { Algorithm, EpochListener, Predictor, RatingSet } from '../ratings/rating-set.ts';
import type { RatingRows } from '../ratings/rating-rows.ts';
import { clipToScale, globalMeanOf, isKnown, rowsByItem, rowsByUser } from '../ratings/rating-rows.ts';

/**
 * Baseline estimates r̂ = μ + b_u + b_i (Koren 2010, section 2.1), as Surprise's BaselineOnly
 * computes them: alternating least squares by default, plain SGD as an option.
 */

/** Baseline options; defaults are Surprise's `bsl_options`. */
export interface BaselineParams {
  readonly method: 'als' | 'sgd';
  /** Passes over the data; unset means Surprise's default: 10 for ALS, 20 for SGD. */
  readonly epochs?: number;
  /** ALS: ridge penalty on user biases (reg_u). */
  readonly regUser: number;
  /** ALS: ridge penalty on item biases (reg_i). */
  readonly regItem: number;
  /** SGD: step size (learning_rate). */
  readonly learningRate: number;
  /** SGD: penalty on both biases (reg). */
  readonly reg: number;
}

/** Surprise's defaults: ALS, reg_i 10, reg_u 15, 10 epochs; SGD lr 0.005, reg 0.02, 20 epochs. */
export const BASELINE_DEFAULTS: BaselineParams = {
  method: 'als',
  regUser: 15,
  regItem: 10,
  learningRate: 0.005,
  reg: 0.02,
};

/** Fitted baselines; a user or item without training ratings has bias 0. */
export interface Baselines {
  readonly globalMean: number;
  readonly userBias: Float64Array;
  readonly itemBias: Float64Array;
}

/** The two groupings baselines need; pass them in when the caller has already built them. */
export interface RowsBothWays {
  readonly byUser: RatingRows;
  readonly byItem: RatingRows;
}

/** Computes μ, b_u and b_i; kNN-baseline and the bias-only predictor share this. */
export function computeBaselines(
  train: RatingSet,
  params: BaselineParams,
  rows: RowsBothWays = { byUser: rowsByUser(train), byItem: rowsByItem(train) },
  onEpoch?: EpochListener,
): Baselines {
  const mu = globalMeanOf(train);
  const userBias = new Float64Array(train.nUsers);
  const itemBias = new Float64Array(train.nItems);
  const epochs = params.epochs ?? (params.method === 'als' ? 10 : 20);
  const { byUser, byItem } = rows;
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (params.method === 'als') {
      alsHalfStep(byItem, mu, userBias, itemBias, params.regItem);
      alsHalfStep(byUser, mu, itemBias, userBias, params.regUser);
    } else {
      sgdEpoch(byUser, mu, userBias, itemBias, params.learningRate, params.reg);
    }
    if (onEpoch) onEpoch(epoch + 1, epochs, trainRmse(byUser, mu, userBias, itemBias));
  }
  return { globalMean: mu, userBias, itemBias };
}

/** Solves each row's bias with the other side fixed: b_r = Σ (r - μ - b_other) / (reg + n_r). */
function alsHalfStep(
  rows: RatingRows,
  mu: number,
  other: Float64Array,
  out: Float64Array,
  reg: number,
): void {
  for (let r = 0; r < rows.nRows; r++) {
    const start = rows.offsets[r] as number;
    const end = rows.offsets[r + 1] as number;
    let dev = 0;
    for (let k = start; k < end; k++)
      dev += (rows.values[k] as number) - mu - (other[rows.cols[k] as number] as number);
    out[r] = dev / (reg + (end - start));
  }
}

/** One SGD pass in user order; both biases step on the same error, as in Surprise. */
function sgdEpoch(
  byUser: RatingRows,
  mu: number,
  bu: Float64Array,
  bi: Float64Array,
  lr: number,
  reg: number,
): void {
  for (let u = 0; u < byUser.nRows; u++) {
    const end = byUser.offsets[u + 1] as number;
    for (let k = byUser.offsets[u] as number; k < end; k++) {
      const i = byUser.cols[k] as number;
      const err = (byUser.values[k] as number) - (mu + (bu[u] as number) + (bi[i] as number));
      bu[u] = (bu[u] as number) + lr * (err - reg * (bu[u] as number));
      bi[i] = (bi[i] as number) + lr * (err - reg * (bi[i] as number));
    }
  }
}

/** Root mean squared training error of μ + b_u + b_i. */
function trainRmse(byUser: RatingRows, mu: number, bu: Float64Array, bi: Float64Array): number {
  let sum = 0;
  const n = byUser.cols.length;
  for (let u = 0; u < byUser.nRows; u++) {
    const end = byUser.offsets[u + 1] as number;
    for (let k = byUser.offsets[u] as number; k < end; k++) {
      const err =
        (byUser.values[k] as number) - mu - (bu[u] as number) - (bi[byUser.cols[k] as number] as number);
      sum += err * err;
    }
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/** μ + b_u + b_i, each bias added only when the side is known, then clipped: Surprise's fallback. */
export function baselineEstimate(
  baselines: Baselines,
  rows: RowsBothWays,
  user: number,
  item: number,
): number {
  let est = baselines.globalMean;
  if (isKnown(rows.byUser, user)) est += baselines.userBias[user] as number;
  if (isKnown(rows.byItem, item)) est += baselines.itemBias[item] as number;
  return est;
}

/** Surprise's BaselineOnly: predicts μ + b_u + b_i. */
export const baselineOnly: Algorithm<BaselineParams> = {
  name: 'baseline',
  defaults: BASELINE_DEFAULTS,
  fit(train: RatingSet, params: BaselineParams, onEpoch?: EpochListener): Predictor {
    const rows = { byUser: rowsByUser(train), byItem: rowsByItem(train) };
    const baselines = computeBaselines(train, params, rows, onEpoch);
    return {
      algorithm: 'baseline',
      predict: (user, item) => clipToScale(baselineEstimate(baselines, rows, user, item), train.scale),
    };
  },
};

/** No parameters: the global mean needs none. */
export type GlobalMeanParams = Record<string, never>;

/** Predicts the training mean for everyone: the floor every model must beat. */
export const globalMean: Algorithm<GlobalMeanParams> = {
  name: 'global-mean',
  defaults: {},
  fit(train: RatingSet, _params: GlobalMeanParams, onEpoch?: EpochListener): Predictor {
    const mu = globalMeanOf(train);
    if (onEpoch) {
      let sum = 0;
      for (let k = 0; k < train.ratings.length; k++) sum += ((train.ratings[k] as number) - mu) ** 2;
      onEpoch(1, 1, train.ratings.length === 0 ? 0 : Math.sqrt(sum / train.ratings.length));
    }
    const estimate = clipToScale(mu, train.scale);
    return { algorithm: 'global-mean', predict: () => estimate };
  },
};
