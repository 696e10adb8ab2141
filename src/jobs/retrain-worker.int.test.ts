import { spawn, type ChildProcess } from 'node:child_process';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { logRatings } from '../../test/support/rating-log.ts';
import { createTestScope } from '../../test/isolation.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { waitUntil } from '../lib/time.ts';
import { readActiveVersion } from '../store/model-store.ts';
import { listVersions } from '../store/postgres/model-versions.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { enqueueRetrain, progressOf, retrainEvents, retrainQueue } from './retrain-queue.ts';
import { automaticTrigger, retrainSettings, startRetrainWorker } from './retrain-worker.ts';

const scope = createTestScope('retrain-worker');
const env = {
  ...scope.env,
  RETRAIN_MIN_RATINGS: '1000',
  RETRAIN_CHECK_INTERVAL: '1s',
  RETRAIN_GROWTH: '0.5',
};
const config = loadConfig(env);
const keys = redisKeys(config.redis.keyPrefix);
const redis = scope.redis();
let pool: pg.Pool;
const world = generateSyntheticWorld({ users: 200, movies: 150, ratings: 6_000, seed: 9 });
let offset = 0;

async function log(n: number) {
  offset = await logRatings(pool, world.ratings.slice(offset, offset + n), offset, 'worker-test');
}

const children: ChildProcess[] = [];
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['bin/marquee.js', 'worker', '--lock-ms', '2000'], {
    cwd: new URL('../..', import.meta.url),
    // No growth retrains of its own: the test follows one job.
    env: { ...process.env, ...env, RETRAIN_GROWTH: '100' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  children.push(child);
  return child;
}

beforeAll(async () => {
  pool = await scope.postgres();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  const queue = retrainQueue(config);
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await scope.cleanup();
});

describe('automaticTrigger', () => {
  it('bootstraps once the log holds enough ratings, then waits for growth since the last attempt', () => {
    expect(automaticTrigger({ active: false, ratings: 999, lastAttemptRatings: null }, 1000, 0.5)).toBeNull();
    expect(automaticTrigger({ active: false, ratings: 1000, lastAttemptRatings: null }, 1000, 0.5)).toBe(
      'bootstrap',
    );
    expect(
      automaticTrigger({ active: false, ratings: 1200, lastAttemptRatings: 1000 }, 1000, 0.5),
    ).toBeNull();
    expect(automaticTrigger({ active: true, ratings: 1499, lastAttemptRatings: 1000 }, 1000, 0.5)).toBeNull();
    expect(automaticTrigger({ active: true, ratings: 1500, lastAttemptRatings: 1000 }, 1000, 0.5)).toBe(
      'growth',
    );
  });
});

describe('retrainSettings', () => {
  it("caps the retrain's training set with the stream's daily cap, RATING_DAILY_CAP", () => {
    expect(retrainSettings(loadConfig({ RATING_DAILY_CAP: '2' })).dailyCap).toBe(2);
    expect(retrainSettings(loadConfig({})).dailyCap).toBe(1000);
  });
});

describe('marquee worker against real Redis, Postgres and Kafka', () => {
  it('publishes a first model by itself once the log holds RETRAIN_MIN_RATINGS, and again when the log grew', async () => {
    await log(900);
    const worker = await startRetrainWorker({ config, pool, redis, keys, log: () => undefined });
    try {
      expect(await worker.check()).toBeNull();
      await log(200);
      const first = await waitUntil(
        async () => (await listVersions(pool, 1))[0]?.status === 'active',
        30_000,
      );
      expect(first.ok).toBe(true);
      const v1 = await readActiveVersion(redis, keys);
      expect((await listVersions(pool, 1))[0]).toMatchObject({
        version: v1,
        trigger: 'bootstrap',
        status: 'active',
      });
      await log(600); // 1,700 ≥ 1,100 × 1.5
      // Redis flips first, then Postgres records it: wait for both.
      const grown = await waitUntil(async () => {
        const [latest] = await listVersions(pool, 1);
        if (latest?.trigger !== 'growth' || latest.status !== 'active') return false;
        return (await readActiveVersion(redis, keys)) === latest.version;
      }, 30_000);
      expect(grown.ok).toBe(true);
      expect((await listVersions(pool, 1))[0]).toMatchObject({ trigger: 'growth', status: 'active' });
      expect(await readActiveVersion(redis, keys)).not.toBe(v1);
    } finally {
      await worker.stop();
    }
  });

  it('runs a job again to completion after its worker is SIGKILLed mid-training, never touching the active model before', async () => {
    await log(3_000);
    const active = await readActiveVersion(redis, keys);
    const queue = retrainQueue(config);
    const events = retrainEvents(config);
    await events.waitUntilReady();
    try {
      const job = await enqueueRetrain(queue, { trigger: 'manual', params: { epochs: '600' } });
      const first = spawnWorker();
      const training = new Promise<void>((resolve) =>
        events.on('progress', ({ jobId, data }) => {
          if (jobId === job.id && progressOf(data)?.stage === 'train') resolve();
        }),
      );
      await training;
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      expect(await readActiveVersion(redis, keys)).toBe(active);
      // Sample the active version while the job is picked up again: it may change only at the end.
      const seen = new Set<string | null>();
      const sampler = setInterval(() => void readActiveVersion(redis, keys).then((v) => seen.add(v)), 100);
      spawnWorker();
      const result = await job.waitUntilFinished(events, 90_000);
      clearInterval(sampler);
      expect(result.status).toBe('active');
      const now = await readActiveVersion(redis, keys);
      expect(now).toBe(result.version);
      expect([...seen].filter((v) => v !== active && v !== now)).toEqual([]);
      const attempts = (await listVersions(pool, 10)).filter((v) => v.jobId === job.id);
      expect(attempts.map((a) => a.status).sort()).toEqual(['active', 'failed']);
      expect(attempts.find((a) => a.status === 'failed')?.error).toMatch(/interrupted/);
    } finally {
      await events.close();
      await queue.close();
    }
  }, 150_000);
});
