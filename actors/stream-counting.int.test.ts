import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metrics } from '../otel/names.ts';
import { generateSyntheticWorld, SYNTHETIC_SIZES } from '../src/data/synthetic-world.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { eventIdForKey, type UserEvent } from '../streams/events.ts';
import { topicNames } from '../streams/topics.ts';
import { readMovieDayRaters, readStoredMovie } from '../src/state/movie-state.ts';
import { createTestScope } from '../test/isolation.ts';
import {
  countersOf,
  expectedBoards,
  expectedCounts,
  globalBoardMismatches,
  readCounts,
  waitForCaughtUp,
} from '../test/support/stream-checks.ts';
import { boardWeight } from '../src/model/ranking/popularity.ts';
import { GLOBAL_COHORT } from '../src/store/popular-lists.ts';
import { STREAM_MODEL_DEFAULTS } from './model-options.ts';
import { produceUserEvents, userEventsOf } from '../test/support/replay-events.ts';
import { topicPartitioner } from '../streams/event-pack.ts';
import { startStream, type RunningStream } from './stream-runtime.ts';

const scope = createTestScope('stream-counting');
const topics = topicNames(scope.config);
const keys = redisKeys(scope.config.redis.keyPrefix);
const world = generateSyntheticWorld({ ...SYNTHETIC_SIZES.tiny, seed: 7 });
const poisonDay = Date.UTC(2024, 5, 1);
// A rating flood on one movie in one day, from 30 accounts of one cohort (25–34, F): the daily cap (2)
// must count, not learn — and the 28 over it add nothing to the popularity boards.
const flood: UserEvent[] = Array.from({ length: 30 }, (_, j): UserEvent[] => [
  {
    type: 'profile',
    userId: `flood${j}`,
    age: 30,
    gender: 'F',
    at: poisonDay,
    eventId: eventIdForKey(`fp${j}`),
  },
  {
    type: 'rate',
    userId: `flood${j}`,
    movieId: 'poison+2099',
    rating: 5,
    // One time for all: whichever two raters the cap lets in, the boards gain the same weight.
    at: poisonDay,
    eventId: eventIdForKey(`flood${j}`),
  },
]).flat();
// One account rating another movie 20 times that day, and a second account once: the 20 take one
// slot between them (a re-rating replaces), so alice gets the second slot whatever the order.
const rater = (userId: string, n: number): UserEvent => ({
  type: 'rate',
  userId,
  movieId: 'rerated+2099',
  rating: 1 + (n % 5),
  at: poisonDay + 100 + n,
  eventId: eventIdForKey(`rerate${n}`),
});
const rerates: UserEvent[] = [
  ...Array.from({ length: 20 }, (_, n) => rater('mallory', n)),
  rater('alice', 20),
];
// A push below the cap: a cold title rated 2 stars by 5 accounts over 3 days (2, 2, 1: none capped),
// then 5 stars by 2 more accounts on one day — the second of them flags it.
const day = 86_400_000;
const cold = (userId: string, rating: number, at: number): UserEvent => ({
  type: 'rate',
  userId,
  movieId: 'cold+2099',
  rating,
  at,
  eventId: eventIdForKey(`cold-${userId}`),
});
const push: UserEvent[] = [
  ...[0, 0, 1, 1, 2].map((d, k) => cold(`organic${k}`, 2, poisonDay - (5 - d) * day + k)),
  cold('pusher0', 5, poisonDay + 200),
  cold('pusher1', 5, poisonDay + 300),
];
const events = [...userEventsOf(world), ...flood, ...rerates, ...push];
let stream: RunningStream | undefined;
const registry = new Registry();

beforeAll(async () => {
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 4);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
  // The cap comes from the config (RATING_DAILY_CAP), as the retrain's does.
  stream = await startStream(
    { ...scope.config, dailyCap: 2 },
    {
      model: { factors: 16 },
      metrics: registry,
      log: () => undefined,
    },
  );
});

afterAll(async () => {
  await stream?.stop();
  await scope.cleanup();
});

