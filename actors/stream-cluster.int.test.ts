import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticWorld, SYNTHETIC_SIZES } from '../src/data/synthetic-world.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { topicNames } from '../streams/topics.ts';
import { topicPartitioner } from '../streams/event-pack.ts';
import { createTestScope } from '../test/isolation.ts';
import { produceUserEvents, userEventsOf } from '../test/support/replay-events.ts';
import {
  committedTotal,
  countersOf,
  expectedCounts,
  expectedGlobalBoard,
  globalBoardMismatches,
  readCounts,
  waitForCaughtUp,
} from '../test/support/stream-checks.ts';
import { spawnStream } from '../test/support/stream-process.ts';
import { clusterEnv, ensureTestCluster, TEST_CLUSTER_NODES } from '../test/support/redis-cluster.ts';
import { STREAM_MODEL_DEFAULTS } from './model-options.ts';
import { startStream } from './stream-runtime.ts';

// The stream on a 3-master Redis Cluster: the counting and crash tests of stream-counting and
// stream-crash, plus the global popularity board (written on its own slot, apart from every actor).
const halfLife = STREAM_MODEL_DEFAULTS.popularityHalfLifeMs;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => ensureTestCluster(TEST_CLUSTER_NODES));

describe('the stream actors on Redis Cluster', () => {
  const scope = createTestScope('stream-cluster-count', clusterEnv(TEST_CLUSTER_NODES));
  const topics = topicNames(scope.config);
  const keys = redisKeys(scope.config.redis.keyPrefix);
  const events = userEventsOf(generateSyntheticWorld({ ...SYNTHETIC_SIZES.tiny, seed: 5 }));

  beforeAll(async () => {
    for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 4);
    scope.groupId('user-actors');
    scope.groupId('movie-actors');
  });
  afterAll(() => scope.cleanup());

  it('make every counter and the global board equal what the input says', async () => {
    const logs: string[] = [];
    const stream = await startStream(scope.config, {
      model: { factors: 16 },
      log: (line) => logs.push(line),
    });
    try {
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
      const expected = expectedCounts(events);
      await waitForCaughtUp(scope.kafka, redis, keys, scope.config, 90_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\nstream log:\n${logs.slice(-40).join('\n')}`);
      });
      const got = await readCounts(redis, keys, expected, 16);
      expect(countersOf(got)).toEqual(countersOf(expected));
      expect(got.nonFinite).toBe(0);
      expect(await globalBoardMismatches(redis, keys, expectedGlobalBoard(events, halfLife))).toEqual([]);
      // Nothing is left half-committed, and the user actors' keys are spread over all three masters.
      expect(
        await redis.exists(
          keys.partitionPending(`${scope.config.kafka.topicPrefix}user-actors`, topics.userEvents, 0),
        ),
      ).toBe(0);
    } finally {
      await stream.stop();
    }
  }, 120_000);
});

describe('marquee stream on Redis Cluster under a crash', () => {
  const scope = createTestScope('stream-cluster-crash', clusterEnv(TEST_CLUSTER_NODES));
  const topics = topicNames(scope.config);
  const keys = redisKeys(scope.config.redis.keyPrefix);
  const world = generateSyntheticWorld({ users: 400, movies: 300, ratings: 10_000, seed: 11 });
  const events = userEventsOf(world);
  const children = new Set<ChildProcess>();
  const logs: string[] = [];

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

  beforeAll(async () => {
    for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 4);
    scope.groupId('user-actors');
    scope.groupId('movie-actors');
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await scope.cleanup();
  });

  it('counts every event exactly once when a process is SIGKILLed mid-commit and another mid-replay', async () => {
    const redis = scope.redis();
    // a kills itself in the middle of its 6th commit: half of the batch's slots hold their writes,
    // the rest and the offset do not. b is SIGKILLed from outside at 30 %. Both restart at 70 %.
    const [a, b] = await Promise.all([
      startStreamProcess('a', ['--crash-mid-commit', '6']),
      startStreamProcess('b'),
    ]);
    const aDied = new Promise<NodeJS.Signals | null>((resolve) =>
      a.on('exit', (_code, signal) => resolve(signal)),
    );
    await sleep(3000);
    const producer = scope.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const userGroup = `${scope.config.kafka.topicPrefix}user-actors`;
    const partitionOf = await topicPartitioner(scope.kafka, topics.userEvents);
    let killedAt = -1;
    let restarted: Promise<unknown> | undefined;
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
    await waitForCaughtUp(scope.kafka, redis, keys, scope.config, 90_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\nstream log:\n${logs.slice(-40).join('\n')}`);
    });
    const records = await committedTotal(redis, keys, userGroup, topics.userEvents, 4);
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(records);
    const got = await readCounts(redis, keys, expected, 16);
    expect(countersOf(got)).toEqual(countersOf(expected));
    expect(got.nonFinite).toBe(0);
    expect(await globalBoardMismatches(redis, keys, expectedGlobalBoard(events, halfLife))).toEqual([]);
  }, 150_000);
});
