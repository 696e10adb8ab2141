import type { RatingScale, RatingSet } from './rating-set.ts';

/** The fields of a rating record a RatingSet needs (src/data's RatingRecord has them). */
export interface RatingInput {
  readonly userId: string;
  readonly movieId: string;
  readonly rating: number;
  /** Seconds since the epoch; 0 where unknown. */
  readonly timestamp?: number;
}

/**
 * Builds a RatingSet with dense indices in first-seen order (deterministic for a given input order).
 * The scale defaults to the observed min and max rating.
 */
export function buildRatingSet(records: readonly RatingInput[], scale?: RatingScale): RatingSet {
  const n = records.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  const timestamps = new Float64Array(n);
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const userIds: string[] = [];
  const itemIds: string[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    const r = records[k] as RatingInput;
    let u = userIndex.get(r.userId);
    if (u === undefined) {
      u = userIds.length;
      userIndex.set(r.userId, u);
      userIds.push(r.userId);
    }
    let i = itemIndex.get(r.movieId);
    if (i === undefined) {
      i = itemIds.length;
      itemIndex.set(r.movieId, i);
      itemIds.push(r.movieId);
    }
    users[k] = u;
    items[k] = i;
    ratings[k] = r.rating;
    timestamps[k] = r.timestamp ?? 0;
    if (r.rating < min) min = r.rating;
    if (r.rating > max) max = r.rating;
  }
  return {
    users,
    items,
    ratings,
    timestamps,
    nUsers: userIds.length,
    nItems: itemIds.length,
    userIds,
    itemIds,
    scale: scale ?? (n === 0 ? { min: 1, max: 5 } : { min, max }),
  };
}

/**
 * The ratings at `rows` (indices into `set`), keeping the parent's dense indexing, ids and scale, so a
 * model trained on one subset predicts for the same indices as another (a split's train and test).
 */
export function subsetRatings(set: RatingSet, rows: Int32Array): RatingSet {
  const n = rows.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  const timestamps = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const row = rows[k] as number;
    users[k] = set.users[row] as number;
    items[k] = set.items[row] as number;
    ratings[k] = set.ratings[row] as number;
    timestamps[k] = set.timestamps[row] as number;
  }
  return { ...set, users, items, ratings, timestamps };
}
