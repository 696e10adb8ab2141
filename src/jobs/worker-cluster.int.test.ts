import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { readServiceSecrets } from '../../config/service-secrets.ts';
import { createTestScope } from '../../test/isolation.ts';
import { logRatings } from '../../test/support/rating-log.ts';
import { clusterEnv, ensureTestCluster, TEST_CLUSTER_NODES } from '../../test/support/redis-cluster.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { waitUntil } from '../lib/time.ts';
import { forEachMaster } from '../store/redis-client.ts';
import { readActiveVersion } from '../store/model-store.ts';
import { listVersions } from '../store/postgres/model-versions.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { auditQueue } from './audit-queue.ts';
import { queuePrefix } from './queue-connection.ts';
import { retrainQueue } from './retrain-queue.ts';

// `marquee worker` with REDIS_CLUSTER_NODES: BullMQ's queues under the hash-tagged prefix, the retrain
// scheduler, the bootstrap check, a retrain and an audit asked for by the CLI, every Redis key on the
// cluster and none on the one Redis.
const scope = createTestScope('worker-cluster', clusterEnv(TEST_CLUSTER_NODES));
const config = scope.config;
const keys = redisKeys(config.redis.keyPrefix);
const world = generateSyntheticWorld({ users: 200, movies: 150, ratings: 3_000, seed: 21 });
let home: string;
let env: Record<string, string | undefined>;
let pool: pg.Pool;
let worker: ChildProcess | undefined;
let workerErr = '';

/** Runs `marquee ARGS` to its end with the test's environment. */
function marquee(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/marquee.js', ...args], {
      cwd: new URL('../..', import.meta.url),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  await ensureTestCluster(TEST_CLUSTER_NODES);
  pool = await scope.postgres();
  // Audit reports go under a MARQUEE_HOME of the test's own; the services' passwords are in the real one.
  home = await mkdtemp(`${tmpdir()}/marquee-worker-cluster-`);
  env = {
    ...scope.env,
    ...readServiceSecrets(config.home),
    MARQUEE_HOME: home,
    RETRAIN_MIN_RATINGS: '1000',
    RETRAIN_CHECK_INTERVAL: '1s',
    RETRAIN_GROWTH: '100',
  };
});

afterAll(async () => {
  if (worker !== undefined && worker.exitCode === null) worker.kill('SIGKILL');
  for (const queue of [retrainQueue(config), auditQueue(config)]) {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  await scope.cleanup();
  await rm(home, { recursive: true, force: true });
});

describe('marquee worker on Redis Cluster', () => {
  it('schedules retrains, bootstraps a model, runs a retrain and an audit asked for by the CLI, and stops cleanly', async () => {
    await logRatings(pool, world.ratings.slice(0, 1_200), 0, 'worker-cluster');
    worker = spawn(process.execPath, ['bin/marquee.js', 'worker', '--lock-ms', '5000'], {
      cwd: new URL('../..', import.meta.url),
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    worker.stderr?.on('data', (c: Buffer) => (workerErr += c.toString()));
    const redis = scope.redis();

    // The bootstrap check queues a retrain; its job publishes model 1 on the cluster and in Postgres.
    const bootstrapped = await waitUntil(async () => {
      const [latest] = await listVersions(pool, 1);
      return latest?.status === 'active' && (await readActiveVersion(redis, keys)) === latest.version;
    }, 90_000);
    expect(bootstrapped.ok, workerErr).toBe(true);
    expect((await listVersions(pool, 1))[0]).toMatchObject({ trigger: 'bootstrap', status: 'active' });

    // The schedule lives in the queue: every RETRAIN_INTERVAL, its next run waiting as a delayed job.
    const queue = retrainQueue(config);
    try {
      expect((await queue.getJobScheduler('retrain-every'))?.every).toBe(config.retrain.intervalMs);
      expect(await queue.getDelayedCount()).toBe(1);
      expect(await queue.getWorkersCount()).toBeGreaterThan(0);
    } finally {
      await queue.close();
    }

    const retrain = await marquee(['retrain', '--wait', '--timeout', '90', '--param', 'epochs=5']);
    expect(retrain.code, retrain.err).toBe(0);
    expect(retrain.out).toMatch(/^(published model \d+|model \d+ rejected by the gate)/m);
    const [manual] = await listVersions(pool, 1);
    expect(manual).toMatchObject({ trigger: 'manual' });
    expect(['active', 'rejected']).toContain(manual?.status);

    const audit = await marquee(['audit', '--since', '1d', '--timeout', '60']);
    expect(audit.code, audit.err).toBe(0);
    expect(audit.out).toMatch(/^audit \d+: /m);

    // Every key of this deployment is on the cluster, the queues' under the hash tag; none on one Redis.
    const clusterKeys: string[] = [];
    await forEachMaster(redis, async (node) => {
      clusterKeys.push(...(await node.keys(`${config.redis.keyPrefix}*`)));
    });
    expect(clusterKeys.filter((k) => k.startsWith(`${queuePrefix(config)}:retrain:`)).length).toBeGreaterThan(
      0,
    );
    expect(clusterKeys.filter((k) => k.startsWith(`${queuePrefix(config)}:audit:`)).length).toBeGreaterThan(
      0,
    );
    expect(clusterKeys).toContain(keys.activeModel());
    const single = new Redis(loadConfig({ ...env, REDIS_CLUSTER_NODES: undefined }).redis.url, {
      maxRetriesPerRequest: 1,
    });
    try {
      expect(await single.keys(`${config.redis.keyPrefix}*`)).toEqual([]);
    } finally {
      single.disconnect();
    }

    const exited = new Promise<number | null>((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(workerErr).not.toMatch(/CROSSSLOT|check failed|same slot/);
  }, 240_000);
});
