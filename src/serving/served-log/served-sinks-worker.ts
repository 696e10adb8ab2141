/**
 * Entry of the served-sinks worker thread (see served-sinks-thread.ts): owns its own Kafka producer
 * and Redis client and runs each publish or count the API thread asks for, answering by request id.
 */
import { createRedisClient } from '../../store/redis-client.ts';
import { Partitioners } from 'kafkajs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { ServedEvent } from '../../../streams/events.ts';
import { topicPartitioner, type PartitionOf } from '../../../streams/event-pack.ts';
import { createKafka } from '../../../streams/kafka-client.ts';
import { redisKeys } from '../../store/redis-keys.ts';
import type { ServedSinks } from './served-recorder.ts';
import { countServed, createServedSinks } from './served-sinks.ts';
import type { SinkReply, SinkRequest, SinkWorkerData } from './served-sinks-thread.ts';

const { config, topics } = workerData as SinkWorkerData;
const port = parentPort;
if (port === null) throw new Error('served-sinks-worker.ts runs only as a worker thread');
// Background work: a batch may wait a few ms, a request should not wait behind one. On Linux this
// nices only this thread (setpriority on the calling task); at nice 5 it still gets about a quarter
// of a contended core, several times what its batches need at 3,000 requests/s.
try {
  setPriority(0, 5);
} catch {
  // not permitted here: the thread keeps the process's priority
}
const redis = createRedisClient(config, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
// ioredis reconnects by itself; the API thread counts and logs what it reports (throttled there).
redis.on('error', (error: Error) =>
  port.postMessage({ id: -1, client: 'served-sinks redis', clientError: error.message } satisfies SinkReply),
);
const kafka = createKafka(config, 'api-served');
const producer = kafka.producer({
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner,
});
const keys = redisKeys(config.redis.keyPrefix);
// Connected on first use and again after a failure (Kafka may come up after the API); the topics'
// partition counts are read then, so packs go where a keyed send would have put each event.
let connecting: Promise<ServedSinks> | undefined;
const connected = () =>
  (connecting ??= Promise.all([
    producer.connect(),
    topicPartitioner(kafka, topics.served),
    topicPartitioner(kafka, topics.userEvents),
  ]).then(
    ([, served, userEvents]: [void, PartitionOf, PartitionOf]) =>
      createServedSinks({
        producer,
        redis,
        keys,
        topics,
        partitionOf: { served, userEvents },
      }),
    (error: unknown) => {
      connecting = undefined;
      throw error;
    },
  ));

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
      ? connected().then((sinks) => sinks.publish(request.events as ServedEvent[]))
      : countServed(redis, keys, request.counts); // only Redis: counted even while Kafka is down
  work.then(
    () => port.postMessage({ id: request.id, ok: true } satisfies SinkReply),
    (error: unknown) =>
      port.postMessage({ id: request.id, ok: false, error: String(error) } satisfies SinkReply),
  );
});
