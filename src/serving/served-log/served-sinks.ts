import type { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import { packByPartition, type PartitionOf } from '../../../streams/event-pack.ts';
import type { ServedEvent } from '../../../streams/events.ts';
import type { RedisKeys } from '../../store/redis-keys.ts';
import type { ServedSinks } from './served-recorder.ts';

/** Where the sinks write: a connected producer, a Redis client, the key names and the two topics. */
export interface ServedSinkTargets {
  readonly producer: Producer;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly topics: { readonly served: string; readonly userEvents: string };
  /** Each topic's key → partition (event-pack.ts), so a batch leaves as one pack per partition. */
  readonly partitionOf: { readonly served: PartitionOf; readonly userEvents: PartitionOf };
}

/**
 * The record goes to marquee.served (monitoring, audits) and to the user's own event stream, so the
 * user actor knows the list it was shown (online evaluation per arm); exposure is counted once,
 * here, in the served leaderboard. Events leave as packs (streams/event-pack.ts), one record per
 * partition per batch: kafkajs and the broker pay per record, and one record per served list was
 * most of the API's Kafka cost. Each event is serialised once for both topics.
 */
export function createServedSinks(targets: ServedSinkTargets): ServedSinks {
  const { producer, redis, keys, topics, partitionOf } = targets;
  return {
    publish: async (events: readonly ServedEvent[]) => {
      const keyed = events.map((e) => ({ key: e.userId, value: JSON.stringify(e) }));
      await producer.sendBatch({
        topicMessages: [
          { topic: topics.served, messages: packByPartition(keyed, partitionOf.served) },
          { topic: topics.userEvents, messages: packByPartition(keyed, partitionOf.userEvents) },
        ],
      });
    },
    countServed: (counts) => countServed(redis, keys, counts),
  };
}

/** Hourly served boards live this long: the feedback monitor reads the last 24 (src/serving/live-signals.ts). */
export const SERVED_HOUR_TTL_MS = 26 * 3_600_000;

/** The served board of the UTC hour holding `at` (hours since the epoch). */
export function servedHourBoard(at: number): string {
  return `served:h:${Math.floor(at / 3_600_000)}`;
}

/**
 * Adds served counts per movie to the served leaderboard (every exposure since the start) and to the
 * current hour's board (the 24-hour window of coverage and concentration), in one pipeline (needs
 * only Redis).
 */
export async function countServed(
  redis: Redis,
  keys: RedisKeys,
  counts: ReadonlyMap<string, number>,
  now = Date.now(),
): Promise<void> {
  const pipeline = redis.pipeline();
  const hour = keys.leaderboard(servedHourBoard(now));
  for (const [id, n] of counts) {
    pipeline.zincrby(keys.leaderboard('served'), n, id);
    pipeline.zincrby(hour, n, id);
  }
  pipeline.pexpire(hour, SERVED_HOUR_TTL_MS);
  await pipeline.exec();
}
