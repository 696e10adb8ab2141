import { Partitioners, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeUpBoardWeight } from '../src/model/ranking/popularity.ts';
import { svdToArtifact } from '../src/model/svd-artifact.ts';
import { readMovieVector, readMovieVersion, readStoredMovie } from '../src/state/movie-state.ts';
import { publishModel } from '../src/store/model-store.ts';
import { GLOBAL_COHORT } from '../src/store/popular-lists.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { deadLetterSchema, eventIdForKey, type DeadLetter } from '../streams/events.ts';
import { topicNames } from '../streams/topics.ts';
import { createTestScope } from '../test/isolation.ts';
import { randomSvdModel } from '../test/support/random-svd-model.ts';
import { initialFactorsFrom } from './initial-factors.ts';
import { encodeMovieMessage, type MovieRatingMessage } from './messages.ts';
import { STREAM_MODEL_DEFAULTS } from './model-options.ts';
import { movieRole } from './roles.ts';
import { startStream, type RunningStream } from './stream-runtime.ts';

const scope = createTestScope('stream-factor-change');
const topics = topicNames(scope.config);
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
const movies = ['heat', 'alien', 'brazil'];
// The retrain changed the factor count: version 1 has 4 factors, version 2 has 8.
const v1 = randomSvdModel({ users: ['alice'], items: movies, factors: 4, seed: 1 });
const v2 = randomSvdModel({ users: ['alice'], items: movies, factors: 8, seed: 2 });
const t0 = Date.UTC(2026, 10, 3, 12);
let offset = 0;
let stream: RunningStream | undefined;
let producer: Producer;
let reader: Consumer;
const dead: DeadLetter[] = [];

/** A user actor's rating half, as a user actor in another stream process sends it, in version `v`. */
const rating = (movieId: string, v: string, factors: number): MovieRatingMessage => ({
  type: 'rate',
  v,
  movieId,
  userId: 'alice',
  rating: 5,
  err: 1,
  p: new Float32Array(factors).fill(0.5),
  at: t0 + offset * 1000,
  eventId: eventIdForKey(`factor-change-${offset}`),
  source: { topic: topics.userEvents, partition: 0, offset: offset++, index: 0 },
  cohort: GLOBAL_COHORT,
  served: false,
});

async function send(...messages: MovieRatingMessage[]): Promise<void> {
  await producer.send({
    topic: topics.movieEvents,
    messages: messages.map((m) => ({ key: m.movieId, value: encodeMovieMessage(m) })),
    acks: -1,
  });
}

const ratingsOf = async (movieId: string) => (await readStoredMovie(redis, keys, movieId))?.ratings ?? 0;
const popularity = async (movieId: string) =>
  redis.zscore(keys.popularFor(GLOBAL_COHORT), movieId).then((s) => (s === null ? null : Number(s)));

beforeAll(async () => {
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 2);
  scope.groupId('movie-actors');
  producer = scope.kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  reader = scope.kafka.consumer({ groupId: scope.groupId('dlq-reader') });
  await reader.connect();
  await reader.subscribe({ topic: topics.deadLetter, fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) =>
      void dead.push(deadLetterSchema.parse(JSON.parse(message.value?.toString() ?? ''))),
  });
  await publishModel(redis, keys, svdToArtifact(v1), { version: '1' });
  stream = await startStream(scope.config, {
    roles: [movieRole],
    fromActiveModel: true,
    log: () => undefined,
  });
  // This process polls no more: version 2, published below, is one it has not loaded when the first
  // rating of it arrives (as between two polls), so only that rating makes it load the version.
  stream.space.stop();
});

afterAll(async () => {
  await stream?.stop();
  await reader.disconnect();
  await producer.disconnect();
  await scope.cleanup();
});

describe('movie actors across a retrain that changed the factor count, on real Kafka and Redis', () => {
  it('count every rating of either version, learn from those of theirs, and dead-letter a corrupt vector', async () => {
    expect(stream?.space.current().version).toBe('1');
    await publishModel(redis, keys, svdToArtifact(v2), { version: '2' });
    // From user actors already in version 2 (8 factors), while this process is still in version 1:
    // heat's is a valid rating, brazil's vector is corrupt (3 factors in an 8-factor version).
    const heat = rating('heat', '2', 8);
    const brazil = rating('brazil', '2', 3);
    await send(heat, brazil);
    await expect.poll(() => ratingsOf('heat'), { timeout: 20_000 }).toBe(1);
    expect(stream?.space.current().version).toBe('2');
    // From a user actor still in version 1 (4 factors), now that the movies live in version 2.
    const alien = rating('alien', '1', 4);
    await send(alien);
    await expect.poll(() => ratingsOf('alien'), { timeout: 20_000 }).toBe(1);

    const options = { ...STREAM_MODEL_DEFAULTS, servedPopularityWeight: scope.config.servedPopularityWeight };
    for (const m of [heat, alien])
      expect((await popularity(m.movieId)) ?? 0).toBeCloseTo(takeUpBoardWeight(m.at, false, options), 9);
    // heat learned in version 2 (its q_i moved off the trained start); alien was counted, not learned.
    const start = initialFactorsFrom(v2);
    expect(await readMovieVersion(redis, keys, 'heat')).toBe('2');
    expect(await readMovieVector(redis, keys, 'heat', 8)).not.toEqual(start.movie('heat')?.vector);
    const alienStart = start.movie('alien')?.vector;
    expect(alienStart).toHaveLength(8);
    expect((await readMovieVector(redis, keys, 'alien', 8)) ?? alienStart).toEqual(alienStart);
    expect(await readMovieVersion(redis, keys, 'alien')).toBe('2');

    await expect.poll(() => dead.length, { timeout: 20_000 }).toBe(1);
    expect(dead[0]?.reason).toBe('wrong vector length: p has 3 factors, model version 2 has 8');
    expect(JSON.parse(dead[0]?.line ?? '')).toEqual(JSON.parse(encodeMovieMessage(brazil)));
    expect(await readStoredMovie(redis, keys, 'brazil')).toBeNull();
    expect(await popularity('brazil')).toBeNull();
  }, 60_000);
});
