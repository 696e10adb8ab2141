import { subsetRatings } from '../ratings/build-rating-set.ts';
import { createRandom } from '../../lib/random.ts';
import type { RatingSet } from '../ratings/rating-set.ts';

/** One train/test partition of a rating set; both halves share the parent's dense indexing. */
export interface Split {
  readonly name: string;
  readonly train: RatingSet;
  readonly test: RatingSet;
}

function rowsWhere(n: number, inTest: Uint8Array, wanted: number): Int32Array {
  let count = 0;
  for (let k = 0; k < n; k++) if (inTest[k] === wanted) count++;
  const rows = new Int32Array(count);
  let at = 0;
  for (let k = 0; k < n; k++) if (inTest[k] === wanted) rows[at++] = k;
  return rows;
}

function splitByMask(set: RatingSet, name: string, inTest: Uint8Array): Split {
  const n = set.ratings.length;
  return {
    name,
    train: subsetRatings(set, rowsWhere(n, inTest, 0)),
    test: subsetRatings(set, rowsWhere(n, inTest, 1)),
  };
}

/** Row indices ordered by timestamp, ties by row: the order "later" means in every time split. */
function byTime(set: RatingSet): Int32Array {
  const order = Int32Array.from({ length: set.ratings.length }, (_, k) => k);
  const ts = set.timestamps;
  return order.sort((a, b) => (ts[a] as number) - (ts[b] as number) || a - b);
}

/**
 * k folds of a seeded shuffle (as Surprise's KFold): fold f tests on the f-th contiguous chunk of the
 * shuffled rows and trains on the rest, so every rating is tested exactly once.
 */
export function kFoldSplits(set: RatingSet, folds: number, seed: number): Split[] {
  const n = set.ratings.length;
  if (folds < 2 || folds > n) throw new RangeError(`folds must be in 2..${n}, got ${folds}`);
  const random = createRandom(seed);
  const order = Int32Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = random.int(k + 1);
    const t = order[k] as number;
    order[k] = order[j] as number;
    order[j] = t;
  }
  return Array.from({ length: folds }, (_, f) => {
    const inTest = new Uint8Array(n);
    const start = Math.floor((f * n) / folds);
    const end = Math.floor(((f + 1) * n) / folds);
    for (let k = start; k < end; k++) inTest[order[k] as number] = 1;
    return splitByMask(set, `fold ${f + 1}/${folds}`, inTest);
  });
}

/**
 * A global cut-off in time: the latest `testFraction` of all ratings are the test set. The
 * deployment-realistic split — the model never sees the future — but test users may be new (fallback).
 */
export function timeCutoffSplit(set: RatingSet, testFraction: number): Split {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`test fraction must be in (0, 1)`);
  const order = byTime(set);
  const n = order.length;
  const firstTest = Math.min(n - 1, Math.floor(n * (1 - testFraction)));
  const inTest = new Uint8Array(n);
  for (let k = firstTest; k < n; k++) inTest[order[k] as number] = 1;
  const cutoff = set.timestamps[order[firstTest] as number] ?? 0;
  return splitByMask(set, `time cut-off ${new Date(cutoff * 1000).toISOString().slice(0, 10)}`, inTest);
}

/**
 * An earlier origin of a time split: the first `trainFraction` of all ratings by time train, the next
 * `testFraction` test, and later ratings are dropped. Several of these before a final cut-off give a
 * tuning set that never looks at the final test period (rolling-origin evaluation).
 */
export function timeWindowSplit(set: RatingSet, trainFraction: number, testFraction: number): Split {
  if (!(trainFraction > 0 && testFraction > 0 && trainFraction + testFraction <= 1))
    throw new RangeError(`fractions must be positive and sum to at most 1`);
  const order = byTime(set);
  const n = order.length;
  const firstTest = Math.floor(n * trainFraction);
  const end = Math.min(n, Math.floor(n * (trainFraction + testFraction)));
  const trainRows = order.slice(0, firstTest).sort();
  const testRows = order.slice(firstTest, end).sort();
  const cutoff = set.timestamps[order[firstTest] as number] ?? 0;
  return {
    name: `time window from ${new Date(cutoff * 1000).toISOString().slice(0, 10)}`,
    train: subsetRatings(set, trainRows),
    test: subsetRatings(set, testRows),
  };
}

/**
 * Each user's last `n` ratings by time are the test set; users with `n` or fewer ratings stay wholly in
 * training, so every test user is known to the model.
 */
export function lastNPerUserSplit(set: RatingSet, n: number): Split {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`n must be a positive integer, got ${n}`);
  const order = byTime(set);
  const perUser = new Int32Array(set.nUsers);
  for (let k = 0; k < order.length; k++) perUser[set.users[k] as number]! += 1;
  const seenFromEnd = new Int32Array(set.nUsers);
  const inTest = new Uint8Array(order.length);
  for (let k = order.length - 1; k >= 0; k--) {
    const row = order[k] as number;
    const u = set.users[row] as number;
    if ((perUser[u] as number) > n && (seenFromEnd[u] as number) < n) {
      inTest[row] = 1;
      seenFromEnd[u]! += 1;
    }
  }
  return splitByMask(set, `last ${n} per user`, inTest);
}

/** Which split to evaluate on, as `marquee train --split` and the bench name it. */
export type SplitSpec =
  | { readonly kind: 'kfold'; readonly folds: number; readonly seed: number }
  | { readonly kind: 'time-cutoff'; readonly testFraction: number }
  | { readonly kind: 'last-n'; readonly n: number };

/** The splits a spec names: k folds, or one time split. */
export function makeSplits(set: RatingSet, spec: SplitSpec): Split[] {
  switch (spec.kind) {
    case 'kfold':
      return kFoldSplits(set, spec.folds, spec.seed);
    case 'time-cutoff':
      return [timeCutoffSplit(set, spec.testFraction)];
    case 'last-n':
      return [lastNPerUserSplit(set, spec.n)];
  }
}
