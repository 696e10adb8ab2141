import type { RatingSet } from './rating-set.ts';
import { createWasmMemory, instantiateSgdEpoch } from './sgd-epoch-wasm.ts';
import { sgdStep, type FactorState, type SgdRates } from './sgd-step.ts';

/** Runs whole SGD epochs over a training set in the order held in `order` (which callers may shuffle). */
export interface EpochRunner {
  /** Row indices of the training set, visited in this order. */
  readonly order: Int32Array;
  /** One pass over `order`; returns Σ err² of the pre-step errors. */
  epoch(): number;
  /** Writes the trained values back into the state's arrays. */
  finish(): void;
}

/** Rows grouped by user, input order within a user (Surprise's order when not shuffling); a counting sort. */
function userMajorOrder(train: RatingSet, out: Int32Array): Int32Array {
  const next = new Int32Array(train.nUsers + 1);
  const users = train.users;
  for (let k = 0; k < users.length; k++) next[(users[k] as number) + 1]! += 1;
  for (let u = 0; u < train.nUsers; u++) next[u + 1]! += next[u] as number;
  for (let k = 0; k < users.length; k++) out[next[users[k] as number]!++] = k;
  return out;
}

/** Plain TypeScript: sgdStep per rating, in place on the state. Any number of factors. */
export function createJsEpochRunner(train: RatingSet, state: FactorState, rates: SgdRates): EpochRunner {
  const order = userMajorOrder(train, new Int32Array(train.ratings.length));
  const { users, items, ratings } = train;
  return {
    order,
    epoch() {
      let sq = 0;
      for (let k = 0; k < order.length; k++) {
        const row = order[k] as number;
        const err = sgdStep(state, users[row] as number, items[row] as number, ratings[row] as number, rates);
        sq += err * err;
      }
      return sq;
    },
    finish() {},
  };
}

/**
 * The WebAssembly SIMD kernel: copies ratings and factors into one linear memory (16-byte aligned
 * blocks), runs epochs there, and copies the factors back on finish. Needs factors % 4 === 0.
 */
export function createWasmEpochRunner(train: RatingSet, state: FactorState, rates: SgdRates): EpochRunner {
  const k = state.factors;
  if (k % 4 !== 0) throw new RangeError(`the SIMD kernel needs factors divisible by 4, got ${k}`);
  const n = train.ratings.length;
  const sizes = [n + 1, n, n, n, state.userFactors.length, state.itemFactors.length, state.userBias.length];
  const offsets: number[] = [];
  let bytes = 0;
  for (const words of [...sizes, state.itemBias.length]) {
    offsets.push(bytes);
    bytes += Math.ceil((words * 4) / 16) * 16;
  }
  const memory = createWasmMemory(bytes);
  const kernel = instantiateSgdEpoch(memory);
  const [oOrder, oUsers, oItems, oRatings, oP, oQ, oBu, oBi] = offsets as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const buffer = memory.buffer;
  // One spare slot past the order (row 0) lets the kernel read order[x + 1] on the last rating.
  const order = userMajorOrder(train, new Int32Array(buffer, oOrder, n));
  new Int32Array(buffer, oUsers, n).set(train.users);
  new Int32Array(buffer, oItems, n).set(train.items);
  new Float32Array(buffer, oRatings, n).set(train.ratings);
  const p = new Float32Array(buffer, oP, state.userFactors.length);
  const q = new Float32Array(buffer, oQ, state.itemFactors.length);
  const bu = new Float32Array(buffer, oBu, state.userBias.length);
  const bi = new Float32Array(buffer, oBi, state.itemBias.length);
  p.set(state.userFactors);
  q.set(state.itemFactors);
  bu.set(state.userBias);
  bi.set(state.itemBias);
  return {
    order,
    epoch: () =>
      kernel(oOrder, n, oUsers, oItems, oRatings, oP, oQ, oBu, oBi, k, state.mu, rates.lr, rates.reg),
    finish() {
      state.userFactors.set(p);
      state.itemFactors.set(q);
      state.userBias.set(bu);
      state.itemBias.set(bi);
    },
  };
}
