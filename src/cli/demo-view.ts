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
    redis.zrevrange(keys.leaderboard('popularity'), 0, 2),
    readUserFactors(redis, keys, userId),
  ]);
  const row = counts.rows[0] ?? { ratings: 0, watches: 0, users: 0, movies: 0 };
  let watched: FlowSnapshot['watched'];
  if (live.vector !== null) watched = { userId, norm: Math.hypot(...live.vector), bias: live.bias ?? 0 };
  return { ...row, popular, watched };
}

/** The snapshot as one line. */
export function formatFlow(s: FlowSnapshot): string {
  const user =
    s.watched === undefined
      ? ''
      : ` | user ${s.watched.userId}: |p_u| ${s.watched.norm.toFixed(3)}, b_u ${s.watched.bias.toFixed(3)}`;
  return `postgres ${s.ratings} ratings, ${s.watches} watches, ${s.users} users, ${s.movies} movies | top: ${s.popular.join(', ') || '-'}${user}`;
}
