/**
 * From the rating log to what the retrain fits: the daily per-movie training cap applied as the
 * movie actors apply it (in time order, per movie and UTC day of the rating, the first `dailyCap`
 * raters are learned, each (user, movie) once, and the rest only counted), then the latest rating
 * per (user, movie) — a user who changes their mind is trained on the new rating only. Pure:
 * columns in, a RatingSet out.
 */
import type { RatingSet } from '../../model/ratings/rating-set.ts';

/** The columns the retrain reads (src/store/postgres/rating-log.ts's RatingSnapshot has them). */
export interface RatingColumns {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** Epoch ms, non-decreasing. */
  readonly times: Float64Array;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
}

/** The rating set to fit, and what was left out of the log. */
export interface TrainingSet {
  readonly set: RatingSet;
  /** Ratings over a movie's daily cap: counted by the actors, never learned. */
  readonly capped: number;
  /** Older ratings of a (user, movie) pair rated again later. */
  readonly superseded: number;
}

const DAY_MS = 86_400_000;

/** Applies the daily cap and keeps the latest rating per pair; rows stay in time order. */
export function buildTrainingSet(log: RatingColumns, dailyCap: number): TrainingSet {
  const n = log.users.length;
  const keep = new Uint8Array(n);
  const nItems = log.itemIds.length;
  const sequence = timeOrder(log.times);
  const capped = applyDailyCap(log, sequence, dailyCap, keep);
  const superseded = dropSuperseded(log, sequence, keep);
  const size = n - capped - superseded;
  const users = new Int32Array(size);
  const items = new Int32Array(size);
  const ratings = new Float32Array(size);
  const timestamps = new Float64Array(size);
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0, j = 0; k < n; k++) {
    if (keep[k] === 0) continue;
    users[j] = log.users[k] as number;
    items[j] = log.items[k] as number;
    const r = log.ratings[k] as number;
    ratings[j] = r;
    timestamps[j] = (log.times[k] as number) / 1000;
    if (r < min) min = r;
    if (r > max) max = r;
    j++;
  }
  const set: RatingSet = {
    users,
    items,
    ratings,
    timestamps,
    nUsers: log.userIds.length,
    nItems,
    userIds: log.userIds,
    itemIds: log.itemIds,
    // The course's and MovieLens's scales; a log of only 4s must not clip every prediction to 4.
    scale: { min: Math.min(min, 1), max: Math.max(max, 5) },
  };
  return { set, capped, superseded };
}

/** The row indices in time order: the log's own order, or (when it is not) a stable sort by time. */
function timeOrder(times: Float64Array): Int32Array {
  const order = new Int32Array(times.length);
  for (let k = 0; k < order.length; k++) order[k] = k;
  for (let k = 1; k < times.length; k++) {
    if ((times[k] as number) < (times[k - 1] as number))
      return order.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  }
  return order;
}

/** The rows of `sequence` (all rows in time order) grouped by user: user u's are rows[start[u]..start[u+1]). */
function groupByUser(log: RatingColumns, sequence: Int32Array): { start: Int32Array; rows: Int32Array } {
  const nUsers = log.userIds.length;
  const next = new Int32Array(nUsers + 1);
  for (let j = 0; j < sequence.length; j++) next[(log.users[sequence[j] as number] as number) + 1]! += 1;
  for (let u = 0; u < nUsers; u++) next[u + 1]! += next[u] as number;
  const start = next.slice();
  const rows = new Int32Array(sequence.length);
  for (let j = 0; j < sequence.length; j++) {
    const k = sequence[j] as number;
    rows[next[log.users[k] as number]!++] = k;
  }
  return { start, rows };
}

/**
 * Sets `keep` as the movie actors' daily cap decides (src/guardrails/rating-budget.ts): per movie
 * and UTC day, the first `dailyCap` raters are learned, a rater's later ratings that day follow
 * their first (kept when it was, and spending no slot: the latest is what dropSuperseded keeps), and
 * the rest are capped. Returns how many were capped. Typed arrays only: no set of a million pairs.
 */
function applyDailyCap(log: RatingColumns, sequence: Int32Array, dailyCap: number, keep: Uint8Array): number {
  const n = sequence.length;
  if (!reachesCap(log, sequence, dailyCap)) {
    keep.fill(1);
    return 0;
  }
  // first[k]: the row of the same (user, movie, UTC day) that came first in time (k itself if none).
  const first = new Int32Array(n);
  const { start, rows } = groupByUser(log, sequence);
  const mark = new Int32Array(log.itemIds.length).fill(-1);
  const markDay = new Float64Array(log.itemIds.length);
  const markRow = new Int32Array(log.itemIds.length);
  for (let u = 0; u < log.userIds.length; u++) {
    for (let at = start[u] as number; at < (start[u + 1] as number); at++) {
      const k = rows[at] as number;
      const item = log.items[k] as number;
      const d = Math.floor((log.times[k] as number) / DAY_MS);
      if (mark[item] === u && markDay[item] === d) first[k] = markRow[item] as number;
      else {
        mark[item] = u;
        markDay[item] = d;
        markRow[item] = k;
        first[k] = k;
      }
    }
  }
  const day = new Float64Array(log.itemIds.length).fill(-Infinity);
  const used = new Int32Array(log.itemIds.length);
  let capped = 0;
  for (let j = 0; j < n; j++) {
    const k = sequence[j] as number;
    const item = log.items[k] as number;
    const d = Math.floor((log.times[k] as number) / DAY_MS);
    if (d !== day[item]) {
      day[item] = d;
      used[item] = 0;
    }
    const f = first[k] as number;
    if (f !== k) keep[k] = keep[f] as number;
    else if ((used[item] as number) < dailyCap) {
      used[item]! += 1;
      keep[k] = 1;
    }
    if (keep[k] === 0) capped++;
  }
  return capped;
}

/** Whether some movie has more than `dailyCap` ratings on one UTC day (else nothing is capped). */
function reachesCap(log: RatingColumns, sequence: Int32Array, dailyCap: number): boolean {
  const day = new Float64Array(log.itemIds.length).fill(-Infinity);
  const used = new Int32Array(log.itemIds.length);
  for (let j = 0; j < sequence.length; j++) {
    const k = sequence[j] as number;
    const item = log.items[k] as number;
    const d = Math.floor((log.times[k] as number) / DAY_MS);
    if (d !== day[item]) {
      day[item] = d;
      used[item] = 0;
    }
    if (++used[item]! > dailyCap) return true;
  }
  return false;
}

/**
 * Clears `keep` for every kept rating of a (user, movie) pair that a later kept row rates again, and
 * returns how many. Rows are grouped by user with typed arrays (a counting sort) and walked latest
 * first against a per-movie mark: no hash set of a million pairs.
 */
function dropSuperseded(log: RatingColumns, sequence: Int32Array, keep: Uint8Array): number {
  let size = 0;
  for (let k = 0; k < keep.length; k++) size += keep[k] as number;
  const kept = new Int32Array(size);
  for (let j = 0, at = 0; j < sequence.length; j++) {
    const k = sequence[j] as number;
    if (keep[k] === 1) kept[at++] = k;
  }
  const { start, rows } = groupByUser(log, kept);
  const mark = new Int32Array(log.itemIds.length).fill(-1);
  let superseded = 0;
  for (let u = 0; u < log.userIds.length; u++) {
    for (let at = (start[u + 1] as number) - 1; at >= (start[u] as number); at--) {
      const k = rows[at] as number;
      const item = log.items[k] as number;
      if (mark[item] === u) {
        keep[k] = 0;
        superseded++;
      } else mark[item] = u;
    }
  }
  return superseded;
}
