import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../../test/isolation.ts';
import { generateSyntheticWorld } from '../../data/synthetic-world.ts';
import { mayWatch } from '../../guardrails/age-policy.ts';
import { publishModel } from '../../store/model-store.ts';
import { writePopularLists } from '../../store/popular-lists.ts';
import { redisKeys } from '../../store/redis-keys.ts';
import { writeUserFixture } from '../../state/user-state.ts';
import { appFixture, bearer, fixtureSecret } from '../../../test/support/app-fixture.ts';
import { createFallbackList } from '../../serving/fallback-list.ts';
import { defaultGuardrailSettings as settings } from '../../serving/guardrail-settings.ts';
import { createModelHolder } from '../../serving/model-holder.ts';
import { createRecommender } from '../../serving/recommender.ts';
import { syntheticServingModel } from '../../../test/support/synthetic-model.ts';

const scope = createTestScope('recommend-route');
const redis = scope.redis();
const keys = redisKeys(scope.config.redis.keyPrefix);
const world = generateSyntheticWorld({ users: 300, movies: 600, ratings: 6000, seed: 5 });
const { artifact, movies } = syntheticServingModel(world, 16);
const holder = createModelHolder({ redis, subscriber: scope.redis(), keys, settings });
const fallback = createFallbackList(['safe+one+2000', 'safe+two+2001']);
const recommend = createRecommender({ redis, keys, models: holder, settings, fallback });
const { app } = appFixture({ recommendations: { ...base(), recommend } });
const ids = (text: string) => (text === '' ? [] : text.split(','));

function base() {
  return {
    served: { record: () => undefined },
    noiseSecret: 'noise-secret-for-tests',
    noise: settings.noise,
    auth: { secret: fixtureSecret },
  };
}

beforeAll(async () => {
  await writePopularLists(redis, keys, world);
  await publishModel(redis, keys, artifact, { movies, version: '1' });
  await holder.start();
});
afterAll(async () => {
  await holder.stop();
  await scope.cleanup();
});

function expectContract(res: Response, text: string) {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(text).not.toMatch(/[\s]/);
  const list = ids(text);
  expect(list.length).toBeLessThanOrEqual(20);
  expect(new Set(list).size).toBe(list.length);
  return list;
}

describe('GET /recommend/:userId against real Redis', () => {
  it('answers one line of at most 20 distinct comma-separated ids, no spaces, for known, live and cold users', async () => {
    await writeUserFixture(redis, keys, '100000', {
      vector: new Float32Array(16).fill(0.2),
      bias: 0.1,
      version: '1',
      age: 30,
      gender: 'F',
    });
    for (const userId of ['1', '2', '77', '300', '100000', '555555', '0']) {
      const res = await app.request(`/recommend/${userId}`);
      const list = expectContract(res, await res.text());
      expect(list).toHaveLength(20);
    }
  });

  it('never lists what the user watched or what their age forbids', async () => {
    const child = world.users.find((u) => u.age !== null && u.age < 13) ?? world.users[0];
    const userId = child?.userId as string;
    const first = ids(await (await app.request(`/recommend/${userId}`)).text());
    await writeUserFixture(redis, keys, userId, {
      seen: [
        [1, first[0] as string],
        [2, first[1] as string],
      ],
      age: child?.age ?? 0,
    });
    const second = ids(await (await app.request(`/recommend/${userId}`)).text());
    expect(second).not.toContain(first[0]);
    expect(second).not.toContain(first[1]);
    const byId = new Map(movies.map((m) => [m.movieId, m]));
    for (const id of second)
      expect(mayWatch(settings.agePolicy, child?.age ?? 0, byId.get(id) as never)).toBe(true);
  });

  it('uses the live vector from Redis over the artifact and says so in the JSON route', async () => {
    const res = await app.request('/v1/users/100000/recommendations?limit=5', {
      headers: bearer('100000'),
    });
    const body = (await res.json()) as { source: string; items: { title: string | null }[] };
    expect(res.headers.get('x-model-version')).toBe('1');
    expect(body.source).toBe('personal');
    expect(body.items).toHaveLength(5);
    expect(body.items[0]?.title).not.toBeNull();
  });

  it('never scores a live vector of another model version against this item matrix', async () => {
    // User 1 is in the artifact; their stream vector is from an older version (the stream has not
    // moved them onto version 1 yet): the list is scored with version 1's own trained vector.
    await writeUserFixture(redis, keys, '1', { vector: new Float32Array(16).fill(5), bias: 3, version: '0' });
    const res = await app.request('/recommend/1');
    expect(res.headers.get('x-model-version')).toBe('1');
    expect(res.headers.get('x-user-vector-version')).toBe('1');
    await writeUserFixture(redis, keys, '100000', { version: '1' });
    const live = await app.request('/recommend/100000');
    expect(live.headers.get('x-user-vector-version')).toBe('1');
    // The same vector declared as version 0 is not used: user 100000 is unknown to the artifact.
    await writeUserFixture(redis, keys, '100000', { version: '0' });
    const stale = await app.request('/recommend/100000');
    expect(stale.headers.get('x-user-vector-version')).toBeNull();
    await writeUserFixture(redis, keys, '100000', { version: '1' });
  });

  it('answers 400 with a short message to an id that is not a user id', async () => {
    const res = await app.request('/recommend/robert%27);DROP');
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('not a user id');
  });

  it('falls back to the cached popular list within the deadline when Redis is unreachable', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
    });
    dead.on('error', () => undefined);
    const offline = createRecommender({ redis: dead, keys, models: holder, settings, fallback });
    const { app: cut } = appFixture({ recommendations: { ...base(), recommend: offline } });
    const started = performance.now();
    const res = await cut.request('/recommend/42');
    expect(expectContract(res, await res.text())).toEqual(['safe+one+2000', 'safe+two+2001']);
    expect(performance.now() - started).toBeLessThan(600);
    const none = createRecommender({
      redis: dead,
      keys,
      models: { current: () => undefined },
      settings,
      fallback,
    });
    const { app: empty } = appFixture({ recommendations: { ...base(), recommend: none } });
    expect(await (await empty.request('/recommend/42')).text()).toBe('safe+one+2000,safe+two+2001');
    dead.disconnect();
  });

  it('swaps to a newly published model with no request failing during the swap', async () => {
    const next = syntheticServingModel(world, 16, 99);
    const requests = Array.from({ length: 150 }, (_, k) => app.request(`/recommend/${1 + (k % 300)}`));
    await publishModel(redis, keys, next.artifact, { movies: next.movies, version: '2' });
    const more = Array.from({ length: 150 }, (_, k) => app.request(`/recommend/${1 + (k % 300)}`));
    const all = await Promise.all([...requests, ...more]);
    expect(all.map((r) => r.status).every((s) => s === 200)).toBe(true);
    await expect.poll(() => holder.current()?.version, { timeout: 5_000 }).toBe('2');
    const after = await app.request('/recommend/5');
    expect(after.headers.get('x-model-version')).toBe('2');
    expect(ids(await after.text())).toHaveLength(20);
  });
});