describe('the stream actors on real Kafka and Redis', () => {
  it('make every counter equal the count computed directly from the replayed input', async () => {
    const producer = scope.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const partitioner = await topicPartitioner(scope.kafka, topics.userEvents);
    // The push's two 5-star ratings go last, once the rest is in: ratings of different users reach a
    // movie in no set order, and only after its organic ratings is the title judged cold and poor.
    await produceUserEvents(producer, topics.userEvents, events.slice(0, -2), partitioner);
    await producer.send({ topic: topics.userEvents, messages: [{ key: 'x', value: '{"type":"nonsense"}' }] });
    const redis = scope.redis();
    await waitForCaughtUp(scope.kafka, redis, keys, scope.config, 45_000);
    await produceUserEvents(producer, topics.userEvents, events.slice(-2), partitioner);
    await producer.disconnect();
    const expected = expectedCounts(events);
    await waitForCaughtUp(scope.kafka, redis, keys, scope.config, 45_000);
    const got = await readCounts(redis, keys, expected, 16);
    expect(countersOf(got)).toEqual(countersOf(expected));
    expect(got.nonFinite).toBe(0);
    const poison = await readStoredMovie(redis, keys, 'poison+2099');
    expect(poison).toMatchObject({ ratings: 30, capped: 28, dayUpdates: 2 });
    const rerated = await readStoredMovie(redis, keys, 'rerated+2099');
    expect(rerated).toMatchObject({ ratings: 21, rerated: 19, capped: 0, dayUpdates: 2 });
    expect(got.capped).toBe(28);
    // The flood shows: cap hits in total on /metrics, and which movie on the day's bounded board.
    const capHits = await registry.getSingleMetric(metrics.streamCapHits)?.get();
    expect(capHits?.values[0]?.value).toBe(28);
    expect(await redis.zrevrange(keys.leaderboard('capped:2024-06-01'), 0, 4, 'WITHSCORES')).toEqual([
      'poison+2099',
      '28',
    ]);
    const raters = await readMovieDayRaters(redis, keys, 'rerated+2099');
    expect([...raters].sort()).toEqual(['alice', 'mallory']);
    // The push below the cap shows: a flagged title on /metrics, and its push ratings on the day's board.
    const pushed = await registry.getSingleMetric(metrics.streamPushedTitles)?.get();
    expect(pushed?.values[0]?.value).toBe(1);
    expect(await redis.zrevrange(keys.leaderboard('pushed:2024-06-01'), 0, 4, 'WITHSCORES')).toEqual([
      'cold+2099',
      '2',
    ]);
  });

  it('keeps ratings over the daily cap, and same-day re-ratings, off the global and cohort popularity boards', async () => {
    const redis = scope.redis();
    await waitForCaughtUp(scope.kafka, redis, keys, scope.config, 45_000);
    const h = STREAM_MODEL_DEFAULTS.popularityHalfLifeMs;
    // 30 raters in a day, 2 within the cap: the flood counts twice, on popular:all and on its cohort's
    // board alike (it counted 30 times before the movie actor wrote the rating's popularity).
    const twice = 2 * boardWeight(poisonDay, h);
    for (const cohort of [GLOBAL_COHORT, '25-34:F']) {
      const score = Number(await redis.zscore(keys.popularFor(cohort), 'poison+2099'));
      expect(score / twice).toBeCloseTo(1, 9);
    }
    // mallory's 20 ratings of one day are one take-up; alice's is the other.
    const rerated = Number(await redis.zscore(keys.popularFor(GLOBAL_COHORT), 'rerated+2099'));
    const takeUps = boardWeight(poisonDay + 100, h) + boardWeight(poisonDay + 120, h);
    expect(rerated / takeUps).toBeCloseTo(1, 9);
    // And every board holds exactly what the input gives under that rule, no more.
    const boards = expectedBoards(events, h, 2);
    expect([...boards.keys()].sort()).toEqual(['25-34:F', GLOBAL_COHORT]);
    for (const [cohort, board] of boards)
      expect(await globalBoardMismatches(redis, keys, board, cohort)).toEqual([]);
  });
});
