/**
 * The ranking score serving and the offline report share: a weighted sum of z-scores over the
 * request's candidate set,
 *
 *   score(u, i) = w_model · z(model(u, i)) + w_pop · z(log(pop(i) + p̄)) + w_cohort · z(log(cohort(i) + c̄))
 *
 * where z(x) = (x − mean) / sd over the candidates (every item not excluded) and p̄, c̄ are the mean
 * popularities over the whole catalogue. Decayed counts are heavy-tailed: without the log the top
 * titles sit 14–16 sd above the mean (ml-latest-small's time split) and drown the model term whatever
 * its weight. Adding the mean before the log makes the term scale-free (popularity × any constant
 * gives the same z), so the weights do not depend on how much traffic the counts come from; log(1 + p)
 * would, and measured no better. A model score that is not finite (NaN, ±Infinity: the model never
 * trained the item) counts as the mean, z = 0, so a title new since the last retrain is ranked by its
 * live popularity alone. A term whose input is missing (no model vector, no cohort) or constant over
 * the candidates contributes 0.
 *
 * Two phases, so a request pays only for what changes per request. Per popularity refresh,
 * `preparePopularity` (blend-terms.ts) logs the counts once and sums them (p̄ is the catalogue's mean
 * for that reason: the candidates' mean would need a log per item per request). Per request,
 * `Blender.blend` corrects those sums for the request's exclusions (a short list; the sums over an age
 * class's allowed titles are cached in the term), takes the moments of the user's model scores in one
 * pass and combines in a second, both in a WebAssembly SIMD kernel (kernels/blend-wasm.ts). Serving
 * and the offline report call this same method.
 */

import { createBlendKernel, type BlendKernel } from '../kernels/blend-wasm.ts';
import type { CandidateBase, PreparedTerm, TermSums } from './blend-terms.ts';

export { candidateBase, PreparedTerm, preparePopularity, type CandidateBase } from './blend-terms.ts';

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
  /**
   * The model's score per item: this user's (write it into `Blender.modelInput` to spare a copy), or a
   * prepared term when it is the same for many requests (μ + b_i for users without a vector); null
   * when there is none.
   */
  readonly model: Float32Array | PreparedTerm | null;
  /** Decayed global popularity as of now, prepared; null before any is known. */
  readonly popularity: PreparedTerm | null;
  /** Decayed popularity within the user's cohort, prepared; null when unknown. */
  readonly cohort: PreparedTerm | null;
}

/** What a request may be shown: its base (null: the whole catalogue) minus `exclude` (e.g. seen). */
export interface BlendCandidates {
  readonly base: CandidateBase | null;
  readonly exclude: ArrayLike<number>;
}

/** The scale 1/sd of a term from its sums (0: a constant or empty term, which contributes nothing). */
function inverseSd(sum: number, sumSq: number, count: number): number {
  if (count === 0) return 0;
  const mean = sum / count;
  const variance = sumSq / count - mean * mean;
  // Relative floor: float rounding leaves a tiny positive variance on constant input.
  return variance > 1e-12 * (1 + mean * mean) ? 1 / Math.sqrt(variance) : 0;
}

/** A term's running sums while the request's exclusions are taken off. */
class Running {
  sum = 0;
  sumSq = 0;
  count = 0;
  from(s: TermSums): void {
    this.set(s.sum, s.sumSq, s.count);
  }
  set(sum: number, sumSq: number, count: number): void {
    this.sum = sum;
    this.sumSq = sumSq;
    this.count = count;
  }
  drop(x: number): void {
    if (x - x !== 0) return;
    this.sum -= x;
    this.sumSq -= x * x;
    this.count--;
  }
  mean(): number {
    return this.count > 0 ? this.sum / this.count : 0;
  }
  scale(weight: number): number {
    return weight * inverseSd(this.sum, this.sumSq, this.count);
  }
}

const NONE: TermSums = { sum: 0, sumSq: 0, count: 0 };

/** Prepared arrays kept in the kernel's memory at once (terms, cohorts, candidate bases): least recently used goes. */
const SLOTS = 16;

/**
 * Blends per-item scores for one request. Build one per catalogue and reuse it: it owns the kernel's
 * memory (the model's scores, the output, and copies of the prepared arrays it was last given, so a
 * request copies at most the user's scores). Allocates nothing per request; not re-entrant.
 */
export class Blender {
  /** Where a caller may write the user's model scores (length nItems) and pass them as `model`. */
  readonly modelInput: Float32Array;
  private readonly output: Float32Array;
  private readonly kernel: BlendKernel;
  private readonly stride: number;
  private readonly inputAt: number;
  private readonly outAt: number;
  private readonly zerosAt: number;
  private readonly sumsAt: number;
  private readonly slotsAt: number;
  private readonly sums64: Float64Array;
  private readonly sums32: Int32Array;
  private readonly slotOf = new Map<Float32Array, number>();
  private readonly slotHolds: (Float32Array | null)[] = new Array<Float32Array | null>(SLOTS).fill(null);
  private readonly slotUsed = new Float64Array(SLOTS);
  private clock = 0;
  private readonly marked: Uint8Array;
  private readonly m = new Running();
  private readonly p = new Running();
  private readonly c = new Running();

