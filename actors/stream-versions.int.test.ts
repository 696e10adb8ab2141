import { Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { svdToArtifact } from '../src/model/svd-artifact.ts';
import { waitUntil } from '../src/lib/time.ts';
import { publishModel } from '../src/store/model-store.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { readMovieVector, readMovieVersion, readStoredMovie } from '../src/state/movie-state.ts';
import { readStoredUser, readUserFactors, readUserVersion } from '../src/state/user-state.ts';
import { eventIdForKey, type RateEvent, type RebaseEvent } from '../streams/events.ts';
import { topicNames } from '../streams/topics.ts';
import { createTestScope } from '../test/isolation.ts';
import { randomSvdModel } from '../test/support/random-svd-model.ts';
import { initialFactorsFrom } from './initial-factors.ts';
import { STREAM_MODEL_DEFAULTS, type StreamModelOptions } from './model-options.ts';
import { startStream, type RunningStream } from './stream-runtime.ts';
import { newUserState, receiveUserEvent } from './user/user-actor.ts';

const scope = createTestScope('stream-versions');
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
const movies = ['heat', 'alien', 'brazil', 'fargo'];
const v1 = randomSvdModel({ users: ['alice', 'bob'], items: movies, factors: 4, seed: 1, mu: 3.5 });
const v2 = randomSvdModel({ users: ['alice', 'bob'], items: movies, factors: 4, seed: 2, mu: 3.2 });
const options = (model: typeof v1, version: string): StreamModelOptions => ({
  ...STREAM_MODEL_DEFAULTS,
  mu: model.data.mu,
  factors: 4,
  version,
  initial: initialFactorsFrom(model),
});
let stream: RunningStream | undefined;
let producer: Producer;
let n = 0;

/** Sends one user event as its own record; resolves with its user-events position. */
async function send(event: RateEvent | RebaseEvent): Promise<{ partition: number; offset: number }> {
  const [meta] = await producer.send({
    topic: topicNames(scope.config).userEvents,
    messages: [{ key: event.userId, value: JSON.stringify(event) }],
    acks: -1,
  });
  return { partition: meta?.partition ?? -1, offset: Number(meta?.baseOffset) };
}

const rating = (movieId: string, stars: number): RateEvent => ({
  type: 'rate',
  userId: 'alice',
  movieId,
  rating: stars,
  at: 1_700_000_000_000 + n * 1000,
  eventId: eventIdForKey(`versions-${n++}`),
});

async function ratingsOf(userId: string): Promise<number> {
  return (await readStoredUser(redis, keys, userId))?.ratings ?? 0;
}

beforeAll(async () => {
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 2);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
  producer = scope.kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await publishModel(redis, keys, svdToArtifact(v1), { version: '1' });
  stream = await startStream(scope.config, { fromActiveModel: true, log: () => undefined });
});

afterAll(async () => {
  await stream?.stop();
  await producer.disconnect();
  await scope.cleanup();
});

describe('the stream across a model publish', () => {
  it('moves a user onto the new version, folding in exactly the ratings after its watermark', async () => {
    const first = await send(rating('heat', 5));
    const late = [rating('alien', 2), rating('brazil', 4)];
    for (const r of late) await send(r);
    expect((await waitUntil(async () => (await ratingsOf('alice')) === 3, 20_000)).ok).toBe(true);
    expect((await readUserFactors(redis, keys, 'alice')).vector).not.toBeNull();

    // Version 2 trained on the first rating only (its watermark); the stream must replay the other two.
    await publishModel(redis, keys, svdToArtifact(v2), {
      version: '2',
      watermark: { [String(first.partition)]: { offset: first.offset, index: 0 } },
    });
    await expect.poll(() => stream?.space.current().version, { timeout: 10_000 }).toBe('2');
    await send({
      type: 'rebase',
      userId: 'alice',
      version: '2',
      at: Date.now(),
      eventId: eventIdForKey('rebase-a'),
    });
    await expect.poll(() => readUserVersion(redis, keys, 'alice'), { timeout: 10_000 }).toBe('2');

    const o2 = options(v2, '2');
    let expected = newUserState('alice', o2);
    const source = { topic: 'ue', partition: 0, offset: 0, index: 0 };
    for (const r of late) {
      const movie = o2.initial?.movie(r.movieId);
      expected = receiveUserEvent(expected, r, movie, source, o2).state;
    }
    const stored = await readUserFactors(redis, keys, 'alice');
    expect(Array.from(stored.vector ?? [])).toEqual(Array.from(expected.vector));
    expect(stored.bias).toBeCloseTo(expected.bias, 6);
    expect(await ratingsOf('alice')).toBe(3);
  });

  it('moves a movie onto the new version at its next rating, and learns from it only in that version', async () => {
    const before = await readStoredMovie(redis, keys, 'fargo');
    expect(before).toBeNull();
    await send(rating('fargo', 3));
    await expect
      .poll(async () => (await readStoredMovie(redis, keys, 'fargo'))?.ratings ?? 0, { timeout: 10_000 })
      .toBe(1);
    const q = await readMovieVector(redis, keys, 'fargo', 4);
    const start = options(v2, '2').initial?.movie('fargo')?.vector;
    // One half step from version 2's q_i, not from version 1's.
    expect(q).not.toBeNull();
    const distance = (a: Float32Array, b: Float32Array) =>
      Math.hypot(...a.map((x, k) => x - (b[k] as number)));
    expect(distance(q as Float32Array, start as Float32Array)).toBeLessThan(0.05);
    expect(await readMovieVersion(redis, keys, 'fargo')).toBe('2');
  });
});
