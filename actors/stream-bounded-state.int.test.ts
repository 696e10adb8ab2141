import { Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../src/api/start-api.ts';
import { generateSyntheticWorld } from '../src/data/synthetic-world.ts';
import { PASSING_USER_TTL_MS, readStoredUser } from '../src/state/user-state.ts';
import { publishModel } from '../src/store/model-store.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { packByPartition, topicPartitioner } from '../streams/event-pack.ts';
import { eventIdForKey, type UserEvent } from '../streams/events.ts';
import { topicNames } from '../streams/topics.ts';
import { createTestScope } from '../test/isolation.ts';
import { syntheticServingModel } from '../test/support/synthetic-model.ts';
import { startStream, type RunningStream } from './stream-runtime.ts';

const scope = createTestScope('bounded-state');
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
const world = generateSyntheticWorld({ users: 200, movies: 400, ratings: 4_000, seed: 21 });
const { artifact, movies } = syntheticServingModel(world, 16);
let stream: RunningStream | undefined;
let api: RunningApi | undefined;
let producer: Producer;
let base: string;

async function send(events: readonly UserEvent[]) {
  const topic = topicNames(scope.config).userEvents;
  const packs = packByPartition(
    events.map((e) => ({ key: e.userId, value: JSON.stringify(e) })),
    await topicPartitioner(scope.kafka, topic),
  );
  await producer.send({ topic, messages: packs, acks: -1 });
}

/** Every key of `userId`'s actor (one hash tag) with its time to live, ms (-1: none). */
async function userKeys(userId: string): Promise<Map<string, number>> {
  const found = await redis.keys(`${scope.config.redis.keyPrefix}{u:${userId}}:*`);
  return new Map(await Promise.all(found.map(async (k) => [k, await redis.pttl(k)] as const)));
}

beforeAll(async () => {
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 2);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
  producer = scope.kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await publishModel(redis, keys, artifact, { movies, version: '1' });
  stream = await startStream(scope.config, { fromActiveModel: true, log: () => undefined });
  api = await startApi(scope.config, { port: 0, log: () => undefined });
  base = `http://127.0.0.1:${api.port}`;
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await stream?.stop();
  await producer?.disconnect();
  await scope.cleanup();
}, 60_000);

describe('Redis state of users who only asked for lists', () => {
  const strangers = Array.from({ length: 20 }, (_, k) => String(880_000_000 + k));

  it('expires what /recommend/<any id> leaves behind, and keeps it for good once the user rates', async () => {
    for (const id of strangers) expect((await fetch(`${base}/recommend/${id}`)).status).toBe(200);
    for (const id of strangers)
      await expect
        .poll(async () => (await readStoredUser(redis, keys, id))?.served ?? 0, { timeout: 30_000 })
        .toBe(1);
    for (const id of strangers) {
      const ttls = await userKeys(id);
      expect(ttls.size).toBeGreaterThan(0);
      for (const [key, ttl] of ttls) {
        expect(ttl, key).toBeGreaterThan(PASSING_USER_TTL_MS - 120_000);
        expect(ttl, key).toBeLessThanOrEqual(PASSING_USER_TTL_MS);
      }
    }

    const rater = strangers[0] as string;
    await send([
      {
        type: 'rate',
        userId: rater,
        movieId: movies[0]?.movieId as string,
        rating: 5,
        at: Date.now(),
        eventId: eventIdForKey('bounded-rate'),
      },
    ]);
    await expect
      .poll(async () => (await readStoredUser(redis, keys, rater))?.ratings ?? 0, { timeout: 30_000 })
      .toBe(1);
    const kept = await userKeys(rater);
    expect([...kept.keys()].map((k) => k.split(':').pop()).sort()).toEqual(
      expect.arrayContaining(['served', 'state']),
    );
    for (const [key, ttl] of kept) expect(ttl, key).toBe(-1);
  }, 120_000);

  it('measures the memory of an active user (20 ratings, 40 watched minutes, a served list)', async () => {
    const active = Array.from({ length: 100 }, (_, k) => String(770_000_000 + k));
    const events: UserEvent[] = [];
    let n = 0;
    for (const userId of active) {
      for (let r = 0; r < 20; r++)
        events.push({
          type: 'rate',
          userId,
          movieId: movies[(n + r * 7) % movies.length]?.movieId as string,
          rating: 1 + (r % 5),
          at: Date.now(),
          eventId: eventIdForKey(`mem-r-${n++}`),
        });
      for (let m = 0; m < 40; m++)
        events.push({
          type: 'watch',
          userId,
          movieId: movies[(n + m) % movies.length]?.movieId as string,
          minute: m,
          at: Date.now(),
          eventId: eventIdForKey(`mem-w-${n++}`),
        });
    }
    await send(events);
    for (const id of active) await fetch(`${base}/recommend/${id}`);
    for (const id of active)
      await expect
        .poll(async () => (await readStoredUser(redis, keys, id))?.served ?? 0, { timeout: 60_000 })
        .toBe(1);
    let bytes = 0;
    const byKind = new Map<string, number>();
    for (const id of active)
      for (const key of (await userKeys(id)).keys()) {
        const used = (await redis.memory('USAGE', key)) ?? 0;
        const kind = key.split(':').pop() as string;
        byKind.set(kind, (byKind.get(kind) ?? 0) + used / active.length);
        bytes += used;
      }
    const perUser = bytes / active.length;
    const parts = [...byKind].map(([kind, b]) => `${kind} ${Math.round(b)}`).join(', ');
    console.log(`memory per active user: ${Math.round(perUser)} bytes (${parts}; MEMORY USAGE, 16 factors)`);
    expect(perUser).toBeGreaterThan(0);
    expect(perUser).toBeLessThan(16 * 1024);
  }, 120_000);
});
