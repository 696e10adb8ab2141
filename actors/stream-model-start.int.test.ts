import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { svdToArtifact } from '../src/model/svd-artifact.ts';
import { SvdModel } from '../src/model/algorithms/svd-model.ts';
import { publishModel } from '../src/store/model-store.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { eventIdForKey } from '../streams/events.ts';
import { topicNames } from '../streams/topics.ts';
import { createTestScope } from '../test/isolation.ts';
import { produceUserEvents } from '../test/support/replay-events.ts';
import { topicPartitioner } from '../streams/event-pack.ts';
import { waitForCaughtUp } from '../test/support/stream-checks.ts';
import { startStream, type RunningStream } from './stream-runtime.ts';
import { readMovieVector } from '../src/state/movie-state.ts';
import { readUserFactors } from '../src/state/user-state.ts';

const scope = createTestScope('stream-model-start');
const keys = redisKeys(scope.config.redis.keyPrefix);
let stream: RunningStream | undefined;

const trained = new SvdModel({
  algorithm: 'svd',
  params: {},
  mu: 3,
  factors: 3,
  scale: { min: 1, max: 5 },
  userIds: ['alice'],
  itemIds: ['heat+1995'],
  userBias: Float32Array.of(0.5),
  itemBias: Float32Array.of(0.25),
  userFactors: Float32Array.of(0.5, -0.5, 1),
  itemFactors: Float32Array.of(1, 0.5, 0.25),
  userCounts: Float32Array.of(20),
  itemCounts: Float32Array.of(40),
});

beforeAll(async () => {
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 4);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
  await publishModel(scope.redis(), keys, svdToArtifact(trained), { version: '7' });
  stream = await startStream(scope.config, { fromActiveModel: true, log: () => undefined });
});

afterAll(async () => {
  await stream?.stop();
  await scope.cleanup();
});

describe('the stream started from a published model', () => {
  it("continues a known user and movie from the model's factors, with its μ and factor count", async () => {
    expect(stream?.space.current().options).toMatchObject({ mu: 3, factors: 3 });
    const producer = scope.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const rating = {
      type: 'rate',
      userId: 'alice',
      movieId: 'heat+1995',
      rating: 5,
      at: 1,
      eventId: eventIdForKey('m1'),
    } as const;
    const topic = topicNames(scope.config).userEvents;
    await produceUserEvents(producer, topic, [rating], await topicPartitioner(scope.kafka, topic));
    await producer.disconnect();
    const redis = scope.redis();
    await waitForCaughtUp(scope.kafka, redis, keys, scope.config, 30_000);
    // r̂ = 3 + 0.5 + 0.25 + (0.5 − 0.25 + 0.25) = 4.25, so err = 0.75; one step at lr 0.005, reg 0.02.
    const err = 0.75;
    const alice = await readUserFactors(redis, keys, 'alice');
    const p = alice.vector;
    const q = await readMovieVector(redis, keys, 'heat+1995', 3);
    const step = (own: number, other: number) => own + 0.005 * (err * other - 0.02 * own);
    expect(Array.from(p ?? [])).toEqual([step(0.5, 1), step(-0.5, 0.5), step(1, 0.25)].map(Math.fround));
    expect(Array.from(q ?? [])).toEqual([step(1, 0.5), step(0.5, -0.5), step(0.25, 1)].map(Math.fround));
    expect(alice.bias).toBeCloseTo(0.5 + 0.005 * (err - 0.01), 6);
  });
});
