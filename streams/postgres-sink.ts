import type { Kafka, Message } from 'kafkajs';
import type pg from 'pg';
import { appendEventsIsolating, type LoggedRating } from '../src/store/postgres/event-log.ts';
import { attributes, spans } from '../otel/names.ts';
import { inSpan } from '../otel/tracing.ts';
import { readPack } from './event-pack.ts';
import {
  deadLetterRecord,
  userEventSchema,
  type SourceRef,
  type UserEvent,
  type WatchEvent,
} from './events.ts';
import type { RunningRole } from './running-role.ts';
import { chunkByBytes } from './send-in-chunks.ts';
import type { Topics } from './topics.ts';
import { keepConsuming } from './keep-consuming.ts';
import { writeUntilDone } from './write-until-done.ts';

/** Counters of one sink process. */
export interface SinkStats {
  events: number;
  ratingsInserted: number;
  watchesInserted: number;
  deadLettered: number;
}

/** What the sink needs. */
export interface SinkOptions {
  readonly kafka: Kafka;
  readonly topics: Topics;
  readonly pool: pg.Pool;
  readonly groupId: string;
  readonly fromBeginning?: boolean;
  /** Most bytes fetched per partition and batch (kafkajs default 1 MiB): smaller means smaller commits. */
  readonly batchBytes?: number;
  /** First wait before writing a batch again after Postgres failed transiently (ms, doubles up to 5 s). */
  readonly retryDelayMs?: number;
  readonly log?: (line: string) => void;
}

/** A running sink with live counters. */
export interface RunningSink extends RunningRole {
  stats(): SinkStats;
}

/**
 * `user-events` → Postgres `ratings`/`watches`, a batch per statement. Rows are written before the
 * offset is committed and are idempotent by `event_id`, so a crash between the two replays the batch
 * without adding a row. Events that fail validation, and rows Postgres refuses for their values (a
 * NUL byte, an integer out of range), go to the dead-letter topic with the reason and position, and
 * the sink moves on; a transient failure (Postgres down or restarting) retries the batch in place
 * with back-off, dead-lettering nothing. `served` events are not part of the durable log (the API's
 * record of them is on `marquee.served`).
 */
export async function startPostgresSink(options: SinkOptions): Promise<RunningSink> {
  const { kafka, topics, pool, groupId } = options;
  const stats: SinkStats = { events: 0, ratingsInserted: 0, watchesInserted: 0, deadLettered: 0 };
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    ...(options.batchBytes === undefined ? {} : { maxBytesPerPartition: options.batchBytes }),
  });
  let stopped = false;
  const start = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: topics.userEvents, fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        const where = {
          [attributes.topic]: batch.topic,
          [attributes.partition]: String(batch.partition),
          [attributes.events]: batch.messages.length,
        };
        await inSpan(spans.sinkBatch, where, async () => {
          const ratings: LoggedRating[] = [];
          const watches: WatchEvent[] = [];
          const watchSources: SourceRef[] = [];
          const dead: Message[] = [];
          let events = 0;
          for (const message of batch.messages) {
            const at = { topic: batch.topic, partition: batch.partition, offset: message.offset };
            events += readPack(
              message.value,
              at,
              decode,
              (event, index) => {
                if (event.type === 'rate')
                  ratings.push({ event, source: { ...at, offset: Number(message.offset), index } });
                else if (event.type === 'watch') {
                  watches.push(event);
                  watchSources.push({ ...at, offset: Number(message.offset), index });
                }
              },
              dead,
            );
          }
          for (const chunk of chunkByBytes(dead))
            await producer.send({ topic: topics.deadLetter, messages: chunk });
          const inserted = await writeUntilDone(() => appendEventsIsolating(pool, ratings, watches), {
            isCurrent: () => isRunning() && !isStale(),
            heartbeat,
            ...(options.retryDelayMs === undefined ? {} : { firstDelayMs: options.retryDelayMs }),
            ...(options.log === undefined ? {} : { log: options.log }),
            what: 'sink: postgres write',
          });
          const refused = inserted.refused.map(({ table, index, reason }) => {
            const event = table === 'ratings' ? ratings[index]?.event : watches[index];
            const source = table === 'ratings' ? ratings[index]?.source : watchSources[index];
            if (event === undefined || source == null) throw new Error(`sink: no ${table} row ${index}`);
            return deadLetterRecord(JSON.stringify(event), reason, source);
          });
          for (const chunk of chunkByBytes(refused))
            await producer.send({ topic: topics.deadLetter, messages: chunk });
          const last = batch.messages[batch.messages.length - 1]?.offset ?? batch.lastOffset();
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: String(BigInt(last) + 1n) },
          ]);
          resolveOffset(last);
          await heartbeat();
          stats.events += events;
          stats.ratingsInserted += inserted.ratings;
          stats.watchesInserted += inserted.watches;
          stats.deadLettered += dead.length + refused.length;
        });
      },
    });
  };
  keepConsuming(consumer, start, { name: 'sink', log: options.log, stopped: () => stopped });
  await start();
  return {
    name: 'sink',
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** One user event of a pack, or why it cannot be stored. */
function decode(line: string): UserEvent | string {
  let json: unknown;
  try {
    if (line === '') return 'empty event';
    json = JSON.parse(line);
  } catch {
    return 'user event is not JSON';
  }
  const result = userEventSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  return `invalid user event: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim();
}
