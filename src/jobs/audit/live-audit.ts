/**
 * The live audit: the audit's guardrail checks (audit-metrics.ts) run over served lists as they
 * arrive in Postgres, a page every couple of seconds, adding to running counts in Redis that the
 * `/live` page and `/metrics` show as "violations so far" (the daily audit remains the full report).
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { readServedAfter } from '../../store/postgres/served-log.ts';
import type { RedisKeys } from '../../store/redis-keys.ts';
import { defaultAuditOptions, readMovies, readUsers, AUDIT_HEAD_SHARE } from './audit-job.ts';
import { AuditAccumulator, allowedGenresByAge, type AuditMovie } from './audit-metrics.ts';

/** What the live audit needs. */
export interface LiveAuditDeps {
  readonly pool: pg.Pool;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** Lists per step at most (default 5,000). */
  readonly pageRows?: number;
  /**
   * Lists younger than this (ms since they reached Postgres) wait for the next step (default 2,000):
   * served_lists' seq is taken when a row is inserted, so a batch still committing may hold seqs
   * below those already visible; reading only settled rows keeps the cursor from skipping them.
   */
  readonly settleMs?: number;
  /** Movie metadata is reloaded this often, ms (default 60,000). */
  readonly moviesEveryMs?: number;
  readonly now?: () => number;
}

/** One step of the live audit. */
export interface LiveAudit {
  /** Checks the lists that arrived since the last step; returns how many it checked. */
  step(): Promise<number>;
}

/** A live audit over `served_lists`, its cursor and counts in the `liveAudit` hash. */
export function createLiveAudit(deps: LiveAuditDeps): LiveAudit {
  const { pool, redis, keys } = deps;
  const now = deps.now ?? Date.now;
  const key = keys.liveAudit();
  let movies: Map<string, AuditMovie> | undefined;
  let allowedGenres: (age: number | null) => number = () => 0;
  let moviesAt = -Infinity;
  return {
    async step() {
      if (movies === undefined || now() - moviesAt > (deps.moviesEveryMs ?? 60_000)) {
        movies = await readMovies(pool, AUDIT_HEAD_SHARE);
        allowedGenres = allowedGenresByAge(defaultAuditOptions.agePolicy, movies.values());
        moviesAt = now();
      }
      // WATCH makes the update conditional on the cursor read here: two workers never count a list twice.
      await redis.watch(key);
      try {
        const after = Number((await redis.hget(key, 'seq')) ?? 0);
        const rows = await readServedAfter(pool, after, deps.pageRows ?? 5_000, {
          ingestedBefore: now() - (deps.settleMs ?? 2_000),
        });
        if (rows.length === 0) return 0;
        const users = await readUsers(pool, [...new Set(rows.map((r) => r.userId))]);
        const known = movies;
        const accumulator = new AuditAccumulator(
          {
            movie: (id) => known.get(id),
            user: (id) => users.get(id),
            history: () => undefined,
            laterInteraction: () => undefined,
            allowedGenres,
          },
          defaultAuditOptions,
        );
        for (const row of rows) accumulator.add(row);
        const v = accumulator.result().violations;
        const done = await redis
          .multi()
          .hincrby(key, 'lists', v.lists)
          .hincrby(key, 'violations', v.total)
          .hincrby(key, 'ageViolations', v.ageViolations)
          .hincrby(key, 'genreViolations', v.genreViolations)
          .hset(key, 'seq', String(rows[rows.length - 1]?.seq ?? after))
          .exec();
        return done === null ? 0 : rows.length;
      } finally {
        await redis.unwatch();
      }
    },
  };
}
