import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardWeight } from '../src/model/ranking/popularity.ts';
import { GLOBAL_COHORT } from '../src/store/popular-lists.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { topicPartitioner } from '../streams/event-pack.ts';
import { eventIdForKey, type UserEvent } from '../streams/events.ts';
import { topicNames } from '../streams/topics.ts';
import { createTestScope } from '../test/isolation.ts';
import { produceUserEvents } from '../test/support/replay-events.ts';
import { expectedBoards, globalBoardMismatches, waitForCaughtUp } from '../test/support/stream-checks.ts';
import { STREAM_MODEL_DEFAULTS } from './model-options.ts';
import { startStream, type RunningStream } from './stream-runtime.ts';

const scope = createTestScope('stream-served-pop');
const topics = topicNames(scope.config);
const keys = redisKeys(scope.config.redis.keyPrefix);
/** SERVED_POPULARITY_WEIGHT in this test's config. */
const SERVED_WEIGHT = 0.25;
const t0 = Date.UTC(2026, 10, 2, 12);
let n = 0;
const common = (userId: string, at: number) => ({ userId, at, eventId: eventIdForKey(`served-pop:${n++}`) });
const served = (userId: string, items: string[], at: number, status = 200): UserEvent => ({
  type: 'served',
  ...common(userId, at),
  items,
  status,
  latencyMs: 4,
  observedBy: 'server',
});
// alice (25-34, F) is served a list and then rates and starts watching titles from it; bob, served
// nothing, rates and starts watching other titles at the same moments: organic take-ups. carol is
// served a list that fails (status 500), so her rating of a title in it is organic too.
const events: UserEvent[] = [
  { type: 'profile', ...common('alice', t0), age: 30, gender: 'F' },
  served('alice', ['picked+2001', 'watched+2001', 'other+2001'], t0 + 1_000),
  { type: 'rate', ...common('alice', t0 + 60_000), movieId: 'picked+2001', rating: 5 },
  { type: 'rate', ...common('bob', t0 + 60_000), movieId: 'found+2002', rating: 5 },
  { type: 'watch', ...common('alice', t0 + 120_000), movieId: 'watched+2001', minute: 0 },
  { type: 'watch', ...common('bob', t0 + 120_000), movieId: 'browsed+2002', minute: 0 },
  served('carol', ['failed+2003'], t0 + 1_000, 500),
  { type: 'rate', ...common('carol', t0 + 60_000), movieId: 'failed+2003', rating: 4 },
];
let stream: RunningStream | undefined;

beforeAll(async () => {
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 2);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
  stream = await startStream(
    { ...scope.config, servedPopularityWeight: SERVED_WEIGHT },
    { model: { factors: 8 }, log: () => undefined },
  );
});

afterAll(async () => {
  await stream?.stop();
  await scope.cleanup();
});

describe('take-ups of titles the user was just served, on real Kafka and Redis', () => {
  it('add SERVED_POPULARITY_WEIGHT of an organic take-up to popular:all and the cohort board', async () => {
    const producer = scope.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await produceUserEvents(
      producer,
      topics.userEvents,
      events,
      await topicPartitioner(scope.kafka, topics.userEvents),
    );
    await producer.disconnect();
    const redis = scope.redis();
    await waitForCaughtUp(scope.kafka, redis, keys, scope.config, 45_000);
    const h = STREAM_MODEL_DEFAULTS.popularityHalfLifeMs;
    const score = async (movieId: string, cohort = GLOBAL_COHORT) =>
      Number(await redis.zscore(keys.popularFor(cohort), movieId));
    // A rating (the movie actor's write) and a started view (the user actor's) of a served title
    // each add a quarter of what the same take-up of an unserved title adds at the same moment.
    expect(await score('picked+2001')).toBeLessThan(await score('found+2002'));
    expect((await score('picked+2001')) / (await score('found+2002'))).toBeCloseTo(SERVED_WEIGHT, 9);
    expect((await score('watched+2001')) / (await score('browsed+2002'))).toBeCloseTo(SERVED_WEIGHT, 9);
    expect((await score('picked+2001', '25-34:F')) / boardWeight(t0 + 60_000, h)).toBeCloseTo(
      SERVED_WEIGHT,
      9,
    );
    // A list that failed was not served: carol's rating counts in full.
    expect((await score('failed+2003')) / boardWeight(t0 + 60_000, h)).toBeCloseTo(1, 9);
    // A title served but not taken up gains nothing; and the boards hold exactly what the input gives.
    expect(await redis.zscore(keys.popularFor(GLOBAL_COHORT), 'other+2001')).toBeNull();
    const boards = expectedBoards(events, h, Infinity, SERVED_WEIGHT);
    for (const cohort of [GLOBAL_COHORT, '25-34:F'])
      expect(await globalBoardMismatches(redis, keys, boards.get(cohort) ?? new Map(), cohort)).toEqual([]);
  });
});
