import type { BaselineParams, Baselines, RowsBothWays } from './baselines.ts';
import { BASELINE_DEFAULTS, baselineEstimate, computeBaselines } from './baselines.ts';
import type { Algorithm, EpochListener, Predictor, RatingSet } from '../ratings/rating-set.ts';
import type { RatingRows } from '../ratings/rating-rows.ts';
import { clipToScale, isKnown, rowsByItem, rowsByUser } from '../ratings/rating-rows.ts';
import type { SparseSimilarity } from './similarity.ts';
import { pearsonBaselineSimilarity } from './similarity.ts';

/**
 * kNN with baseline (Koren 2010, eq. 3; Surprise's KNNBaseline), item-based by default:
 *   r̂_ui = b_ui + Σ_{j ∈ N^k_i(u)} s_ij (r_uj − b_uj) / Σ_{j ∈ N^k_i(u)} s_ij,
 * where b_ui = μ + b_u + b_i and N^k_i(u) are the k items most similar to i among those u rated,
 * keeping only s_ij > 0. Similarities are the shrunk Pearson-baseline ones (see similarity.ts).
 */

/** kNN-baseline options; defaults follow Surprise's KNNBaseline with pearson_baseline similarity. */
export interface KnnBaselineParams {
  /** Most neighbours used per prediction. */
  readonly k: number;
  /** Fewer usable neighbours than this and the prediction is the baseline alone. */
  readonly minK: number;
  /** Similarities between users instead of items (Surprise's own default is user-based). */
  readonly userBased: boolean;
  readonly shrinkage: number;
  readonly minSupport: number;
  /** How b_u and b_i are fitted (Surprise's bsl_options). */
  readonly baseline: BaselineParams;
}

/** k 40, min_k 1, item-based pearson_baseline, shrinkage 100, min_support 1, ALS baselines. */
export const KNN_BASELINE_DEFAULTS: KnnBaselineParams = {
  k: 40,
  minK: 1,
  userBased: false,
  shrinkage: 100,
  minSupport: 1,
  baseline: BASELINE_DEFAULTS,
};

/** r − (μ + b_u + b_i) per entry of a grouping; `rowIsUser` says which side the rows are. */
function residuals(rows: RatingRows, baselines: Baselines, rowIsUser: boolean): Float64Array {
  const out = new Float64Array(rows.cols.length);
  const rowBias = rowIsUser ? baselines.userBias : baselines.itemBias;
  const colBias = rowIsUser ? baselines.itemBias : baselines.userBias;
  for (let r = 0; r < rows.nRows; r++) {
    const end = rows.offsets[r + 1] as number;
    for (let e = rows.offsets[r] as number; e < end; e++) {
      out[e] =
        (rows.values[e] as number) -
        baselines.globalMean -
        (rowBias[r] as number) -
        (colBias[rows.cols[e] as number] as number);
    }
  }
  return out;
}

/** Fits baselines and the similarity matrix, then predicts with the k best positive neighbours. */
export function fitKnnBaseline(
  train: RatingSet,
  params: KnnBaselineParams,
  onEpoch?: EpochListener,
): Predictor {
  const rows: RowsBothWays = { byUser: rowsByUser(train), byItem: rowsByItem(train) };
  const baselines = computeBaselines(train, params.baseline, rows, onEpoch);
  const userResid = residuals(rows.byUser, baselines, true);
  const itemResid = residuals(rows.byItem, baselines, false);
  // x is the side similarities are between; y is the side whose ratings supply the neighbours.
  const [xRows, xResid, yRows, yResid] = params.userBased
    ? [rows.byUser, userResid, rows.byItem, itemResid]
    : [rows.byItem, itemResid, rows.byUser, userResid];
  const sims = pearsonBaselineSimilarity(xRows, xResid, yRows, yResid, params);
  const neighbours = createNeighbourSum(sims, Math.max(1, params.k));
  return {
    algorithm: 'knn-baseline',
    predict(user: number, item: number): number {
      const est = baselineEstimate(baselines, rows, user, item);
      if (!isKnown(rows.byUser, user) || !isKnown(rows.byItem, item)) return clipToScale(est, train.scale);
      const adjust = params.userBased
        ? neighbours(user, yRows, yResid, item, params.minK)
        : neighbours(item, yRows, yResid, user, params.minK);
      return clipToScale(est + adjust, train.scale);
    },
  };
}

/**
 * Builds the neighbour step with its buffers preallocated: a dense row of x's similarities
 * (scattered in and cleared per call; calls are synchronous, so one set of buffers is safe) and a
 * size-k min-heap keyed by similarity. Returns Σ s·dev / Σ s over the k most similar positive
 * neighbours, or 0 below `minK`.
 */
export function createNeighbourSum(
  sims: SparseSimilarity,
  k: number,
): (x: number, yRows: RatingRows, yResid: Float64Array, y: number, minK: number) => number {
  const row = new Float32Array(sims.nRows);
  const heapSim = new Float64Array(k);
  const heapDev = new Float64Array(k);
  return (x, yRows, yResid, y, minK) => {
    const start = sims.offsets[x] as number;
    const end = sims.offsets[x + 1] as number;
    for (let e = start; e < end; e++) row[sims.neighbors[e] as number] = sims.values[e] as number;
    let size = 0;
    const yEnd = yRows.offsets[y + 1] as number;
    for (let t = yRows.offsets[y] as number; t < yEnd; t++) {
      const s = row[yRows.cols[t] as number] as number;
      if (s <= 0) continue;
      const dev = yResid[t] as number;
      if (size < k) {
        siftUp(heapSim, heapDev, size++, s, dev);
      } else if (s > (heapSim[0] as number)) {
        siftDown(heapSim, heapDev, size, s, dev);
      }
    }
    for (let e = start; e < end; e++) row[sims.neighbors[e] as number] = 0;
    if (size < minK) return 0;
    let num = 0;
    let den = 0;
    for (let h = 0; h < size; h++) {
      num += (heapSim[h] as number) * (heapDev[h] as number);
      den += heapSim[h] as number;
    }
    return den > 0 ? num / den : 0;
  };
}

/** Inserts (s, dev) at slot `at` of a min-heap and restores the order. */
function siftUp(sim: Float64Array, dev: Float64Array, at: number, s: number, d: number): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if ((sim[parent] as number) <= s) break;
    sim[i] = sim[parent] as number;
    dev[i] = dev[parent] as number;
    i = parent;
  }
  sim[i] = s;
  dev[i] = d;
}

/** Replaces the minimum of a full min-heap of `size` with (s, dev) and restores the order. */
function siftDown(sim: Float64Array, dev: Float64Array, size: number, s: number, d: number): void {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && (sim[right] as number) < (sim[left] as number) ? right : left;
    if ((sim[child] as number) >= s) break;
    sim[i] = sim[child] as number;
    dev[i] = dev[child] as number;
    i = child;
  }
  sim[i] = s;
  dev[i] = d;
}

/** Item-based kNN with baseline (Surprise's KNNBaseline, pearson_baseline similarity). */
export const knnBaseline: Algorithm<KnnBaselineParams> = {
  name: 'knn-baseline',
  defaults: KNN_BASELINE_DEFAULTS,
  fit: fitKnnBaseline,
};
