import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createTestScope } from '../../../test/isolation.ts';
import { generateSyntheticWorld } from '../../data/synthetic-world.ts';
import { logRatings } from '../../../test/support/rating-log.ts';
import { listVersions, readVersion } from '../../store/postgres/model-versions.ts';
import { upsertMovies } from '../../store/postgres/reference-data.ts';
import { loadActiveModel, loadModelVersion, readActiveVersion } from '../../store/model-store.ts';
import { redisKeys } from '../../store/redis-keys.ts';
import { RETRAIN_DEFAULTS, RETRAIN_STAGES, runRetrain, type RetrainProgress } from './retrain-job.ts';

const scope = createTestScope('retrain-job');
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
let pool: pg.Pool;
const world = generateSyntheticWorld({ users: 150, movies: 120, ratings: 6_000, seed: 5 });
const ratings = [...world.ratings].sort((a, b) => a.timestamp - b.timestamp);
let offset = 0;

/** Appends ratings to the log as the sink would, at consecutive positions of user-events partition 0. */
async function log(rows: typeof ratings) {
  offset = await logRatings(pool, rows, offset, 'retrain-test');
}

const settings = { ...RETRAIN_DEFAULTS, params: { factors: '8', epochs: '15' }, keepVersions: 2 };
const deps = (announced: string[][] = []) => ({
  pool,
  redis,
  keys,
  settings,
  announce: async (users: readonly string[]) => void announced.push([...users]),
});

beforeAll(async () => {
  pool = await scope.postgres();
  await upsertMovies(pool, world.movies, 'test');
  await log(ratings.slice(0, 4_000));
});

afterAll(async () => {
  await scope.cleanup();
});

describe('runRetrain against real Postgres and Redis', () => {
  it('publishes the first model with its watermark, records the attempt, and reports every stage in order', async () => {
    const progress: RetrainProgress[] = [];
    const outcome = await runRetrain(deps(), { trigger: 'bootstrap', jobId: 'job-1' }, (p) =>
      progress.push(p),
    );
    expect(outcome.status).toBe('active');
    expect(await readActiveVersion(redis, keys)).toBe(outcome.version);
    const published = await loadActiveModel(redis, keys);
    expect(published?.watermark).toEqual({ '0': { offset: 3_999, index: 0 } });
    expect(published?.movies.length).toBeGreaterThan(100);
    const row = await readVersion(pool, outcome.version);
    expect(row).toMatchObject({
      status: 'active',
      trigger: 'bootstrap',
      ratingsUsed: 4_000,
      logRatings: 4_000,
    });
    expect(Object.keys(row?.timings ?? {}).sort()).toEqual([...RETRAIN_STAGES].sort());
    const stages = [...new Set(progress.map((p) => p.stage))];
    expect(stages).toEqual([...RETRAIN_STAGES]);
    expect(progress.at(-1)?.fraction).toBe(1);
    for (let k = 1; k < progress.length; k++)
      expect(progress[k]!.fraction).toBeGreaterThanOrEqual(progress[k - 1]!.fraction);
  });

  it('records a deliberately worse candidate as rejected and keeps serving the active model', async () => {
    const active = await readActiveVersion(redis, keys);
    await log(ratings.slice(4_000, 5_000));
    const outcome = await runRetrain(deps(), {
      trigger: 'manual',
      jobId: 'job-2',
      params: { epochs: '1', lr: '0', initStd: '1' },
    });
    expect(outcome.status).toBe('rejected');
    expect(outcome.gate.reason).toMatch(/worse by/);
    expect(await readActiveVersion(redis, keys)).toBe(active);
    expect(await readVersion(pool, outcome.version)).toMatchObject({ status: 'rejected' });
    expect(await loadModelVersion(redis, keys, outcome.version)).toBeNull();
  });

  it('publishes a better candidate, names the users who rated after its watermark, and deletes versions beyond the kept ones', async () => {
    const announced: string[][] = [];
    const first = (await listVersions(pool)).find((v) => v.status === 'active')?.version as string;
    const second = await runRetrain(deps(announced), { trigger: 'growth', jobId: 'job-3' });
    expect(second.status).toBe('active');
    expect(second.gate.activeRmse).not.toBeNull();
    expect(second.evaluation.compared).toBe('unseen');
    expect(announced).toEqual([]);
    // Ratings arriving while a third retrain trains: logged after its snapshot by a concurrent sink.
    const late = ratings.slice(5_000, 5_050);
    let logged: Promise<void> | undefined;
    const outcome = await runRetrain(deps(announced), { trigger: 'manual', jobId: 'job-4' }, (p) => {
      if (p.stage === 'train') logged ??= log(late);
    });
    await logged;
    expect(outcome.status).toBe('active');
    const expected = new Set(announced.flat());
    const rowAfter = await readVersion(pool, outcome.version);
    const within = rowAfter?.watermark?.['0']?.offset ?? -1;
    // Every user with a rating past the watermark was told; nobody else.
    expect(within).toBe(4_999);
    const past = new Set(late.map((r) => r.userId));
    expect(past.size).toBeGreaterThan(10);
    expect(expected).toEqual(past);
    // keepVersions 2: the first published version's artifact is gone and it is marked retired.
    expect(await loadModelVersion(redis, keys, first)).toBeNull();
    expect(await readVersion(pool, first)).toMatchObject({ status: 'retired' });
    expect(await readVersion(pool, second.version)).toMatchObject({ status: 'ready' });
  });
});
