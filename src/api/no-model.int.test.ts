import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { writeUserFixture } from '../state/user-state.ts';
import { writeSafeList } from '../store/popular-lists.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { startApi, type RunningApi } from './start-api.ts';

const scope = createTestScope('no-model');
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
const safe = Array.from({ length: 30 }, (_, k) => `safe+title+${k}`);
let api: RunningApi;
let base: string;

beforeAll(async () => {
  await writeUserFixture(redis, keys, '4242', {
    seen: [
      [1, safe[0] as string],
      [2, safe[3] as string],
    ],
  });
  api = await startApi(scope.config, { port: 0, log: () => undefined });
  base = `http://127.0.0.1:${api.port}`;
});
afterAll(async () => {
  await api?.stop();
  await scope.cleanup();
});

describe('marquee api before any model is published', () => {
  it('answers the worker’s safe list as soon as it exists, leaving out what the user has seen', async () => {
    expect(await (await fetch(`${base}/recommend/4242`)).text()).toBe('');
    await writeSafeList(redis, keys, safe);
    await expect
      .poll(async () => (await fetch(`${base}/recommend/4242`)).text(), { timeout: 15_000, interval: 500 })
      .not.toBe('');
    const res = await fetch(`${base}/recommend/4242`);
    expect(res.status).toBe(200);
    const expected = safe.filter((_, k) => k !== 0 && k !== 3).slice(0, 20);
    expect((await res.text()).split(',')).toEqual(expected);
    expect((await (await fetch(`${base}/recommend/5151`)).text()).split(',')).toEqual(safe.slice(0, 20));
  });
});
