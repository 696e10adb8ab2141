import type { Redis } from 'ioredis';
import type { Dataset } from '../data/dataset.ts';
import type { RedisKeys } from './redis-keys.ts';

const BANDS = [
  [13, 'u13'],
  [17, '13-16'],
  [18, '17'],
  [25, '18-24'],
  [35, '25-34'],
  [50, '35-49'],
] as const;

/** The cohort every user falls back to when age and gender are unknown: all users together. */
export const GLOBAL_COHORT = 'all';

/**
 * The cold-start cohort of a user: age band (its edges follow the guardrails' age limits, so one
 * cohort's list suits all its members) and gender. Unknown demographics give the global cohort.
 */
export function cohortOf(age: number | null | undefined, gender: string | null | undefined): string {
  if (age === null || age === undefined || !Number.isFinite(age)) return GLOBAL_COHORT;
  const band = BANDS.find(([under]) => age < under)?.[1] ?? '50+';
  return `${band}:${gender === 'M' || gender === 'F' ? gender : 'x'}`;
}

/** The `limit` most popular movie ids of a cohort, most popular first. */
export async function readPopular(
  redis: Redis,
  keys: RedisKeys,
  cohort: string,
  limit: number,
): Promise<string[]> {
  return redis.zrevrange(keys.popularFor(cohort), 0, limit - 1);
}

/** Stores the list of live popular titles safe for every age (most popular first). */
export async function writeSafeList(redis: Redis, keys: RedisKeys, ids: readonly string[]): Promise<void> {
  await redis.set(keys.safeList(), JSON.stringify(ids));
}

/** The stored safe list; empty when none was written or it is unreadable. */
export async function readSafeList(redis: Redis, keys: RedisKeys): Promise<string[]> {
  const raw = await redis.get(keys.safeList());
  if (raw === null) return [];
  try {
    const ids: unknown = JSON.parse(raw);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Writes every cohort's popularity (ratings and watched minutes count one each) from a dataset, plus
 * the global list; the stream actors keep these sets current once they run. Returns the cohorts.
 */
export async function writePopularLists(redis: Redis, keys: RedisKeys, dataset: Dataset): Promise<string[]> {
  const cohortOfUser = new Map(dataset.users.map((u) => [u.userId, cohortOf(u.age, u.gender)]));
  const counts = new Map<string, Map<string, number>>();
  const bump = (cohort: string, movieId: string) => {
    const m = counts.get(cohort) ?? new Map<string, number>();
    counts.set(cohort, m.set(movieId, (m.get(movieId) ?? 0) + 1));
  };
  for (const { userId, movieId } of [...dataset.ratings, ...dataset.watches]) {
    bump(GLOBAL_COHORT, movieId);
    const cohort = cohortOfUser.get(userId);
    if (cohort !== undefined && cohort !== GLOBAL_COHORT) bump(cohort, movieId);
  }
  const pipeline = redis.pipeline();
  for (const [cohort, m] of counts) {
    const key = keys.popularFor(cohort);
    pipeline.del(key);
    const top = [...m].sort((a, b) => b[1] - a[1]).slice(0, 2000);
    for (let at = 0; at < top.length; at += 500)
      pipeline.zadd(key, ...top.slice(at, at + 500).flatMap(([id, n]) => [n, id]));
  }
  await pipeline.exec();
  return [...counts.keys()];
}
