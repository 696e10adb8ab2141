/**
 * The test period's own most-liked titles: per item, the held-out ratings at or above the relevance
 * bar. A list built from it peeks at the future, so no list that is the same for every user can hit
 * much more: a ceiling to read popularity lists and served lists against (most judged users of the
 * course are new: their lists cannot be personal), never a baseline. The ranker report's last row
 * (ranking-report.ts) and the course check (test/support/course-scores.ts) both count with this.
 */

/**
 * Counts, per item index, the held-out ratings ≥ `relevantAt` (`items[k]` rated `ratings[k]`) into
 * `out` (length nItems); indices outside `out` are skipped.
 */
export function countHeldOutFavourites(
  items: ArrayLike<number>,
  ratings: ArrayLike<number>,
  relevantAt: number,
  out: Float32Array,
): Float32Array {
  if (items.length !== ratings.length)
    throw new RangeError(`${items.length} items but ${ratings.length} ratings`);
  out.fill(0);
  for (let k = 0; k < items.length; k++) {
    const i = items[k] as number;
    if ((ratings[k] as number) >= relevantAt && i >= 0 && i < out.length) out[i]! += 1;
  }
  return out;
}
