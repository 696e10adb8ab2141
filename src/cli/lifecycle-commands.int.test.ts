import { spawn, type ChildProcess } from 'node:child_process';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { logRatings } from '../../test/support/rating-log.ts';
import { createTestScope } from '../../test/isolation.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { retrainQueue } from '../jobs/retrain-queue.ts';
import { readActiveVersion } from '../store/model-store.ts';
import { redisKeys } from '../store/redis-keys.ts';

const scope = createTestScope('lifecycle-cli');
// The worker trains only when asked: no bootstrap, no growth.
const env = { ...scope.env, RETRAIN_MIN_RATINGS: '1000000', RETRAIN_GROWTH: '100' };
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
let pool: pg.Pool;
let worker: ChildProcess | undefined;

/** Runs `marquee ARGS` to its end; resolves with its exit code and output. */
function marquee(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/marquee.js', ...args], {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, ...env },
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
  pool = await scope.postgres();
  const world = generateSyntheticWorld({ users: 100, movies: 80, ratings: 3_000, seed: 12 });
  await logRatings(pool, world.ratings, 0, 'cli');
  worker = spawn(process.execPath, ['bin/marquee.js', 'worker'], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
});

afterAll(async () => {
  worker?.kill('SIGTERM');
  if (worker !== undefined && worker.exitCode === null) await new Promise((r) => worker?.once('exit', r));
  const queue = retrainQueue(loadConfig(env));
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await scope.cleanup();
});

describe('the lifecycle commands, as processes', () => {
  it('retrain --wait follows a job to its published version; model list shows it; rollback goes back', async () => {
    const first = await marquee(['retrain', '--wait', '--param', 'factors=8', '--timeout', '120']);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/^published model (\d+): 3000 ratings/m);
    const v1 = /published model (\d+)/.exec(first.out)?.[1] as string;
    expect(first.err).toMatch(/retrain job \S+ queued/);
    const worse = await marquee([
      'retrain',
      '--wait',
      '--param',
      'factors=8',
      '--param',
      'epochs=1',
      '--param',
      'lr=0',
      '--param',
      'initStd=2',
    ]);
    expect(worse.code, worse.err).toBe(0);
    expect(worse.out).toMatch(/rejected by the gate/);
    expect(await readActiveVersion(redis, keys)).toBe(v1);
    const list = await marquee(['model', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`^\\s*${v1}\\s+active\\s+manual`, 'm'));
    expect(list.out).toMatch(/rejected\s+manual/);
    const second = await marquee(['retrain', '--wait', '--param', 'factors=8', '--param', 'seed=2']);
    const v2 = /published model (\d+)/.exec(second.out)?.[1];
    expect(v2).toBeDefined();
    expect(await readActiveVersion(redis, keys)).toBe(v2);
    const back = await marquee(['model', 'rollback', v1]);
    expect(back.code, back.err).toBe(0);
    expect(await readActiveVersion(redis, keys)).toBe(v1);
    const refused = await marquee(['model', 'rollback', '999999']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/no model version 999999/);
  }, 180_000);
});