  constructor(readonly nItems: number) {
    // Every array padded to 16 bytes; the input's padding is NaN, so the moments never count it.
    this.stride = Math.ceil(nItems / 4) * 16;
    this.sumsAt = 0;
    this.inputAt = 64;
    this.outAt = this.inputAt + this.stride;
    this.zerosAt = this.outAt + this.stride;
    this.slotsAt = this.zerosAt + this.stride;
    this.kernel = createBlendKernel(this.slotsAt + SLOTS * this.stride);
    const buffer = this.kernel.memory.buffer;
    new Float32Array(buffer, this.inputAt, this.stride / 4).fill(NaN);
    this.modelInput = new Float32Array(buffer, this.inputAt, nItems);
    this.output = new Float32Array(buffer, this.outAt, nItems);
    this.sums64 = new Float64Array(buffer, this.sumsAt, 2);
    this.sums32 = new Int32Array(buffer, this.sumsAt + 16, 1);
    this.marked = new Uint8Array(nItems);
  }

  /** The byte address of a copy of `values` in the kernel's memory, copying it in if it is not there. */
  private resident(values: Float32Array): number {
    let slot = this.slotOf.get(values);
    if (slot === undefined) {
      slot = 0;
      for (let s = 1; s < SLOTS; s++)
        if ((this.slotUsed[s] as number) < (this.slotUsed[slot] as number)) slot = s;
      const old = this.slotHolds[slot];
      if (old !== null && old !== undefined) this.slotOf.delete(old);
      this.slotHolds[slot] = values;
      this.slotOf.set(values, slot);
      new Float32Array(this.kernel.memory.buffer, this.slotsAt + slot * this.stride, this.nItems).set(
        values.subarray(0, this.nItems),
      );
    }
    this.slotUsed[slot] = ++this.clock;
    return this.slotsAt + slot * this.stride;
  }

  /**
   * The blended score of every candidate, -Infinity for every other item: a view of the blender's
   * memory (length nItems), valid until its next call.
   */
  blend(inputs: BlendInputs, weights: BlendWeights, candidates: BlendCandidates): Float32Array {
    const n = this.nItems;
    const { base, exclude } = candidates;
    const member = base?.member ?? null;
    const model = weights.model !== 0 ? inputs.model : null;
    const pop = weights.popularity !== 0 ? inputs.popularity : null;
    const cohort = weights.cohort !== 0 ? inputs.cohort : null;
    const { m, p, c, marked } = this;
    // Arrays in the kernel's memory; a missing term reads zeros (with weight 0).
    const penAt = base === null ? this.zerosAt : this.resident(base.penalty);
    let mAt = this.zerosAt;
    let mValues = this.modelInput;
    if (model instanceof Float32Array) {
      if (model !== this.modelInput) this.modelInput.set(model.subarray(0, n));
      this.kernel.moments(this.inputAt, penAt, this.stride, this.sumsAt);
      m.set(this.sums64[0] as number, this.sums64[1] as number, this.sums32[0] as number);
      mAt = this.inputAt;
    } else if (model !== null) {
      m.from(model.sumsOver(base));
      mValues = model.values;
      mAt = this.resident(model.values);
    } else m.from(NONE);
    p.from(pop?.sumsOver(base) ?? NONE);
    c.from(cohort?.sumsOver(base) ?? NONE);
    const pAt = pop === null ? this.zerosAt : this.resident(pop.values);
    const cAt = cohort === null ? this.zerosAt : this.resident(cohort.values);
    // The request's exclusions, each once and only if the base holds it, come off the sums.
    for (let k = 0; k < exclude.length; k++) {
      const i = exclude[k] as number;
      if (!(i >= 0 && i < n) || marked[i] === 1 || (member !== null && member[i] !== 1)) continue;
      marked[i] = 1;
      if (model !== null) m.drop(mValues[i] as number);
      if (pop !== null) p.drop(pop.values[i] as number);
      if (cohort !== null) c.drop(cohort.values[i] as number);
    }
    this.kernel.combine(
      mAt,
      pAt,
      cAt,
      penAt,
      this.outAt,
      this.stride,
      model === null ? 0 : m.scale(weights.model),
      m.mean(),
      pop === null ? 0 : p.scale(weights.popularity),
      p.mean(),
      cohort === null ? 0 : c.scale(weights.cohort),
      c.mean(),
    );
    const out = this.output;
    for (let k = 0; k < exclude.length; k++) {
      const i = exclude[k] as number;
      if (i >= 0 && i < n) {
        out[i] = -Infinity;
        marked[i] = 0;
      }
    }
    return out;
  }
}
