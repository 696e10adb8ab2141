import type { RatingScale, RatingSet } from './rating-set.ts';

/**
 * Ratings grouped by one side (users or items) in compressed-row form, so trainers can walk a
 * user's or an item's ratings without allocating. Within a row, entries keep the order of the
 * rating set, which makes "by user" the same pass order Surprise uses (`trainset.all_ratings()`).
 */
export interface RatingRows {
  /** Row r's entries are offsets[r] .. offsets[r + 1] - 1; length nRows + 1. */
  readonly offsets: Int32Array;
  /** The other side's dense index, per entry. */
  readonly cols: Int32Array;
  /** The rating, per entry. */
  readonly values: Float32Array;
  /** Number of rows (users when grouped by user, items when grouped by item). */
  readonly nRows: number;
}

/** Groups a rating set by user: row = user, cols = items. */
export function rowsByUser(set: RatingSet): RatingRows {
  return groupRows(set.users, set.items, set.ratings, set.nUsers);
}

/** Groups a rating set by item: row = item, cols = users. */
export function rowsByItem(set: RatingSet): RatingRows {
  return groupRows(set.items, set.users, set.ratings, set.nItems);
}

/** Counting sort by row: O(n + nRows), stable. */
function groupRows(rows: Int32Array, cols: Int32Array, values: Float32Array, nRows: number): RatingRows {
  const offsets = new Int32Array(nRows + 1);
  for (let k = 0; k < rows.length; k++) {
    const slot = (rows[k] as number) + 1;
    offsets[slot] = (offsets[slot] as number) + 1;
  }
  for (let r = 0; r < nRows; r++) offsets[r + 1] = (offsets[r + 1] as number) + (offsets[r] as number);
  const cursor = offsets.slice(0, nRows);
  const outCols = new Int32Array(rows.length);
  const outValues = new Float32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k] as number;
    const at = cursor[r] as number;
    cursor[r] = at + 1;
    outCols[at] = cols[k] as number;
    outValues[at] = values[k] as number;
  }
  return { offsets, cols: outCols, values: outValues, nRows };
}

/** True when `row` is a valid index with at least one training rating (Surprise's `knows_user/item`). */
export function isKnown(rows: RatingRows, row: number): boolean {
  return row >= 0 && row < rows.nRows && (rows.offsets[row + 1] as number) > (rows.offsets[row] as number);
}

/** The mean of all ratings; 0 for an empty set. */
export function globalMeanOf(set: RatingSet): number {
  let sum = 0;
  for (let k = 0; k < set.ratings.length; k++) sum += set.ratings[k] as number;
  return set.ratings.length === 0 ? 0 : sum / set.ratings.length;
}

/** Clips an estimate to the rating scale, as Surprise's `predict(clip=True)` does. */
export function clipToScale(estimate: number, scale: RatingScale): number {
  return estimate < scale.min ? scale.min : estimate > scale.max ? scale.max : estimate;
}
