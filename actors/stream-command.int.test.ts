/**
 * `marquee stream` with its default roles — ingest, user actors, movie actors — in one process, fed
 * raw course lines: every counter in Redis equals the count computed straight from the valid lines,
 * every malformed line is dead-lettered, and SIGTERM leaves cleanly.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReplay } from '../src/data/replay.ts';
import { produceReplay } from '../src/data/replay-producer.ts';
import { generateSyntheticWorld, SYNTHETIC_SIZES } from '../src/data/synthetic-world.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { eventIdForKey, type UserEvent } from '../streams/events.ts';
import { parseMovielogLine } from '../streams/movielog-parser.ts';
import { topicNames } from '../streams/topics.ts';
import { createTestScope } from '../test/isolation.ts';
import { waitUntil } from '../src/lib/time.ts';
import {
  countersOf,
  expectedCounts,
  linesIngested,
  readCounts,
  waitForCaughtUp,
} from '../test/support/stream-checks.ts';
import { spawnStream, stopStream } from '../test/support/stream-process.ts';

const scope = createTestScope('stream-command');
const topics = topicNames(scope.config);
const keys = redisKeys(scope.config.redis.keyPrefix);
const world = generateSyntheticWorld({ ...SYNTHETIC_SIZES.tiny, seed: 11 });
const messages = buildReplay(world, { malformedShare: 0.02, seed: 3 });
const parsed = messages.map((m) => parseMovielogLine(m.value));
const events: UserEvent[] = parsed.flatMap((p, j) =>
  p.ok ? [{ ...p.event, eventId: eventIdForKey(String(j)) } as UserEvent] : [],
);
const malformed = parsed.filter((p) => !p.ok).length;
const clientId = `${scope.config.kafka.topicPrefix}marquee`;
let child: ChildProcess | undefined;

beforeAll(() => {
  for (const name of ['user-actors', 'movie-actors', 'marquee-ingest']) scope.groupId(name);
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await scope.cleanup();
});

describe('marquee stream (ingest, user and movie actors in one process)', () => {
  it('turns course lines into exact counters in Redis, dead-letters the malformed ones and stops cleanly', async () => {
    expect(malformed).toBeGreaterThan(0);
    const stream = spawnStream(
      ['--factors', '8', '--dataset', 'synthetic', '--size', 'tiny', '--seed', '11'],
      {
        ...scope.env,
        KAFKA_CLIENT_ID: clientId,
      },
    );
    child = stream.child;
    await stream.ready;
    expect(stream.stderr()).toMatch(/stream: ingest, user actors, movie actors running/);
    await produceReplay(scope.kafka, topics.movielog, messages);

    // Ingest has committed every line, then the actors have reached the ends of their topics.
    const admin = scope.kafka.admin();
    await admin.connect();
    const ingested = await waitUntil(
      async () => (await linesIngested(admin, `${clientId}-ingest`, topics.movielog)) >= messages.length,
      60_000,
      200,
    );
    expect(ingested.ok, stream.stderr()).toBe(true);
    const redis = scope.redis();
    await waitForCaughtUp(scope.kafka, redis, keys, scope.config, 60_000, { transactionalInput: true });
    const expected = expectedCounts(events);
    const got = await readCounts(redis, keys, expected, 8);
    expect(countersOf(got)).toEqual(countersOf(expected));
    expect(got.nonFinite).toBe(0);
    await admin.disconnect();
    // Every malformed line is in the dead-letter topic, once.
    const reader = scope.kafka.consumer({ groupId: scope.groupId('dlq-reader') });
    await reader.connect();
    await reader.subscribe({ topic: topics.deadLetter, fromBeginning: true });
    const dead: string[] = [];
    await reader.run({ eachMessage: async ({ message }) => void dead.push(message.value?.toString() ?? '') });
    await waitUntil(async () => dead.length >= malformed, 30_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await reader.disconnect();
    expect(dead).toHaveLength(malformed);

    expect(await stopStream(stream)).toBe(0);
    child = undefined;
  }, 120_000);
});
