/**
 * Entry of the served-sinks worker thread (see served-sinks-thread.ts): owns its own Kafka producer
 * and Redis client and runs each publish or count the API thread asks for, answering by request id.
 */
import { Redis } from 'ioredis';
import { Partitioners } from 'kafkajs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../../config/load-config.ts';
import type { ServedEvent } from '../../../streams/events.ts';
import { createKafka } from '../../../streams/kafka-client.ts';
import { topicNames } from '../../../streams/topics.ts';
import { redisKeys } from '../../store/redis-keys.ts';
import { createServedSinks } from './served-sinks.ts';
import type { SinkReply, SinkRequest } from './served-sinks-thread.ts';

const config = workerData as Config;
const port = parentPort;
if (port === null) throw new Error('served-sinks-worker.ts runs only as a worker thread');
const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
redis.on('error', () => undefined);
const producer = createKafka(config, 'api-served').producer({
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner,
});
// Connected on first use and again after a failure (Kafka may come up after the API).
let connecting: Promise<void> | undefined;
const connected = () =>
  (connecting ??= producer.connect().catch((error: unknown) => {
    connecting = undefined;
    throw error;
  }));
const sinks = createServedSinks({
  producer,
  redis,
  keys: redisKeys(config.redis.keyPrefix),
  topics: topicNames(config),
});

port.on('message', (request: SinkRequest) => {
  if (request.type === 'stop') {
    void Promise.allSettled([producer.disconnect()]).then(() => {
      redis.disconnect();
      port.close();
    });
    return;
  }
  const work =
    request.type === 'publish'
      ? connected().then(() => sinks.publish(request.events as ServedEvent[]))
      : sinks.countServed(request.counts);
  work.then(
    () => port.postMessage({ id: request.id, ok: true } satisfies SinkReply),
    (error: unknown) =>
      port.postMessage({ id: request.id, ok: false, error: String(error) } satisfies SinkReply),
  );
});
