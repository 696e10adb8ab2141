import type { UserRecord } from '../data/dataset.ts';
import type { ReplayMessage } from '../data/replay.ts';

/** Below this age a user is a minor (the age policy's adult age). */
const ADULT_AGE = 18;

/** A user the demo shows, with why they were picked. */
export interface ShowcaseUser {
  readonly userId: string;
  readonly age: number;
  /** Rating lines of theirs in the replay. */
  readonly ratings: number;
}

/** Rating lines per user among the replay's well-formed lines. */
export function ratingCounts(messages: readonly ReplayMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) {
    if (m.corruption !== undefined || typeof m.value !== 'string' || !m.value.includes('GET /rate/'))
      continue;
    counts.set(m.key, (counts.get(m.key) ?? 0) + 1);
  }
  return counts;
}

/**
 * The minor and the adult with the most ratings in the replay, so each has a personal list to show
 * (ties: the lower id, for a stable pick). Undefined when the world has no such user.
 */
export function pickShowcaseUsers(
  users: readonly UserRecord[],
  counts: ReadonlyMap<string, number>,
): { minor: ShowcaseUser | undefined; adult: ShowcaseUser | undefined } {
  let minor: ShowcaseUser | undefined;
  let adult: ShowcaseUser | undefined;
  const better = (a: ShowcaseUser, b: ShowcaseUser | undefined) =>
    b === undefined ||
    a.ratings > b.ratings ||
    (a.ratings === b.ratings && Number(a.userId) < Number(b.userId));
  for (const u of users) {
    if (u.age === null) continue;
    const candidate = { userId: u.userId, age: u.age, ratings: counts.get(u.userId) ?? 0 };
    if (candidate.ratings === 0) continue;
    if (u.age < ADULT_AGE) {
      if (better(candidate, minor)) minor = candidate;
    } else if (better(candidate, adult)) adult = candidate;
  }
  return { minor, adult };
}

/** Numeric user ids after every id of the world, in order: where a never-seen user is looked for. */
export function* idsAfter(users: readonly UserRecord[]): Generator<string> {
  let last = 0;
  for (const u of users) if (/^\d{1,12}$/.test(u.userId)) last = Math.max(last, Number(u.userId));
  for (let id = last + 1; ; id++) yield String(id);
}
