import type { Kafka, Message } from 'kafkajs';
import type pg from 'pg';
import { appendServedListsIsolating } from '../src/store/postgres/served-log.ts';
import { readPack } from './event-pack.ts';
import { deadLetterRecord, servedEventSchema, type ServedEvent, type SourceRef } from './events.ts';
import type { RunningRole } from './running-role.ts';
import { chunkByBytes } from './send-in-chunks.ts';
import type { Topics } from './topics.ts';
import { keepConsuming } from './keep-consuming.ts';
import { writeUntilDone } from './write-until-done.ts';

/** Counters of one served-list sink. */
export interface ServedSinkStats {
  events: number;
  listsInserted: number;
  deadLettered: number;
}

/** What the served-list sink needs. */
export interface ServedSinkOptions {
  readonly kafka: Kafka;
  readonly topics: Topics;
  readonly pool: pg.Pool;
  readonly groupId: string;
  readonly fromBeginning?: boolean;
  /** First wait before writing a batch again after Postgres failed transiently (ms, doubles up to 5 s). */
  readonly retryDelayMs?: number;
  readonly log?: (line: string) => void;
}

/** A running served-list sink with live counters. */
export interface RunningServedSink extends RunningRole {
  stats(): ServedSinkStats;
}

/**
 * `marquee.served` → Postgres `served_lists`, a batch per statement: every list the API served, once.
 * The API writes packs of served events (streams/event-pack.ts), one list per event with its own
 * event id; rows are written before the offset is committed and are idempotent by `event_id`, so a
 * crash between the two replays the batch without adding a row. Events that fail validation go to the
 * dead-letter topic with their position, and so do lists Postgres refuses for their values (a
 * latency beyond a real); a transient failure (Postgres down or restarting) retries the
 * batch in place with back-off.
 */
export async function startServedSink(options: ServedSinkOptions): Promise<RunningServedSink> {
  const { kafka, topics, pool, groupId } = options;
  const stats: ServedSinkStats = { events: 0, listsInserted: 0, deadLettered: 0 };
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  let stopped = false;
  const start = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: topics.served, fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        const lists: ServedEvent[] = [];
        const sources: SourceRef[] = [];
        const dead: Message[] = [];
        let events = 0;
        for (const message of batch.messages) {
          const at = { topic: batch.topic, partition: batch.partition, offset: message.offset };
          events += readPack(
            message.value,
            at,
            decodeServed,
            (event, index) => {
              lists.push(event);
              sources.push({ ...at, offset: Number(message.offset), index });
            },
            dead,
          );
        }
        for (const chunk of chunkByBytes(dead))
          await producer.send({ topic: topics.deadLetter, messages: chunk });
        const { inserted, refused } = await writeUntilDone(() => appendServedListsIsolating(pool, lists), {
          isCurrent: () => isRunning() && !isStale(),
          heartbeat,
          ...(options.retryDelayMs === undefined ? {} : { firstDelayMs: options.retryDelayMs }),
          ...(options.log === undefined ? {} : { log: options.log }),
          what: 'served sink: postgres write',
        });
        // Lists Postgres refuses for their values would fail every retry: dead-lettered with its reason.
        const refusedDead = refused.map(({ index, reason }) =>
          deadLetterRecord(JSON.stringify(lists[index]), reason, sources[index] as SourceRef),
        );
        for (const chunk of chunkByBytes(refusedDead))
          await producer.send({ topic: topics.deadLetter, messages: chunk });
        const last = batch.messages[batch.messages.length - 1]?.offset ?? batch.lastOffset();
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: String(BigInt(last) + 1n) },
        ]);
        resolveOffset(last);
        await heartbeat();
        stats.events += events;
        stats.listsInserted += inserted;
        stats.deadLettered += dead.length + refusedDead.length;
      },
    });
  };
  keepConsuming(consumer, start, { name: 'served sink', log: options.log, stopped: () => stopped });
  await start();
  return {
    name: 'served-sink',
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** One served event of a pack, or why it cannot be stored. */
export function decodeServed(line: string): ServedEvent | string {
  if (line === '') return 'empty event';
  // Postgres text cannot hold NUL: such an event would fail the whole batch's statement.
  if (line.includes('\\u0000')) return 'served event holds a NUL character';
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return 'served event is not JSON';
  }
  const result = servedEventSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  return `invalid served event: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim();
}
