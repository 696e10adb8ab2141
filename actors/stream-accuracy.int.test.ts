import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ML_LATEST_SMALL_DIR, loadDataset } from '../src/data/load-dataset.ts';
import type { UserEvent } from '../streams/events.ts';
import { topicNames } from '../streams/topics.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { createTestScope } from '../test/isolation.ts';
import { decodeMovieMessage } from './messages.ts';
import { STREAM_MODEL_DEFAULTS } from './model-options.ts';
import { prequentialRmse, sequentialActorsRmse, sequentialSgdRmse } from '../test/support/prequential.ts';
import { produceUserEvents, userEventsOf } from '../test/support/replay-events.ts';
import { topicPartitioner, unpackText } from '../streams/event-pack.ts';
import { waitForCaughtUp } from '../test/support/stream-checks.ts';
import { startStream } from './stream-runtime.ts';

const present = existsSync(ML_LATEST_SMALL_DIR);
if (!present) console.warn(`skipping the accuracy test: ${ML_LATEST_SMALL_DIR} is absent`);
const scope = createTestScope('stream-accuracy');
const topics = topicNames(scope.config);
/** Replay pace (ACCURACY_EVENTS_PER_SECOND overrides): a live rate at which the movie side keeps up. */
const EVENTS_PER_SECOND = Number(process.env.ACCURACY_EVENTS_PER_SECOND ?? 8000);

beforeAll(async () => {
  if (!present) return;
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 4);
  scope.groupId('user-actors');
  scope.groupId('movie-actors');
});

afterAll(() => scope.cleanup());

async function streamErrors(events: readonly UserEvent[]): Promise<{ rating: number; err: number }[]> {
  const consumer = scope.kafka.consumer({ groupId: scope.groupId('accuracy-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.movieEvents, fromBeginning: true });
  const pairs: { rating: number; err: number }[] = [];
  const ratings = events.filter((e) => e.type === 'rate').length;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        for (const line of unpackText(message.value)) {
          const m = decodeMovieMessage(line);
          if (typeof m !== 'string' && m.type === 'rate') pairs.push({ rating: m.rating, err: m.err });
        }
        if (pairs.length === ratings) resolve();
      },
    });
  });
  await consumer.disconnect();
  return pairs;
}

describe('prequential accuracy of the stream actors', () => {
  it.skipIf(!present)(
    'stays within 2 % of a sequential in-memory SGD pass over ml-latest-small in time order',
    async () => {
      const events = userEventsOf(await loadDataset('ml-latest-small'));
      const model = STREAM_MODEL_DEFAULTS;
      const stream = await startStream(scope.config, { log: () => undefined });
      const producer = scope.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const started = Date.now();
      const partitionOf = await topicPartitioner(scope.kafka, topics.userEvents);
      for (let start = 0; start < events.length; start += 2000) {
        await produceUserEvents(producer, topics.userEvents, events.slice(start, start + 2000), partitionOf);
        const due = started + ((start + 2000) / EVENTS_PER_SECOND) * 1000;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      }
      await producer.disconnect();
      const keys = redisKeys(scope.config.redis.keyPrefix);
      await waitForCaughtUp(scope.kafka, scope.redis(), keys, scope.config, 120_000);
      await stream.stop();
      const streamed = prequentialRmse(await streamErrors(events), model);
      const sequential = sequentialSgdRmse(events, model);
      const actors = sequentialActorsRmse(events, model);
      console.log(
        `prequential RMSE over ${events.length} ml-latest-small ratings at ${EVENTS_PER_SECOND}/s: stream ${streamed.toFixed(4)}, ` +
          `sequential SGD ${sequential.toFixed(4)}, sequential actor transitions (fold-in, no staleness) ${actors.toFixed(4)}`,
      );
      expect(streamed / sequential).toBeLessThan(1.02);
      expect(streamed / sequential).toBeGreaterThan(0.98);
    },
    240_000,
  );
});
