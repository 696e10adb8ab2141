import { Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../src/lib/time.ts';
import { readStoredUser } from '../src/state/user-state.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { packByPartition, topicPartitioner } from '../streams/event-pack.ts';
import { eventIdForKey, type RateEvent } from '../streams/events.ts';
import { LostStateError } from '../streams/tasks/lost-state.ts';
import { topicNames } from '../streams/topics.ts';
import { createTestScope } from '../test/isolation.ts';
import { startStream, type RunningStream } from './stream-runtime.ts';

const scope = createTestScope('lost-state');
const redis = scope.redis();
const topics = topicNames(scope.config);
const keys = redisKeys(scope.config.redis.keyPrefix);
let producer: Producer;
let n = 0;

async function rate(userId: string, count: number) {
  const events: RateEvent[] = Array.from({ length: count }, () => ({
    type: 'rate',
    userId,
    movieId: `m${n % 50}`,
    rating: 1 + (n % 5),
    at: Date.UTC(2025, 0, 1) + n * 1000,
    eventId: eventIdForKey(`lost-${n++}`),
  }));
  const packs = packByPartition(
    events.map((e) => ({ key: e.userId, value: JSON.stringify(e) })),
    await topicPartitioner(scope.kafka, topics.userEvents),
  );
  await producer.send({ topic: topics.userEvents, messages: packs, acks: -1 });
}

const ratingsOf = async (userId: string) => (await readStoredUser(redis, keys, userId))?.ratings ?? 0;

/** Kafka's committed offsets of the user actors' group, summed over partitions (advisory, after Redis). */
async function kafkaCommitted(): Promise<number> {
  const admin = scope.kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({
      groupId: `${scope.config.kafka.topicPrefix}user-actors`,
      topics: [topics.userEvents],
    });
    return (offsets?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** What a Redis restart without persistence does to the stream: every key gone. */
async function loseRedis(match = '*') {
  const found = await redis.keys(`${scope.config.redis.keyPrefix}${match}`);
  if (found.length > 0) await redis.unlink(...found);
}

beforeAll(async () => {
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 2);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
  producer = scope.kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
});
afterAll(async () => {
  await producer?.disconnect();
  await scope.cleanup();
}, 60_000);

describe('a stream whose Redis lost its state', () => {
  it('refuses to start with a message that says what happened, and rebuilds when asked', async () => {
    let stream: RunningStream | undefined = await startStream(scope.config, { log: () => undefined });
    await rate('a', 30);
    await rate('b', 20);
    await expect.poll(() => ratingsOf('a'), { timeout: 30_000 }).toBe(30);
    await expect.poll(() => ratingsOf('b'), { timeout: 30_000 }).toBe(20);
    await expect.poll(kafkaCommitted, { timeout: 30_000 }).toBeGreaterThan(0);
    await stream.stop();
    await loseRedis();

    const refused = await startStream(scope.config, { log: () => undefined }).then(
      (s) => s.stop().then(() => 'started'),
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(LostStateError);
    expect(String((refused as Error).message)).toMatch(
      /Redis holds no offset for partition .*Kafka committed.*marquee stream --rebuild/,
    );
    expect(await ratingsOf('a')).toBe(0);

    const lines: string[] = [];
    stream = await startStream(scope.config, { onLostState: 'rebuild', log: (l) => lines.push(l) });
    try {
      await expect.poll(() => ratingsOf('a'), { timeout: 30_000 }).toBe(30);
      await expect.poll(() => ratingsOf('b'), { timeout: 30_000 }).toBe(20);
      expect(lines.some((l) => /rebuilding from the earliest retained records/.test(l))).toBe(true);
    } finally {
      await stream.stop();
    }
  }, 120_000);

  it('stops applying, and says why, when Redis loses its offsets while the stream runs', async () => {
    const lines: string[] = [];
    const stream = await startStream(scope.config, { log: (l) => lines.push(l) });
    try {
      const before = await kafkaCommitted();
      await rate('c', 5);
      await expect.poll(() => ratingsOf('c'), { timeout: 30_000 }).toBe(5);
      await expect.poll(kafkaCommitted, { timeout: 30_000 }).toBeGreaterThan(before);
      await loseRedis('offset:*');
      await loseRedis('{u:c}*');
      await rate('c', 5);
      const said = await waitUntil(async () => lines.some((l) => /Redis holds no offset/.test(l)), 30_000);
      expect(said.ok).toBe(true);
      expect(await ratingsOf('c')).toBe(0);
    } finally {
      await stream.stop();
    }
  }, 120_000);
});
