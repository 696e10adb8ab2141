/**
 * The chaos run's end: what the movielog topic holds is the input; once ingest, the stream and the
 * sink have caught up with it, Postgres and Redis must hold exactly its counts.
 */
import { isDeepStrictEqual } from 'node:util';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { sleep, waitUntil } from '../../../src/lib/time.ts';
import { redisKeys } from '../../../src/store/redis-keys.ts';
import type { UserEvent } from '../../../streams/events.ts';
import { parseMovielogLine } from '../../../streams/movielog-parser.ts';
import { topicNames } from '../../../streams/topics.ts';
import type { TestScope } from '../../isolation.ts';
import { countersOf, expectedCounts, linesIngested, readCounts, waitForCaughtUp } from '../stream-checks.ts';
import { readTopic } from './read-topic.ts';
import type { ChaosReport } from './chaos-report.ts';

/** The counts part of the report. */
export type FinalCounts = Pick<ChaosReport, 'postgres' | 'redisExact' | 'redisDiff' | 'catchUpSeconds'> & {
  /** Lines the movielog topic holds. */
  readonly inTopic: number;
};

async function countRows(pool: pg.Pool): Promise<{ ratings: number; watches: number }> {
  const r = await pool.query<{ r: string; w: string }>(
    'SELECT (SELECT count(*) FROM ratings) AS r, (SELECT count(*) FROM watches) AS w',
  );
  return { ratings: Number(r.rows[0]?.r ?? 0), watches: Number(r.rows[0]?.w ?? 0) };
}

/**
 * Waits (up to `catchUpMs`) until every line of the movielog is in Postgres and Redis, then compares;
 * `lastUp` is when the last fault ended (the catch-up time counts from it).
 */
export async function finalCounts(
  scope: TestScope,
  clientId: string,
  catchUpMs: number,
  lastUp: number,
): Promise<FinalCounts> {
  const { config } = scope;
  const keys = redisKeys(config.redis.keyPrefix);
  const topics = topicNames(config);
  const values = await readTopic(scope.kafka, topics.movielog, scope.groupId('chaos-reader'));
  const events: UserEvent[] = [];
  for (const value of values) {
    const parsed = parseMovielogLine(value);
    if (parsed.ok && (parsed.event.type === 'rate' || parsed.event.type === 'watch'))
      events.push({ ...parsed.event, eventId: '0'.repeat(32) } as UserEvent);
  }
  const expectedPg = {
    ratings: events.filter((e) => e.type === 'rate').length,
    watches: events.filter((e) => e.type === 'watch').length,
  };
  const admin = scope.kafka.admin();
  await admin.connect();
  const deadline = Date.now() + catchUpMs;
  const ingested = await waitUntil(
    async () => (await linesIngested(admin, `${clientId}-ingest`, topics.movielog)) >= values.length,
    catchUpMs,
    250,
  );
  await admin.disconnect();
  if (!ingested.ok)
    throw new Error('ingest did not take every line (see the marquee up log in test-artifacts/chaos)');
  const check = new Redis(config.redis.url);
  const pool = await scope.postgres();
  try {
    await waitForCaughtUp(scope.kafka, check, keys, config, Math.max(1, deadline - Date.now()), {
      transactionalInput: true,
    });
    await waitUntil(
      async () => {
        const got = await countRows(pool);
        return got.ratings >= expectedPg.ratings && got.watches >= expectedPg.watches;
      },
      Math.max(1, deadline - Date.now()),
      250,
    );
    const catchUpSeconds = (Date.now() - lastUp) / 1000;
    // A moment more, so a late duplicate would show as a count above the input's.
    await sleep(2_000);
    const gotPg = await countRows(pool);
    const expected = expectedCounts(events);
    const want = countersOf(expected);
    const have = countersOf(await readCounts(check, keys, expected, 16));
    const exact = isDeepStrictEqual(want, have);
    return {
      inTopic: values.length,
      postgres: { expected: expectedPg, got: gotPg },
      redisExact: exact,
      redisDiff: exact ? '' : firstDifference(want, have),
      catchUpSeconds,
    };
  } finally {
    check.disconnect();
  }
}

/** The first counter that differs, for the report. */
function firstDifference(want: object, have: object, path = ''): string {
  if (typeof want !== 'object' || want === null || typeof have !== 'object' || have === null)
    return `${path}: expected ${JSON.stringify(want)}, got ${JSON.stringify(have)}`;
  const keys = new Set([...Object.keys(want), ...Object.keys(have)]);
  for (const k of keys) {
    const a = (want as Record<string, unknown>)[k];
    const b = (have as Record<string, unknown>)[k];
    if (JSON.stringify(a) !== JSON.stringify(b))
      return firstDifference(a as object, b as object, `${path}.${k}`);
  }
  return '';
}
