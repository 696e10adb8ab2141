import { Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardWeight, countFromBoard } from '../src/model/ranking/popularity.ts';
import { svdToArtifact } from '../src/model/svd-artifact.ts';
import { createFallbackList } from '../src/serving/fallback-list.ts';
import { defaultGuardrailSettings as settings } from '../src/serving/guardrail-settings.ts';
import { createRecommender } from '../src/serving/recommender.ts';
import { buildServingModel } from '../src/serving/serving-model.ts';
import { readUserContext } from '../src/serving/user-context.ts';
import { readStoredUser } from '../src/state/user-state.ts';
import { publishModel } from '../src/store/model-store.ts';
import { readPopular } from '../src/store/popular-lists.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { eventIdForKey, type ProfileEvent, type RateEvent, type WatchEvent } from '../streams/events.ts';
import { packByPartition, topicPartitioner } from '../streams/event-pack.ts';
import { topicNames } from '../streams/topics.ts';
import { createTestScope } from '../test/isolation.ts';
import { randomSvdModel } from '../test/support/random-svd-model.ts';
import { STREAM_MODEL_DEFAULTS } from './model-options.ts';
import { startStream, type RunningStream } from './stream-runtime.ts';

const scope = createTestScope('stream-serving');
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
const movies = Array.from({ length: 2_500 }, (_, i) => `m${i}`);
const model = randomSvdModel({ users: ['heavy'], items: movies, factors: 8, seed: 4, factorStd: 0.5 });
// Described titles (rated G, no genres): a user of unknown age, treated as the youngest, may see them.
const described = movies.map((movieId) => ({
  movieId,
  title: movieId,
  genres: [],
  certification: 'G' as const,
  adult: false,
}));
const serving = buildServingModel('1', svdToArtifact(model), described, settings);
let stream: RunningStream | undefined;
let producer: Producer;
let n = 0;
const at0 = Date.UTC(2025, 0, 1);

async function send(events: readonly (RateEvent | WatchEvent | ProfileEvent)[]) {
  const topic = topicNames(scope.config).userEvents;
  const packs = packByPartition(
    events.map((e) => ({ key: e.userId, value: JSON.stringify(e) })),
    await topicPartitioner(scope.kafka, topic),
  );
  await producer.send({ topic, messages: packs, acks: -1 });
}
const rate = (userId: string, movieId: string, rating = 4): RateEvent => ({
  type: 'rate',
  userId,
  movieId,
  rating,
  at: at0 + n * 1000,
  eventId: eventIdForKey(`serving-${n++}`),
});

beforeAll(async () => {
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 2);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
  producer = scope.kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await publishModel(redis, keys, svdToArtifact(model), { version: '1' });
  stream = await startStream(scope.config, { fromActiveModel: true, log: () => undefined });
});

afterAll(async () => {
  await stream?.stop();
  await producer.disconnect();
  await scope.cleanup();
});

describe('what the stream gives serving', () => {
  it('keeps a profile that arrives after the user first rated, so the guard and the cohort see the age', async () => {
    await send([rate('kid', 'm1'), rate('kid', 'm2')]);
    await expect
      .poll(async () => (await readStoredUser(redis, keys, 'kid'))?.ratings ?? 0, { timeout: 15_000 })
      .toBe(2);
    expect((await readUserContext(redis, keys, 'kid')).age).toBeNull();
    const profile: ProfileEvent = {
      type: 'profile',
      userId: 'kid',
      age: 12,
      gender: 'F',
      at: at0,
      eventId: eventIdForKey('p-kid'),
    };
    await send([profile, rate('kid', 'm3')]);
    await expect
      .poll(async () => (await readUserContext(redis, keys, 'kid')).age, { timeout: 15_000 })
      .toBe(12);
    expect((await readUserContext(redis, keys, 'kid')).gender).toBe('F');
    expect((await readStoredUser(redis, keys, 'kid'))?.ratings).toBe(3);
  });

  it("keeps each cohort's decayed popularity live, and the global one, from ratings and started views", async () => {
    const adult: ProfileEvent = {
      type: 'profile',
      userId: 'ann',
      age: 30,
      gender: 'F',
      at: at0,
      eventId: eventIdForKey('p-ann'),
    };
    const watch = (movieId: string, minute: number): WatchEvent => ({
      type: 'watch',
      userId: 'ann',
      movieId,
      minute,
      at: at0 + n * 1000,
      eventId: eventIdForKey(`serving-${n++}`),
    });
    // Ann rates m10 and starts watching m11 twice; later minutes of a view do not count again.
    await send([adult]);
    await expect
      .poll(async () => (await readUserContext(redis, keys, 'ann')).age, { timeout: 15_000 })
      .toBe(30);
    const events = [rate('ann', 'm10'), watch('m11', 0), watch('m11', 7), watch('m11', 8), watch('m11', 1)];
    await send(events);
    await expect
      .poll(() => readPopular(redis, keys, '25-34:F', 10), { timeout: 15_000 })
      .toEqual(['m11', 'm10']);
    const h = STREAM_MODEL_DEFAULTS.popularityHalfLifeMs;
    const score = Number(await redis.zscore(keys.popularFor('25-34:F'), 'm11'));
    const expected = boardWeight(events[1]!.at, h) + boardWeight(events[4]!.at, h);
    expect(score).toBeCloseTo(expected, 6);
    expect(countFromBoard(score, events[4]!.at, h)).toBeGreaterThan(1.99);
    expect(await readPopular(redis, keys, 'all', 20)).toEqual(
      expect.arrayContaining(['m10', 'm11', 'm1', 'm2', 'm3']),
    );
  });

  it('excludes every title a user with 2,000 events rated or watched, not only the latest 200', async () => {
    const events = movies.slice(0, 2_000).map((m) => rate('heavy', m, 3));
    for (let k = 0; k < events.length; k += 500) await send(events.slice(k, k + 500));
    await expect
      .poll(async () => (await readStoredUser(redis, keys, 'heavy'))?.ratings ?? 0, { timeout: 30_000 })
      .toBe(2_000);
    const context = await readUserContext(redis, keys, 'heavy');
    expect(new Set(context.seen).size).toBe(2_000);
    const recommend = createRecommender({
      redis,
      keys,
      models: { current: () => serving },
      settings,
      fallback: createFallbackList(),
    });
    const list = await recommend('heavy', 20);
    expect(list.source).toBe('personal');
    expect(list.items).toHaveLength(20);
    const seen = new Set(movies.slice(0, 2_000));
    expect(list.items.filter((i) => seen.has(i.movieId))).toEqual([]);
    // What the complete history costs in Redis for this user (reported in docs/actors.md).
    const bytes = Number(await redis.call('MEMORY', 'USAGE', `${keys.prefix}{u:heavy}:history`));
    expect(bytes).toBeGreaterThan(0);
    console.log(
      `history of 2,000 movies: ${bytes} bytes in Redis (${(bytes / 2_000).toFixed(0)} bytes per title)`,
    );
  });
});
