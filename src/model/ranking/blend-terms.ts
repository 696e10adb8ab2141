/**
 * What the blend (blend.ts) prepares once instead of per request: terms whose values are the same for
 * many requests (decayed popularity, a cohort's, the model's μ + b_i), with their sums over each set
 * of items requests start from, and those sets (an age class's allowed titles).
 */

/**
 * The items a request may rank before its own exclusions, built once per catalogue: an age class's
 * allowed titles. `member[i]` is 1 exactly for `items` (ascending); `penalty[i]` is 0 for them and
 * -Infinity for every other item, the form the blend's kernel adds.
 */
export interface CandidateBase {
  readonly items: Int32Array;
  readonly member: Uint8Array;
  readonly penalty: Float32Array;
}

/** The candidate base of a catalogue of `nItems` without the `excluded` items (e.g. forbidden for an age). */
export function candidateBase(nItems: number, excluded: ArrayLike<number>): CandidateBase {
  const member = new Uint8Array(nItems).fill(1);
  const penalty = new Float32Array(nItems);
  for (let k = 0; k < excluded.length; k++) {
    const i = excluded[k] as number;
    if (i >= 0 && i < nItems) {
      member[i] = 0;
      penalty[i] = -Infinity;
    }
  }
  const items: number[] = [];
  for (let i = 0; i < nItems; i++) if (member[i] === 1) items.push(i);
  return { items: Int32Array.from(items), member, penalty };
}

/** Σx, Σx² and the count of the finite values of a term over some items. */
export interface TermSums {
  readonly sum: number;
  readonly sumSq: number;
  readonly count: number;
}

function sumsOf(values: Float32Array, items: Int32Array | null): TermSums {
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  const n = items === null ? values.length : items.length;
  for (let k = 0; k < n; k++) {
    const x = values[items === null ? k : (items[k] as number)] as number;
    if (x - x === 0) {
      sum += x;
      sumSq += x * x;
      count++;
    }
  }
  return { sum, sumSq, count };
}

/**
 * One term's per-item values, prepared once and shared by every request until the next refresh: its
 * sums over the whole catalogue and, computed on first use, over each candidate base it meets.
 * Non-finite values count as unknown (z = 0). The values must not change afterwards.
 */
export class PreparedTerm {
  private readonly bases = new Map<CandidateBase, TermSums>();
  private readonly all: TermSums;

  constructor(readonly values: Float32Array) {
    this.all = sumsOf(values, null);
  }

  /** The term's sums over a candidate base (null: the whole catalogue). */
  sumsOver(base: CandidateBase | null): TermSums {
    if (base === null) return this.all;
    let found = this.bases.get(base);
    if (found === undefined) this.bases.set(base, (found = sumsOf(this.values, base.items)));
    return found;
  }
}

/**
 * The popularity term from decayed counts per item (negative or non-finite counts read as 0):
 * log(p_i + p̄), p̄ the catalogue's mean count. Null when every count is 0: the term drops out.
 */
export function preparePopularity(counts: ArrayLike<number>): PreparedTerm | null {
  const n = counts.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = counts[i] as number;
    if (p > 0 && p < Infinity) total += p;
  }
  if (!(total > 0)) return null;
  const mean = total / n;
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = counts[i] as number;
    values[i] = Math.log((p > 0 && p < Infinity ? p : 0) + mean);
  }
  return new PreparedTerm(values);
}
