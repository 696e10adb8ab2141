import { createRandom, fillUniform } from '../../lib/random.ts';
import type { Algorithm, EpochListener, Predictor, RatingSet } from '../ratings/rating-set.ts';
import type { RatingRows } from '../ratings/rating-rows.ts';
import { clipToScale, globalMeanOf, isKnown, rowsByItem, rowsByUser } from '../ratings/rating-rows.ts';

/**
 * Non-negative matrix factorisation r̂ = q_i·p_u with the regularised multiplicative updates of
 * Luo et al. (2014), as Surprise's NMF implements them: each epoch accumulates, per factor,
 * Σ q_if·r and Σ q_if·r̂ for users (and the same with p_uf for items), then sets
 * p_uf ← p_uf · num / (denom + |I_u|·reg_pu·p_uf). Factors start uniform in [0, 1) and stay
 * non-negative because every ratio is. The biased variant (off by default, prone to overfit)
 * adds μ + b_u + b_i trained by SGD inside the same pass, and like Surprise it still builds the
 * numerators from r rather than r − μ − b_u − b_i.
 */

/** NMF hyper-parameters; defaults are Surprise's NMF. */
export interface NmfParams {
  readonly factors: number;
  readonly epochs: number;
  readonly biased: boolean;
  readonly regPu: number;
  readonly regQi: number;
  readonly regBu: number;
  readonly regBi: number;
  readonly lrBu: number;
  readonly lrBi: number;
  readonly initLow: number;
  readonly initHigh: number;
  readonly seed: number;
}

/** Surprise NMF's defaults: 15 factors, 50 epochs, unbiased, reg_pu = reg_qi = 0.06, init U(0, 1). */
export const NMF_DEFAULTS: NmfParams = {
  factors: 15,
  epochs: 50,
  biased: false,
  regPu: 0.06,
  regQi: 0.06,
  regBu: 0.02,
  regBi: 0.02,
  lrBu: 0.005,
  lrBi: 0.005,
  initLow: 0,
  initHigh: 1,
  seed: 1,
};

/** Trains NMF; all buffers are allocated once, before the first epoch. */
export function fitNmf(train: RatingSet, params: NmfParams, onEpoch?: EpochListener): Predictor {
  const k = params.factors;
  const { nUsers, nItems } = train;
  const random = createRandom(params.seed);
  const pu = new Float64Array(nUsers * k);
  const qi = new Float64Array(nItems * k);
  fillUniform(pu, random, params.initLow, params.initHigh);
  fillUniform(qi, random, params.initLow, params.initHigh);
  const bu = new Float64Array(nUsers);
  const bi = new Float64Array(nItems);
  const userNum = new Float64Array(nUsers * k);
  const userDenom = new Float64Array(nUsers * k);
  const itemNum = new Float64Array(nItems * k);
  const itemDenom = new Float64Array(nItems * k);
  const byUser = rowsByUser(train);
  const byItem = rowsByItem(train);
  const trainMean = globalMeanOf(train);
  const mu = params.biased ? trainMean : 0;
  const n = train.ratings.length;
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    userNum.fill(0);
    userDenom.fill(0);
    itemNum.fill(0);
    itemDenom.fill(0);
    let sq = 0;
    for (let u = 0; u < nUsers; u++) {
      const uo = u * k;
      const end = byUser.offsets[u + 1] as number;
      for (let e = byUser.offsets[u] as number; e < end; e++) {
        const i = byUser.cols[e] as number;
        const r = byUser.values[e] as number;
        const io = i * k;
        let dot = 0;
        for (let f = 0; f < k; f++) dot += (qi[io + f] as number) * (pu[uo + f] as number);
        const est = mu + (bu[u] as number) + (bi[i] as number) + dot;
        const err = r - est;
        sq += err * err;
        if (params.biased) {
          bu[u] = (bu[u] as number) + params.lrBu * (err - params.regBu * (bu[u] as number));
          bi[i] = (bi[i] as number) + params.lrBi * (err - params.regBi * (bi[i] as number));
        }
        for (let f = 0; f < k; f++) {
          const qif = qi[io + f] as number;
          const puf = pu[uo + f] as number;
          userNum[uo + f] = (userNum[uo + f] as number) + qif * r;
          userDenom[uo + f] = (userDenom[uo + f] as number) + qif * est;
          itemNum[io + f] = (itemNum[io + f] as number) + puf * r;
          itemDenom[io + f] = (itemDenom[io + f] as number) + puf * est;
        }
      }
    }
    multiplicativeUpdate(pu, userNum, userDenom, byUser, k, params.regPu);
    multiplicativeUpdate(qi, itemNum, itemDenom, byItem, k, params.regQi);
    onEpoch?.(epoch + 1, params.epochs, Math.sqrt(sq / Math.max(n, 1)));
  }
  return nmfPredictor({ k, pu, qi, bu, bi, trainMean, biased: params.biased, byUser, byItem, train });
}

/** x_rf ← x_rf · num / (denom + n_r·reg·x_rf); a zero factor stays zero, as in Surprise. */
function multiplicativeUpdate(
  x: Float64Array,
  num: Float64Array,
  denom: Float64Array,
  rows: RatingRows,
  k: number,
  reg: number,
): void {
  for (let r = 0; r < rows.nRows; r++) {
    const count = (rows.offsets[r + 1] as number) - (rows.offsets[r] as number);
    for (let f = 0; f < k; f++) {
      const at = r * k + f;
      const value = x[at] as number;
      if (value === 0) continue;
      const d = (denom[at] as number) + count * reg * value;
      // A row without ratings has num = denom = 0: leave its (unused) factor alone.
      if (d > 0) x[at] = (value * (num[at] as number)) / d;
    }
  }
}

/** What the NMF predictor closes over. */
interface NmfFit {
  readonly k: number;
  readonly pu: Float64Array;
  readonly qi: Float64Array;
  readonly bu: Float64Array;
  readonly bi: Float64Array;
  readonly trainMean: number;
  readonly biased: boolean;
  readonly byUser: RatingRows;
  readonly byItem: RatingRows;
  readonly train: RatingSet;
}

/**
 * Surprise's estimate: unbiased needs both sides known and otherwise falls back to the global mean
 * (its PredictionImpossible default); biased adds whichever biases are known.
 */
function nmfPredictor(fit: NmfFit): Predictor {
  const { k, pu, qi, bu, bi, byUser, byItem } = fit;
  return {
    algorithm: 'nmf',
    predict(user: number, item: number): number {
      const knownUser = isKnown(byUser, user);
      const knownItem = isKnown(byItem, item);
      let est = fit.biased ? fit.trainMean : 0;
      if (fit.biased && knownUser) est += bu[user] as number;
      if (fit.biased && knownItem) est += bi[item] as number;
      if (knownUser && knownItem) {
        for (let f = 0; f < k; f++) est += (pu[user * k + f] as number) * (qi[item * k + f] as number);
      } else if (!fit.biased) {
        est = fit.trainMean;
      }
      return clipToScale(est, fit.train.scale);
    },
  };
}

/** Non-negative matrix factorisation (Surprise's NMF). */
export const nmf: Algorithm<NmfParams> = { name: 'nmf', defaults: NMF_DEFAULTS, fit: fitNmf };
