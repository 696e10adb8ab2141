import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { syntheticServingModel } from '../../test/support/synthetic-model.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { publishModel } from '../store/model-store.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { waitUntil } from '../lib/time.ts';
import { queueUserFixture } from '../state/user-state.ts';
import { startApi, type RunningApi } from './start-api.ts';

const scope = createTestScope('model-swap');
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
const world = generateSyntheticWorld({ users: 200, movies: 400, ratings: 4_000, seed: 3 });
let api: RunningApi;
let base: string;

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly items: number;
  readonly model: string | null;
  readonly vector: string | null;
}

beforeAll(async () => {
  await scope.createTopic('served', 1);
  await scope.createTopic('user-events', 1);
  const v1 = syntheticServingModel(world, 8, 1);
  await publishModel(redis, keys, v1.artifact, { movies: v1.movies, version: '1' });
  // Half the users have live vectors the stream learned in version 1.
  const p = redis.pipeline();
  world.users.forEach((u, k) => {
    if (k % 2 === 0)
      queueUserFixture(p, keys, u.userId, { vector: new Float32Array(8).fill(0.3), bias: 0.1, version: '1' });
  });
  await p.exec();
  api = await startApi(scope.config, { port: 0, log: () => undefined });
  base = `http://127.0.0.1:${api.port}`;
  const ready = await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 30_000);
  if (!ready.ok) throw new Error(`the API did not become ready: ${ready.lastError ?? 'readyz not 200'}`);
});

afterAll(async () => {
  await api?.stop();
  await scope.cleanup();
});

describe('a model swap under load', () => {
  // Counted, not timed: a fixed number of paced requests, version 2 published after the first 300; a
  // generous per-request deadline (latency is the benchmarks' to measure, not a test's to assert).
  it('answers every request with a non-empty list, never scoring a user vector of another version', async () => {
    const answers: Answer[] = [];
    const ask = async (userId: string) => {
      const started = performance.now();
      const res = await fetch(`${base}/recommend/${userId}`, { signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      answers.push({
        status: res.status,
        ms: performance.now() - started,
        items: body === '' ? 0 : body.split(',').length,
        model: res.headers.get('x-model-version'),
        vector: res.headers.get('x-user-vector-version'),
      });
    };
    const pending: Promise<void>[] = [];
    const ids = [...world.users.map((u) => u.userId), '999001', '999002'];
    const v2 = syntheticServingModel(world, 8, 2);
    // 800 requests paced 5 ms apart (≈ 200/s on a quiet machine); version 2 is published after 300.
    for (let k = 0; k < 800; k++) {
      if (k === 300) {
        pending.push(
          publishModel(redis, keys, v2.artifact, { movies: v2.movies, version: '2' }).then(() => undefined),
        );
      }
      pending.push(
        ask(ids[k % ids.length] as string).catch(
          () => void answers.push({ status: 0, ms: Infinity, items: 0, model: null, vector: null }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(pending);
    expect(answers.length).toBe(800);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.items === 0)).toEqual([]);
    const personal = answers.filter((a) => a.vector !== null);
    expect(personal.length).toBeGreaterThan(200);
    expect(personal.filter((a) => a.vector !== a.model)).toEqual([]);
    expect(new Set(answers.map((a) => a.model))).toEqual(new Set(['1', '2']));
    // After the swap, users whose live vectors are of version 1 are scored with version 2's own.
    expect(personal.filter((a) => a.model === '2').length).toBeGreaterThan(50);
  });
});
