/**
 * From the rating log to what the retrain fits: the daily per-movie training cap applied as the
 * movie actors apply it (in time order, per movie and UTC day of the rating, the first `dailyCap`
 * ratings are learned and the rest only counted), then the latest rating per (user, movie) — a user
 * who changes their mind is trained on the new rating only. Pure: columns in, a RatingSet out.
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
  const capped = applyDailyCap(log, dailyCap, keep) ?? applyDailyCapInAnyOrder(log, dailyCap, keep);
  const superseded = dropSuperseded(log, keep);
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

/**
 * Sets `keep` for the first `dailyCap` ratings of each movie per UTC day and returns how many were
 * over; one counter per movie, as the log's rows come in time order. Returns null (and leaves `keep`
 * for the caller to redo) when a movie's days go backwards, i.e. the rows are not in time order.
 */
function applyDailyCap(log: RatingColumns, dailyCap: number, keep: Uint8Array): number | null {
  const day = new Float64Array(log.itemIds.length).fill(-Infinity);
  const used = new Int32Array(log.itemIds.length);
  let capped = 0;
  for (let k = 0; k < log.users.length; k++) {
    const item = log.items[k] as number;
    const d = Math.floor((log.times[k] as number) / DAY_MS);
    if (d !== day[item]) {
      if (d < (day[item] as number)) return null;
      day[item] = d;
      used[item] = 0;
    }
    if ((used[item] as number) >= dailyCap) capped++;
    else {
      used[item]! += 1;
      keep[k] = 1;
    }
  }
  return capped;
}

/** applyDailyCap for rows in any order: a counter per (movie, day). */
function applyDailyCapInAnyOrder(log: RatingColumns, dailyCap: number, keep: Uint8Array): number {
  keep.fill(0);
  const perMovieDay = new Map<number, number>();
  let capped = 0;
  for (let k = 0; k < log.users.length; k++) {
    const key = (log.items[k] as number) * 65_536 + Math.floor((log.times[k] as number) / DAY_MS);
    const used = perMovieDay.get(key) ?? 0;
    if (used >= dailyCap) {
      capped++;
      continue;
    }
    perMovieDay.set(key, used + 1);
    keep[k] = 1;
  }
  return capped;
}

/**
 * Clears `keep` for every kept rating of a (user, movie) pair that a later kept row rates again, and
 * returns how many. Rows are grouped by user with typed arrays (a counting sort) and walked latest
 * first against a per-movie mark: no hash set of a million pairs.
 */
function dropSuperseded(log: RatingColumns, keep: Uint8Array): number {
  const nUsers = log.userIds.length;
  const next = new Int32Array(nUsers + 1);
  for (let k = 0; k < keep.length; k++) if (keep[k] === 1) next[(log.users[k] as number) + 1]! += 1;
  for (let u = 0; u < nUsers; u++) next[u + 1]! += next[u] as number;
  const start = next.slice();
  const rows = new Int32Array(next[nUsers] as number);
  for (let k = 0; k < keep.length; k++) if (keep[k] === 1) rows[next[log.users[k] as number]!++] = k;
  const mark = new Int32Array(log.itemIds.length).fill(-1);
  let superseded = 0;
  for (let u = 0; u < nUsers; u++) {
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
