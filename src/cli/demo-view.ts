import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { RedisKeys } from '../store/redis-keys.ts';
import { readUserFactors } from '../state/user-state.ts';

/** One snapshot of what has flowed where, for the demo's live view. */
export interface FlowSnapshot {
  readonly ratings: number;
  readonly watches: number;
  readonly users: number;
  readonly movies: number;
  /** The most popular movies right now (decayed popularity), best first. */
  readonly popular: readonly string[];
  /** Norm of one user's live factor vector and their bias, to watch SGD at work. */
  readonly watched: { userId: string; norm: number; bias: number } | undefined;
}

/** Reads the Postgres row counts, the popularity leaderboard and one user's live factors. */
export async function snapshotFlow(
  pool: pg.Pool,
  redis: Redis,
  keys: RedisKeys,
  userId: string,
): Promise<FlowSnapshot> {
  const [counts, popular, live] = await Promise.all([
    pool.query<{ ratings: number; watches: number; users: number; movies: number }>(
      `SELECT (SELECT count(*)::int FROM ratings) AS ratings, (SELECT count(*)::int FROM watches) AS watches,
              (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM movies) AS movies`,
    ),
    redis.zrevrange(keys.leaderboard('popularity'), 0, 0),
    readUserFactors(redis, keys, userId),
  ]);
  const row = counts.rows[0] ?? { ratings: 0, watches: 0, users: 0, movies: 0 };
  let watched: FlowSnapshot['watched'];
  if (live.vector !== null) watched = { userId, norm: Math.hypot(...live.vector), bias: live.bias ?? 0 };
  return { ...row, popular, watched };
}

/** A count for people: 950, 9500, 12k, 1.2M. */
export function compact(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${Math.round(n / 1_000)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** The snapshot as one short line; `titleOf` turns a movie id into its title. */
export function formatFlow(s: FlowSnapshot, titleOf: (movieId: string) => string): string {
  const top = s.popular[0] === undefined ? '' : ` · most popular now: ${titleOf(s.popular[0])}`;
  const user =
    s.watched === undefined
      ? ''
      : ` · user ${s.watched.userId}: |p_u| ${s.watched.norm.toFixed(3)}, b_u ${s.watched.bias.toFixed(3)}`;
  return `postgres: ${compact(s.ratings)} ratings, ${compact(s.watches)} watches, ${compact(s.users)} users${top}${user}`;
}

/** The first `shown` entries, then how many more: `A · B · C … +17` (titles may hold commas). */
export function formatTitles(titles: readonly string[], shown = 4): string {
  if (titles.length === 0) return '(empty)';
  const more = titles.length > shown ? ` … +${titles.length - shown}` : '';
  return `${titles.slice(0, shown).join(' · ')}${more}`;
}

/** A duration in seconds: two decimals below 10 s, one above. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
