import type { RatingSet } from '../ratings/rating-set.ts';
import { createWasmMemory, instantiateSgdEpoch, ORDER_SPARE } from '../kernels/sgd-epoch-wasm.ts';
import { sgdStep, type FactorState, type SgdRates } from './sgd-step.ts';

/**
 * Runs whole SGD epochs over a training set in the order held in `order` (which callers may shuffle).
 * Runners hold the ratings in their own user-major layout (a user's ratings together, in input order:
 * Surprise's order when not shuffling), so the default epoch reads them front to back. Visiting the
 * rows of a time-ordered set through a user-major index instead missed the cache on nearly every
 * rating: on bench:retrain's million ratings a default fit took 3.6 s of CPU against 0.65 s now, for
 * the same model bit for bit (default, shuffled and plain TypeScript runs compared).
 */
export interface EpochRunner {
  /** Positions in the runner's user-major layout, visited in this order; starts as 0, 1, …, n − 1. */
  readonly order: Int32Array;
  /** The arrays the epochs update (for the WebAssembly runners, views into its memory). */
  readonly state: FactorState;
  /** One pass over `order`; returns Σ err² of the pre-step errors. */
  epoch(): number;
  /** Ends training and returns the trained state in arrays the runner no longer touches. */
  finish(): FactorState;
}

/** Copies the ratings into `users`, `items`, `ratings` grouped by user, input order within a user (a counting sort). */
function layOutUserMajor(
  train: RatingSet,
  users: Int32Array,
  items: Int32Array,
  ratings: Float32Array,
): void {
  const next = new Int32Array(train.nUsers + 1);
  for (let k = 0; k < train.users.length; k++) next[(train.users[k] as number) + 1]! += 1;
  for (let u = 0; u < train.nUsers; u++) next[u + 1]! += next[u] as number;
  for (let k = 0; k < train.users.length; k++) {
    const at = next[train.users[k] as number]!++;
    users[at] = train.users[k] as number;
    items[at] = train.items[k] as number;
    ratings[at] = train.ratings[k] as number;
  }
}

/** 0, 1, …, n − 1 into `out`. */
function identity(out: Int32Array): Int32Array {
  for (let k = 0; k < out.length; k++) out[k] = k;
  return out;
}

/** Plain TypeScript: sgdStep per rating, in place on the state. Any number of factors. */
export function createJsEpochRunner(train: RatingSet, state: FactorState, rates: SgdRates): EpochRunner {
  const n = train.ratings.length;
  const [users, items, ratings] = [new Int32Array(n), new Int32Array(n), new Float32Array(n)];
  layOutUserMajor(train, users, items, ratings);
  const order = identity(new Int32Array(n));
  return {
    order,
    state,
    epoch() {
      let sq = 0;
      for (let k = 0; k < order.length; k++) {
        const row = order[k] as number;
        const err = sgdStep(state, users[row] as number, items[row] as number, ratings[row] as number, rates);
        sq += err * err;
      }
      return sq;
    },
    finish: () => state,
  };
}

/** Allocates a state with zero biases and zero factors (initialise the factors in place). */
export function zeroState(train: RatingSet, factors: number, mu: number): FactorState {
  return {
    mu,
    factors,
    userBias: new Float32Array(train.nUsers),
    itemBias: new Float32Array(train.nItems),
    userFactors: new Float32Array(train.nUsers * factors),
    itemFactors: new Float32Array(train.nItems * factors),
  };
}

/**
 * The WebAssembly SIMD kernel with everything in one linear memory (16-byte aligned blocks): ratings,
 * order, biases and factors. `state` starts as zeros and lives in that memory, so the caller
 * initialises the factors there and nothing is copied per epoch; `finish` copies the result out once.
 * Needs factors % 4 === 0.
 */
export function createWasmEpochRunnerInPlace(
  train: RatingSet,
  factors: number,
  mu: number,
  rates: SgdRates,
): EpochRunner {
  const k = factors;
  if (k % 4 !== 0) throw new RangeError(`the SIMD kernel needs factors divisible by 4, got ${k}`);
  const n = train.ratings.length;
  const { nUsers, nItems } = train;
  const words = [n + ORDER_SPARE, n, n, n, nUsers * k, nItems * k, nUsers, nItems];
  const offsets: number[] = [];
  let bytes = 0;
  for (const w of words) {
    offsets.push(bytes);
    bytes += Math.ceil((w * 4) / 16) * 16;
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
  // The spare slots past the order stay 0 (a valid row) for the kernel's look-ahead.
  const order = identity(new Int32Array(buffer, oOrder, n));
  layOutUserMajor(
    train,
    new Int32Array(buffer, oUsers, n),
    new Int32Array(buffer, oItems, n),
    new Float32Array(buffer, oRatings, n),
  );
  const state: FactorState = {
    mu,
    factors: k,
    userFactors: new Float32Array(buffer, oP, nUsers * k),
    itemFactors: new Float32Array(buffer, oQ, nItems * k),
    userBias: new Float32Array(buffer, oBu, nUsers),
    itemBias: new Float32Array(buffer, oBi, nItems),
  };
  return {
    order,
    state,
    epoch: () =>
      n === 0 ? 0 : kernel(oOrder, n, oUsers, oItems, oRatings, oP, oQ, oBu, oBi, k, mu, rates.lr, rates.reg),
    finish: () => ({
      mu,
      factors: k,
      userFactors: state.userFactors.slice(),
      itemFactors: state.itemFactors.slice(),
      userBias: state.userBias.slice(),
      itemBias: state.itemBias.slice(),
    }),
  };
}

/** As createWasmEpochRunnerInPlace, starting from a copy of `state`; `finish` writes the result back into it. */
export function createWasmEpochRunner(train: RatingSet, state: FactorState, rates: SgdRates): EpochRunner {
  const runner = createWasmEpochRunnerInPlace(train, state.factors, state.mu, rates);
  const inner = runner.state;
  inner.userFactors.set(state.userFactors);
  inner.itemFactors.set(state.itemFactors);
  inner.userBias.set(state.userBias);
  inner.itemBias.set(state.itemBias);
  return {
    order: runner.order,
    state: inner,
    epoch: () => runner.epoch(),
    finish() {
      state.userFactors.set(inner.userFactors);
      state.itemFactors.set(inner.itemFactors);
      state.userBias.set(inner.userBias);
      state.itemBias.set(inner.itemBias);
      return state;
    },
  };
}
