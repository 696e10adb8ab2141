/**
 * The rating-poison budgets, as pure rules shared by the movie actors, the retrain and the API (and
 * by simulations of attacks on them):
 * - a movie learns from at most `dailyCap` raters per UTC day; a (user, movie) pair spends that cap
 *   once a day — a re-rating replaces the earlier rating (in the log and the retrain, where the
 *   latest rating of a pair wins) instead of taking another training step or another slot;
 * - a token subject may record at most `quota` ratings per UTC day through the API.
 */

/** What the daily cap makes of one rating of a movie. */
export type CapDecision =
  /** Learned: the rater takes one of the day's `dailyCap` slots. */
  | 'learn'
  /** The rater's rating of this movie was already learned today: replaces it, spends nothing. */
  | 'again'
  /** The day's slots are spent: counted, not learned. */
  | 'capped';

/** The raters a movie learned from on its current UTC day (one slot each). */
export interface DayRaters {
  has(userId: string): boolean;
  readonly size: number;
}

/**
 * The daily cap's rule for one rating of a movie by `userId`, given the raters it learned from on
 * the rating's day. A repeat is never a second step: online SGD cannot take back the first, so each
 * extra step would let one account move q_i again, without bound.
 */
export function capDecision(learnedToday: DayRaters, userId: string, dailyCap: number): CapDecision {
  if (learnedToday.has(userId)) return 'again';
  return learnedToday.size < dailyCap ? 'learn' : 'capped';
}

const DAY_MS = 86_400_000;

/** The UTC day (`2024-01-31`) of an epoch-ms time: the unit of both budgets. */
export function budgetDay(atMs: number): string {
  return new Date(Math.floor(atMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** Seconds from `nowMs` until the next UTC midnight, when a spent quota is renewed (at least 1). */
export function secondsUntilNextDay(nowMs: number): number {
  return Math.max(1, Math.ceil((DAY_MS - (nowMs % DAY_MS)) / 1000));
}

/**
 * The account a rating is charged to: the token's subject, except for a privileged token (admin or
 * service, which rate on behalf of users): it is charged to the user it rates for, so a relay of many
 * users' ratings is bounded per user rather than stopped as one account.
 */
export function quotaSubject(sub: string, userId: string, privileged: boolean): string {
  return privileged ? `user:${userId}` : `sub:${sub}`;
}

/** Whether a subject that has recorded `used` ratings today may record one more (quota 0: no quota). */
export function withinQuota(used: number, quota: number): boolean {
  return quota === 0 || used < quota;
}
