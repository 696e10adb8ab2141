/**
 * The ranking score serving and the offline report share: a weighted sum of z-scores over the
 * request's candidate set,
 *
 *   score(u, i) = w_model · z(model(u, i)) + w_pop · z(log(pop(i) + p̄)) + w_cohort · z(log(cohort(i) + c̄))
 *
 * where z(x) = (x − mean) / sd over the candidates (every item not excluded) and p̄, c̄ are the mean
 * popularities over the candidates. Decayed counts are heavy-tailed: without the log the top titles
 * sit 14–16 sd above the mean (ml-latest-small's time split) and drown the model term whatever its
 * weight. Adding the mean before the log makes the term scale-free (popularity × any constant gives
 * the same z), so the weights do not depend on how much traffic the counts come from; log(1 + p)
 * would, and measured no better. A model score that is not finite (NaN, ±Infinity: the model never
 * trained the item) counts as the mean, z = 0, so a title new since the last retrain is ranked by its
 * live popularity alone. A term whose input is missing (no model vector, no cohort) or constant over
 * the candidates contributes 0.
 */

/** Weights of the three terms; each multiplies a z-score, so they compare directly. */
export interface BlendWeights {
  readonly model: number;
  readonly popularity: number;
  readonly cohort: number;
}

/** A blend's half-life and weights, as tuned offline and used online. */
export interface BlendConfig {
  /** Half-life of the decayed popularity the blend reads, in days. */
  readonly halfLifeDays: number;
  /** Users with a model vector: the model term is their personal score μ + b_u + b_i + p_u·q_i. */
  readonly weights: BlendWeights;
  /**
   * Users without one (new since the last retrain): the model term is the model's fallback μ + b_i,
   * an item-quality score that uses nothing about the user, so their list stays non-personal.
   */
  readonly coldWeights: BlendWeights;
}

/**
 * The tuned blend (docs/model.md, "Ranking"): chosen on four earlier time windows of ml-latest-small,
 * never on the reported test period. Cohort weight 0 offline only because ml-latest-small has no
 * demographics.
 */
export const BLEND_DEFAULTS: BlendConfig = {
  halfLifeDays: 365,
  weights: { model: 0.3, popularity: 1, cohort: 0 },
  coldWeights: { model: 0.3, popularity: 1, cohort: 0 },
};

/** One request's inputs, each indexed by dense item index (length ≥ the blender's nItems). */
export interface BlendInputs {
  /** The model's score per item for this user; null when the user has no model vector. */
  readonly model: Float32Array | null;
  /** Decayed global popularity as of now (≥ 0). */
  readonly popularity: Float32Array;
  /** Decayed popularity within the user's cohort (≥ 0); null when unknown. */
  readonly cohort: Float32Array | null;
}

/** Mean and standard deviation of one term over the candidates; sd 0 marks a term that contributes nothing. */
interface Moments {
  mean: number;
  sd: number;
}

function finalise(m: Moments, sum: number, sumSq: number, count: number): void {
  if (count === 0) {
    m.mean = 0;
    m.sd = 0;
    return;
  }
  const mean = sum / count;
  const variance = sumSq / count - mean * mean;
  m.mean = mean;
  // Relative floor: float rounding leaves a tiny positive variance on constant input.
  m.sd = variance > 1e-12 * (1 + mean * mean) ? Math.sqrt(variance) : 0;
}

/**
 * Blends per-item scores for one request into `out`, allocating nothing: build one per catalogue
 * size and reuse it across requests (it keeps a candidate mask and the transformed popularities).
 * Not re-entrant: one blend at a time per instance.
 */
export class Blender {
  private readonly excluded: Uint8Array;
  private readonly logPop: Float64Array;
  private readonly logCohort: Float64Array;
  private readonly modelMoments: Moments = { mean: 0, sd: 0 };
  private readonly popMoments: Moments = { mean: 0, sd: 0 };
  private readonly cohortMoments: Moments = { mean: 0, sd: 0 };

  constructor(readonly nItems: number) {
    this.excluded = new Uint8Array(nItems);
    this.logPop = new Float64Array(nItems);
    this.logCohort = new Float64Array(nItems);
  }

  /**
   * Writes the blended score of every item into `out` (length nItems); items in `exclude` (seen,
   * forbidden for the user's age: not candidates) get -Infinity and stay out of the z-scores.
   * Returns `out`.
   */
  blend(
    inputs: BlendInputs,
    weights: BlendWeights,
    exclude: ArrayLike<number>,
    out: Float32Array,
  ): Float32Array {
    const n = this.nItems;
    const { model, popularity, cohort } = inputs;
    const { excluded, logPop, logCohort } = this;
    for (let k = 0; k < exclude.length; k++) {
      const i = exclude[k] as number;
      if (i >= 0 && i < n) excluded[i] = 1;
    }
    const useModel = model !== null && weights.model !== 0;
    const useCohort = cohort !== null && weights.cohort !== 0;
    // Pass 1: candidate count, mean popularities, model moments.
    let count = 0;
    let pMean = 0;
    let cMean = 0;
    let mSum = 0;
    let mSq = 0;
    let mCount = 0;
    for (let i = 0; i < n; i++) {
      if (excluded[i] === 1) continue;
      count++;
      pMean += popularity[i] as number;
      if (useCohort) cMean += cohort[i] as number;
      if (useModel) {
        const m = model[i] as number;
        if (Number.isFinite(m)) {
          mSum += m;
          mSq += m * m;
          mCount++;
        }
      }
    }
    pMean /= count || 1;
    cMean /= count || 1;
    // Pass 2: the logged popularities and their moments (all-zero popularity: the term drops out).
    let pSum = 0;
    let pSq = 0;
    let cSum = 0;
    let cSq = 0;
    const usePop = pMean > 0;
    const useCohortLog = useCohort && cMean > 0;
    for (let i = 0; i < n; i++) {
      if (excluded[i] === 1) continue;
      if (usePop) {
        const p = Math.log((popularity[i] as number) + pMean);
        logPop[i] = p;
        pSum += p;
        pSq += p * p;
      }
      if (useCohortLog) {
        const c = Math.log((cohort[i] as number) + cMean);
        logCohort[i] = c;
        cSum += c;
        cSq += c * c;
      }
    }
    const mm = this.modelMoments;
    const pm = this.popMoments;
    const cm = this.cohortMoments;
    finalise(mm, mSum, mSq, useModel ? mCount : 0);
    finalise(pm, pSum, pSq, usePop ? count : 0);
    finalise(cm, cSum, cSq, useCohortLog ? count : 0);
    const wm = mm.sd > 0 ? weights.model / mm.sd : 0;
    const wp = pm.sd > 0 ? weights.popularity / pm.sd : 0;
    const wc = cm.sd > 0 ? weights.cohort / cm.sd : 0;
    // Pass 3: the weighted z-scores; clears the candidate mask for the next request.
    for (let i = 0; i < n; i++) {
      if (excluded[i] === 1) {
        out[i] = -Infinity;
        excluded[i] = 0;
        continue;
      }
      let s = 0;
      if (wp !== 0) s += wp * ((logPop[i] as number) - pm.mean);
      if (wc !== 0) s += wc * ((logCohort[i] as number) - cm.mean);
      if (wm !== 0) {
        const m = (model as Float32Array)[i] as number;
        if (Number.isFinite(m)) s += wm * (m - mm.mean);
      }
      out[i] = s;
    }
    return out;
  }
}
