import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventIdForKey, type UserEvent } from '../streams/events.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { topicNames } from '../streams/topics.ts';
import { createTestScope } from '../test/isolation.ts';
import { produceUserEvents } from '../test/support/replay-events.ts';
import { topicPartitioner } from '../streams/event-pack.ts';
import { waitForCaughtUp } from '../test/support/stream-checks.ts';
import { spawnStream, stopStream } from '../test/support/stream-process.ts';

const scope = createTestScope('stream-sigterm');
const topics = topicNames(scope.config);

beforeAll(async () => {
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 4);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
});

afterAll(() => scope.cleanup());

describe('marquee stream on SIGTERM', () => {
  it('commits what it processed, leaves both consumer groups and exits 0', async () => {
    const stream = spawnStream(['--only', 'user,movie', '--factors', '8'], scope.env);
    await stream.ready;
    const events: UserEvent[] = Array.from({ length: 200 }, (_, j) => ({
      type: 'rate',
      userId: `u${j % 20}`,
      movieId: `m${j % 7}`,
      rating: 1 + (j % 5),
      at: Date.UTC(2024, 0, 1) + j,
      eventId: eventIdForKey(`sigterm${j}`),
    }));
    const producer = scope.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const partitionOf = await topicPartitioner(scope.kafka, topics.userEvents);
    await produceUserEvents(producer, topics.userEvents, events, partitionOf);
    await producer.disconnect();
    const redis = scope.redis();
    await waitForCaughtUp(scope.kafka, redis, redisKeys(scope.config.redis.keyPrefix), scope.config, 30_000);
    const started = Date.now();
    expect(await stopStream(stream)).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stream.stderr()).toContain('SIGTERM: stopping');
    const admin = scope.kafka.admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([
      `${scope.config.kafka.topicPrefix}user-actors`,
      `${scope.config.kafka.topicPrefix}movie-actors`,
    ]);
    await admin.disconnect();
    expect(groups.map((g) => g.members.length)).toEqual([0, 0]);
  }, 60_000);
});
