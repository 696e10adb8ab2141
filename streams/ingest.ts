import type { Kafka, Message, Producer } from 'kafkajs';
import type { Topics } from './topics.ts';
import { deadLetterRecord, eventIdFor, withEventId, type CourseEvent } from './events.ts';
import { attributes, spans } from '../otel/names.ts';
import { inSpan, traceparentOf } from '../otel/tracing.ts';
import { packByPartition, topicPartitioner, type Keyed } from './event-pack.ts';
import type { MetadataEnricher } from './metadata-enricher.ts';
import { parseMovielogLine } from './movielog-parser.ts';
import type { RunningRole } from './running-role.ts';
import { chunkByBytes } from './send-in-chunks.ts';
import { keepConsuming } from './keep-consuming.ts';

/** Counters of one ingest process. */
export interface IngestStats {
  lines: number;
  events: number;
  deadLettered: number;
  batches: number;
}

/** What ingest needs; `enricher` is optional (no metadata source configured). */
export interface IngestOptions {
  readonly kafka: Kafka;
  readonly topics: Topics;
  readonly groupId: string;
  readonly enricher?: MetadataEnricher;
  readonly fromBeginning?: boolean;
  readonly log?: (line: string) => void;
}

/** A running ingest role with live counters. */
export interface RunningIngest extends RunningRole {
  stats(): IngestStats;
}

/**
 * movielog → parse → `user-events` (packs keyed by user, streams/event-pack.ts) or `dlq` (with the
 * reason and source offset).
 * Each batch is one Kafka transaction that also commits the consumed offsets, so a crash anywhere
 * leaves either nothing or all of the batch's events and its offset: downstream sees every line once
 * (consumers read committed data only). One transactional producer per input partition, named after
 * it, fences a zombie that still holds the partition after a rebalance.
 */
export async function startIngest(options: IngestOptions): Promise<RunningIngest> {
  const { kafka, topics, groupId } = options;
  const stats: IngestStats = { lines: 0, events: 0, deadLettered: 0, batches: 0 };
  const userPartition = await topicPartitioner(kafka, topics.userEvents);
  const producers = new Map<number, Promise<Producer>>();
  const producerFor = (partition: number) => {
    let producer = producers.get(partition);
    if (producer === undefined) {
      const created = kafka.producer({
        transactionalId: `${groupId}.${topics.movielog}.${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      producer = created.connect().then(() => created);
      producers.set(partition, producer);
    }
    return producer;
  };
  /** Forgets a partition's producer (failed, fenced, or the partition moved away) and closes it. */
  const dropProducer = async (partition: number) => {
    const producer = producers.get(partition);
    producers.delete(partition);
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  };

  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  let stopped = false;
  const start = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: topics.movielog, fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      // Partitions are independent (one transaction each): overlap their round trips to the broker.
      partitionsConsumedConcurrently: 4,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        const where = {
          [attributes.topic]: batch.topic,
          [attributes.partition]: String(batch.partition),
          [attributes.events]: batch.messages.length,
        };
        await inSpan(spans.ingestBatch, where, async (span) => {
          const events: Keyed[] = [];
          const dead: Message[] = [];
          const users = new Set<string>();
          const movies = new Set<string>();
          const now = Date.now();
          for (const message of batch.messages) {
            const raw = message.value ?? Buffer.alloc(0);
            const parsed = parseMovielogLine(raw);
            if (!parsed.ok) {
              const source = { topic: batch.topic, partition: batch.partition, offset: message.offset };
              dead.push(deadLetterRecord(raw, parsed.reason, source, now));
              continue;
            }
            const event: CourseEvent = withEventId(
              parsed.event,
              eventIdFor(batch.topic, batch.partition, message.offset),
            );
            events.push({ key: event.userId, value: JSON.stringify(event) });
            users.add(event.userId);
            if (event.type !== 'served') movies.add(event.movieId);
          }
          // A sampled batch's first event carries the batch's context on, so one line of it is traced
          // through the user and movie actors (docs/operations.md, "Traces"); the others carry nothing.
          const traceparent = traceparentOf(span);
          const first = events[0];
          if (traceparent !== undefined && first !== undefined) events[0] = { ...first, traceparent };
          const last = batch.messages[batch.messages.length - 1]?.offset ?? batch.lastOffset();
          const producer = await producerFor(batch.partition).catch(async (error: unknown) => {
            await dropProducer(batch.partition);
            throw error;
          });
          const transaction = await producer.transaction();
          try {
            for (const chunk of chunkByBytes(packByPartition(events, userPartition)))
              await transaction.send({ topic: topics.userEvents, messages: chunk });
            for (const chunk of chunkByBytes(dead))
              await transaction.send({ topic: topics.deadLetter, messages: chunk });
            await transaction.sendOffsets({
              consumerGroupId: groupId,
              topics: [
                {
                  topic: batch.topic,
                  partitions: [{ partition: batch.partition, offset: String(BigInt(last) + 1n) }],
                },
              ],
            });
            await transaction.commit();
          } catch (error) {
            await transaction.abort().catch(() => undefined);
            // A fenced or broken producer never recovers: the retry gets a fresh one (and fences in turn).
            await dropProducer(batch.partition);
            throw error;
          }
          resolveOffset(last);
          await heartbeat();
          stats.lines += batch.messages.length;
          stats.events += events.length;
          stats.deadLettered += dead.length;
          stats.batches += 1;
          options.enricher?.notice(users, movies);
        });
      },
    });
  };
  keepConsuming(consumer, start, { name: 'ingest', log: options.log, stopped: () => stopped });
  await start();

  return {
    name: 'ingest',
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      await consumer.disconnect();
      for (const partition of [...producers.keys()]) await dropProducer(partition);
      await options.enricher?.close();
    },
  };
}
