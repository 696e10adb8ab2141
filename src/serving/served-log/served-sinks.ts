import type { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import { packByPartition, type PartitionOf } from '../../../streams/event-pack.ts';
import type { ServedEvent } from '../../../streams/events.ts';
import type { RedisKeys } from '../../store/redis-keys.ts';
import type { ServedSinks } from './served-recorder.ts';
import { countServed } from './served-window.ts';

export { countServed };

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
