import type { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import type { ServedEvent } from '../../../streams/events.ts';
import type { RedisKeys } from '../../store/redis-keys.ts';
import type { ServedSinks } from './served-recorder.ts';

/** Where the sinks write: a connected producer, a Redis client, the key names and the two topics. */
export interface ServedSinkTargets {
  readonly producer: Producer;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly topics: { readonly served: string; readonly userEvents: string };
}

/**
 * The record goes to marquee.served (monitoring, audits) and to the user's own event stream, so the
 * user actor knows the list it was shown (online evaluation per arm); exposure is counted once,
 * here, in the served leaderboard.
 */
export function createServedSinks(targets: ServedSinkTargets): ServedSinks {
  const { producer, redis, keys, topics } = targets;
  return {
    publish: async (events: readonly ServedEvent[]) => {
      const messages = events.map((e) => ({ key: e.userId, value: JSON.stringify(e) }));
      await producer.sendBatch({
        topicMessages: [
          { topic: topics.served, messages },
          { topic: topics.userEvents, messages },
        ],
      });
    },
    countServed: async (counts) => {
      const pipeline = redis.pipeline();
      for (const [id, n] of counts) pipeline.zincrby(keys.leaderboard('served'), n, id);
      await pipeline.exec();
    },
  };
}
