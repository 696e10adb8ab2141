/**
 * Detection of a low-and-slow rating push (docs/threat-model.md, S5): accounts that stay under the
 * daily cap still push a title when they rate it at the top of the scale, day after day. Such a
 * rating on a title that is cold and poorly rated is rare in organic traffic — on ml-latest-small,
 * never twice for one title in one UTC day — so a title that gets `PUSH_FLAG_AT` of them in a day is
 * flagged, counted and put on the day's `pushed:<day>` board for a person to look at. Pure rules,
 * shared by the movie actors and the poisoning simulation.
 */

/** The ratings a title has before one that may push it: a title is cold below `coldBelow`. */
export interface PushRule {
  /** A rating at or above this (stars) is at the top of the scale. */
  readonly top: number;
  /** A title with fewer ratings than this is cold (and with fewer than `minRatings`, unjudged). */
  readonly coldBelow: number;
  readonly minRatings: number;
  /** A title whose mean rating is at most this is poorly rated. */
  readonly poorMean: number;
  /** Push ratings of one title in one UTC day that flag it. */
  readonly flagAt: number;
}

/** Top ratings (≥ 4.5) of cold (5–49 ratings), poorly rated (mean ≤ 3) titles; two in a day flag one. */
export const PUSH_RULE: PushRule = { top: 4.5, coldBelow: 50, minRatings: 5, poorMean: 3, flagAt: 2 };

/** Whether `rating` pushes a title whose ratings so far are `histogram` (per star, index r − 1). */
export function isPushRating(
  rating: number,
  histogram: readonly number[],
  rule: PushRule = PUSH_RULE,
): boolean {
  if (rating < rule.top) return false;
  let n = 0;
  let sum = 0;
  histogram.forEach((count, j) => {
    n += count;
    sum += count * (j + 1);
  });
  return n >= rule.minRatings && n < rule.coldBelow && sum <= rule.poorMean * n;
}
