import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { createTestScope } from '../../test/isolation.ts';
import { callRecommend, type RecommendAnswer } from '../../test/support/recommend-calls.ts';
import { syntheticServingModel } from '../../test/support/synthetic-model.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { sleep, waitUntil } from '../lib/time.ts';
import { createRedisService } from '../services/redis-service.ts';
import { servicePaths } from '../services/service-paths.ts';
import { publishModel } from '../store/model-store.ts';
import { writePopularLists } from '../store/popular-lists.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { startApi, type RunningApi } from './start-api.ts';

/**
 * A short chaos run: the API under paced /recommend load while its Redis (a private one, so the
 * shared services are untouched) is SIGKILLed and started again from its append-only file.
 */
const scope = createTestScope('chaos-redis');
const home = mkdtempSync(join(tmpdir(), 'marquee-chaos-'));
const redisUrl = 'redis://127.0.0.1:16393';
const redisService = createRedisService(redisUrl, servicePaths(home));
const config = loadConfig({ ...scope.env, REDIS_URL: redisUrl });
const world = generateSyntheticWorld({ users: 300, movies: 500, ratings: 5_000, seed: 17 });
let api: RunningApi | undefined;
let base = '';

beforeAll(async () => {
  await redisService.up(() => undefined);
  const redis = new Redis(redisUrl);
  const keys = redisKeys(config.redis.keyPrefix);
  const { artifact, movies } = syntheticServingModel(world, 16);
  await writePopularLists(redis, keys, world);
  await publishModel(redis, keys, artifact, { movies, version: '1' });
  redis.disconnect();
  for (const name of ['served', 'user-events']) await scope.createTopic(name, 1);
  api = await startApi(config, { port: 0, log: () => undefined });
  base = `http://127.0.0.1:${api.port}`;
  const loaded = await waitUntil(async () => (await callRecommend(base, '1')).modelVersion === '1', 30_000);
  if (!loaded.ok) throw new Error(`the API never loaded the model: ${loaded.lastError ?? 'timeout'}`);
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await redisService.down();
  rmSync(home, { recursive: true, force: true });
  await scope.cleanup();
}, 120_000);

describe('chaos: Redis SIGKILLed under paced /recommend load', () => {
  it('answers at least 99.9 % of requests with 200 and a non-empty list, before, during and after', async () => {
    const rate = 50;
    const seconds = 16;
    const calls: Promise<RecommendAnswer>[] = [];
    const started = Date.now();
    const chaos = (async () => {
      await sleep(4_000);
      const { pid } = await redisService.status();
      process.kill(pid as number, 'SIGKILL');
      const killedAt = Date.now() - started;
      await sleep(3_000);
      await redisService.up(() => undefined);
      return { killedAt, restartedAt: Date.now() - started };
    })();
    for (let k = 0; k < rate * seconds; k++) {
      const due = started + (k * 1000) / rate;
      await sleep(Math.max(0, due - Date.now()));
      calls.push(callRecommend(base, String(1 + (k % 300))));
    }
    const answers = await Promise.all(calls);
    const { killedAt, restartedAt } = await chaos;
    const good = answers.filter((a) => a.valid && a.ids.length > 0);
    const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
    const p99 = ms[Math.floor(ms.length * 0.99)] ?? 0;
    const bad = answers.filter((a) => !(a.valid && a.ids.length > 0));
    console.log(
      `chaos: ${answers.length} requests at ${rate}/s; Redis SIGKILLed at ${(killedAt / 1000).toFixed(1)} s, ` +
        `up again at ${(restartedAt / 1000).toFixed(1)} s; ${good.length} answered 200 with a list ` +
        `(${((100 * good.length) / answers.length).toFixed(2)} %), p99 ${p99.toFixed(0)} ms` +
        (bad.length > 0 ? `; failures: ${bad.map((a) => a.error ?? a.status).join(', ')}` : ''),
    );
    expect(good.length / answers.length).toBeGreaterThanOrEqual(0.999);
    // Redis came back with what it held (its append-only file), so the model is still published.
    const after = new Redis(redisUrl);
    try {
      expect(await after.get(redisKeys(config.redis.keyPrefix).activeModel())).toBe('1');
    } finally {
      after.disconnect();
    }
    expect((await callRecommend(base, '7')).modelVersion).toBe('1');
  }, 120_000);
});
