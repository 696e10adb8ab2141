import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../../test/isolation.ts';
import { upsertMovies, upsertUsers } from '../../store/postgres/reference-data.ts';
import { appendServedLists } from '../../store/postgres/served-log.ts';
import { auditEvents, auditQueue, type AuditJobResult } from '../audit-queue.ts';
import { startAuditWorker } from '../audit-worker.ts';
import { redisKeys } from '../../store/redis-keys.ts';
import { runAudit } from './audit-job.ts';
import { createLiveAudit } from './live-audit.ts';

const scope = createTestScope('audit-job');
let dir: string;
const HOUR = 3_600_000;
const servedAt = Date.now() - HOUR;
const genres = [
  'Drama',
  'Comedy',
  'Action',
  'Horror',
  'Romance',
  'Thriller',
  'Sci-Fi',
  'Crime',
  'War',
  'Western',
  'Musical',
  'Animation',
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-audit-'));
  const pool = await scope.postgres();
  // 24 titles: two per genre; t0..t11 rated G, t12..t23 rated R; t23 adult.
  await upsertMovies(
    pool,
    Array.from({ length: 24 }, (_, i) => ({
      movieId: `t${i}`,
      title: `Title ${i}`,
      genres: [genres[i % 12] as string],
      year: 2000,
      certification: i < 12 ? ('G' as const) : ('R' as const),
      adult: i === 23,
    })),
    'test',
  );
  await upsertUsers(
    pool,
    [
      { userId: 'kid', age: 10, gender: 'F', occupation: null },
      { userId: 'adult', age: 30, gender: 'M', occupation: null },
    ],
    'test',
  );
  // Popularity: t0 rated by both users, t1 once, all before the lists were served.
  await pool.query(
    `INSERT INTO ratings (event_id, user_id, movie_id, rating, rated_at, source, ingested_at)
     SELECT e, u, m, r, now(), 'test', to_timestamp($1 / 1000.0)
     FROM (VALUES ('r1', 'kid', 't0', 4), ('r2', 'adult', 't0', 5), ('r3', 'adult', 't1', 3)) AS x(e, u, m, r)`,
    [servedAt - HOUR],
  );
  const list = (n: number, userId: string, items: string[]) => ({
    type: 'served' as const,
    userId,
    items,
    status: 200,
    latencyMs: 1,
    observedBy: 'server' as const,
    arm: 'a',
    modelVersion: '1',
    at: servedAt + n,
    eventId: n.toString(16).padStart(32, '0'),
  });
  const all = Array.from({ length: 12 }, (_, i) => `t${i}`);
  await appendServedLists(pool, [
    list(1, 'kid', all.slice(0, 10)), // fine: ten G titles, ten genres
    list(2, 'kid', ['t12', ...all.slice(1, 10)]), // an R title to a 10-year-old
    list(3, 'adult', ['t23', 't13', ...all.slice(2, 10)]), // an adult may see both
    list(4, 'adult', ['t0', 't12', 't1', 't13']), // four titles, four genres: enough for a list of 4? needs 2
    list(5, 'adult', ['t0', 't12', 't0', 't12', 't0', 't12', 't0', 't12', 't0', 't12']), // 2 genres in 10: short
  ]);
  // The adult watched t13 after the lists were served: their lists 3 and 4 are hits.
  await pool.query(
    `INSERT INTO watches (event_id, user_id, movie_id, minute, watched_at, source) VALUES ('w1', 'adult', 't13', 0, now(), 'test')`,
  );
});
afterAll(async () => {
  await scope.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('the audit job', () => {
  it('stores the violations and group metrics of every served list and writes the report with charts', async () => {
    const pool = await scope.postgres();
    const outcome = await runAudit({ pool, reportDir: dir }, { since: null, trigger: 'manual' });
    expect(outcome.headline).toBe('2 violations in 5 recommendations');
    expect(outcome.result.violations).toMatchObject({
      ageViolations: 1,
      genreViolations: 1,
      uncheckedItems: 0,
    });
    const adult = outcome.result.groups.find((g) => g.attribute === 'gender' && g.group === 'M');
    expect(adult?.hitRate).toBeCloseTo(2 / 3, 12);
    expect(adult?.lists).toBe(3);
    const row = await pool.query(
      'SELECT lists, violations, report_path, result FROM audits WHERE audit_id = $1',
      [outcome.auditId],
    );
    expect(row.rows[0]).toMatchObject({ lists: '5', violations: '2', report_path: outcome.reportPath });
    const report = await readFile(outcome.reportPath, 'utf8');
    expect(report).toContain('**2 violations in 5 recommendations**');
    expect(report).toContain('![metrics by age](age.png)');
    const png = await readFile(join(dir, `audit-${outcome.auditId}`, 'age.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('counts violations live, each list once, as lists reach Postgres', async () => {
    const pool = await scope.postgres();
    const redis = scope.redis();
    const keys = redisKeys(scope.config.redis.keyPrefix);
    const live = createLiveAudit({ pool, redis, keys, settleMs: 0, pageRows: 3 });
    expect(await live.step()).toBe(3);
    expect(await live.step()).toBe(2);
    expect(await live.step()).toBe(0);
    expect(await redis.hgetall(keys.liveAudit())).toMatchObject({
      lists: '5',
      violations: '2',
      ageViolations: '1',
      genreViolations: '1',
    });
  });

  it('runs as a job of the worker, over the window asked for', async () => {
    const pool = await scope.postgres();
    const worker = await startAuditWorker({
      config: scope.config,
      pool,
      reportDir: dir,
      log: () => undefined,
    });
    const queue = auditQueue(scope.config);
    const events = auditEvents(scope.config);
    try {
      await events.waitUntilReady();
      // Only the last two lists were served after servedAt + 3.
      const job = await queue.add('audit', { trigger: 'manual', since: servedAt + 3 });
      const result = (await job.waitUntilFinished(events, 30_000)) as AuditJobResult;
      expect(result).toMatchObject({ lists: 2, violations: 1, headline: '1 violation in 2 recommendations' });
      expect((await pool.query('SELECT count(*)::int AS n FROM audits')).rows[0]).toEqual({ n: 2 });
    } finally {
      await events.close();
      await queue.close();
      await worker.stop();
    }
  });
});
