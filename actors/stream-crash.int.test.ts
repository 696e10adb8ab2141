import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticWorld } from '../src/data/synthetic-world.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { topicNames } from '../streams/topics.ts';
import { createTestScope } from '../test/isolation.ts';
import { produceUserEvents, userEventsOf } from '../test/support/replay-events.ts';
import { topicPartitioner } from '../streams/event-pack.ts';
import {
  committedTotal,
  countersOf,
  expectedCounts,
  readCounts,
  waitForCaughtUp,
} from '../test/support/stream-checks.ts';
import { spawnStream } from '../test/support/stream-process.ts';

const scope = createTestScope('stream-crash');
const topics = topicNames(scope.config);
const keys = redisKeys(scope.config.redis.keyPrefix);
const world = generateSyntheticWorld({ users: 400, movies: 300, ratings: 10_000, seed: 11 });
const events = userEventsOf(world);
const children = new Set<ChildProcess>();
const logs: string[] = [];

/** One member of the group; its stderr goes to `logs` under `name`. */
async function startStreamProcess(name: string, extra: string[] = []): Promise<ChildProcess> {
  const args = [
    '--only',
    'user,movie',
    '--factors',
    '16',
    '--batch-size',
    '500',
    '--session-timeout-ms',
    '6000',
  ];
  const p = spawnStream([...args, ...extra], scope.env, (text) => logs.push(`[${name}] ${text}`));
  children.add(p.child);
  p.child.on('exit', () => children.delete(p.child));
  await p.ready;
  return p.child;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 4);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await scope.cleanup();
});

describe('marquee stream under a crash', () => {
  it('counts every event exactly once and keeps factors finite when processes are SIGKILLed mid-replay', async () => {
    const redis = scope.redis();
    // a kills itself at the worst moment: its 8th batch's movie events are in Kafka, its state is not
    // in Redis. b is SIGKILLed from outside at 30 % of the replay. Both restart at 70 %.
    const [a, b] = await Promise.all([
      startStreamProcess('a', ['--crash-after-produce', '8']),
      startStreamProcess('b'),
    ]);
    const aDied = new Promise<NodeJS.Signals | null>((resolve) =>
      a.on('exit', (_code, signal) => resolve(signal)),
    );
    await sleep(3000); // both members in the group, partitions split between them
    const producer = scope.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const userGroup = `${scope.config.kafka.topicPrefix}user-actors`;
    let killedAt = -1;
    const partitionOf = await topicPartitioner(scope.kafka, topics.userEvents);
    let restarted: Promise<unknown> | undefined;
    // A paced replay (about 10k events/s), so the kills land while records are flowing.
    for (let start = 0; start < events.length; start += 1000) {
      await produceUserEvents(
        producer,
        topics.userEvents,
        events.slice(start, start + 1000),
        partitionOf,
        1000,
      );
      await sleep(100);
      if (killedAt < 0 && start >= events.length * 0.3) {
        b.kill('SIGKILL');
        killedAt = await committedTotal(redis, keys, userGroup, topics.userEvents, 4);
      }
      if (restarted === undefined && start >= events.length * 0.7) {
        expect(await aDied).toBe('SIGKILL');
        restarted = Promise.all([startStreamProcess('a2'), startStreamProcess('b2')]);
      }
    }
    await producer.disconnect();
    await restarted;
    const expected = expectedCounts(events);
    await waitForCaughtUp(scope.kafka, redis, keys, scope.config, 90_000);
    // The kill landed mid-replay: some of the user-events records were committed, not all.
    const records = await committedTotal(redis, keys, userGroup, topics.userEvents, 4);
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(records);
    const got = await readCounts(redis, keys, expected, 16);
    expect(countersOf(got)).toEqual(countersOf(expected));
    expect(got.nonFinite).toBe(0);
  }, 150_000);
});
