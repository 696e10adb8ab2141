import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticWorld } from '../src/data/synthetic-world.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import {
  clusterHealthy,
  ensureRedisCluster,
  stopClusterNode,
} from '../src/services/redis-cluster-service.ts';
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
import { clusterEnv, clusterPassword, clusterPaths } from '../test/support/redis-cluster.ts';
import { STREAM_MODEL_DEFAULTS } from './model-options.ts';
import { startStream, type RunningStream } from './stream-runtime.ts';

// A cluster of this file's own (killing a master of the shared one would fail the other cluster
// tests): three masters on 7011-7013, stopped at the end.
const nodes = ['127.0.0.1:7011', '127.0.0.1:7012', '127.0.0.1:7013'];
const victim = nodes[1] as string;
const paths = clusterPaths();
const scope = createTestScope('stream-cluster-kill', clusterEnv(nodes));
const topics = topicNames(scope.config);
const keys = redisKeys(scope.config.redis.keyPrefix);
const events = userEventsOf(generateSyntheticWorld({ users: 400, movies: 300, ratings: 8_000, seed: 13 }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let stream: RunningStream | undefined;

beforeAll(async () => {
  await ensureRedisCluster(nodes, paths, () => undefined, clusterPassword());
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 4);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
});

afterAll(async () => {
  await stream?.stop();
  await scope.cleanup();
  for (const address of nodes) {
    await stopClusterNode(address, paths, 'SIGTERM');
    rmSync(join(paths.home, 'redis-cluster', address.split(':')[1] as string), {
      recursive: true,
      force: true,
    });
  }
}, 60_000);

describe('the stream on Redis Cluster when a master dies', () => {
  it('keeps every counter exact when one master is SIGKILLed mid-replay and restarted', async () => {
    const logs: string[] = [];
    stream = await startStream(scope.config, { model: { factors: 16 }, log: (line) => logs.push(line) });
    const redis = scope.redis();
    const producer = scope.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const partitionOf = await topicPartitioner(scope.kafka, topics.userEvents);
    const userGroup = `${scope.config.kafka.topicPrefix}user-actors`;
    let killedAt = -1;
    for (let start = 0; start < events.length; start += 1000) {
      await produceUserEvents(
        producer,
        topics.userEvents,
        events.slice(start, start + 1000),
        partitionOf,
        1000,
      );
      await sleep(150);
      if (killedAt < 0 && start >= events.length * 0.3) {
        killedAt = await committedTotal(redis, keys, userGroup, topics.userEvents, 4);
        // The master's process dies at once: its slots (a third of every batch's writes) are gone
        // until it restarts from its append-only file; batches fail and retry meanwhile.
        expect(await stopClusterNode(victim, paths, 'SIGKILL')).toBe(true);
        expect(await clusterHealthy(nodes, clusterPassword())).toBe(false);
        await sleep(2000);
        await ensureRedisCluster(nodes, paths, () => undefined, clusterPassword());
      }
    }
    await producer.disconnect();
    const expected = expectedCounts(events);
    await waitForCaughtUp(scope.kafka, redis, keys, scope.config, 90_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\nstream log:\n${logs.slice(-40).join('\n')}`);
    });
    const records = await committedTotal(redis, keys, userGroup, topics.userEvents, 4);
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(records);
    // The outage was seen: some batch failed and was retried.
    expect(logs.some((line) => / retry \d+ from the committed offset/.test(line))).toBe(true);
    const got = await readCounts(redis, keys, expected, 16);
    expect(countersOf(got)).toEqual(countersOf(expected));
    expect(got.nonFinite).toBe(0);
    const board = expectedGlobalBoard(events, STREAM_MODEL_DEFAULTS.popularityHalfLifeMs);
    expect(await globalBoardMismatches(redis, keys, board)).toEqual([]);
  }, 180_000);
});
