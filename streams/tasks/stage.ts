/**
 * The contract between a partition task (streams/tasks/partition-task.ts) and the logic it runs:
 * the actors implement Stage; the task owns buffering, ordering, offsets and the commit order.
 */
import type { IHeaders, TopicMessages } from 'kafkajs';
import type { WriteBatch } from '../../src/state/write-batch.ts';

/** A fetched record, offsets as numbers (they stay far below 2^53). */
export interface StreamRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The record's Kafka timestamp (ms): when it entered Kafka. */
  readonly timestamp: number;
  /** Events in the record (a pack holds several, streams/event-pack.ts): what batches are sized by. */
  readonly events: number;
  /** The record's headers: trace context of its sampled events (streams/trace-headers.ts). */
  readonly headers?: IHeaders | undefined;
}

/** The traced events of a batch (streams/tasks/batch-trace.ts). */
export interface TracedEvents {
  /**
   * The traceparent of the span of the event at `offset`/`index`, if that event is traced: the events
   * it causes carry it on (Keyed.traceparent), continuing its trace.
   */
  parentOf(offset: number, index: number): string | undefined;
}

/** What a stage made of one batch, not yet committed. */
export interface StagedBatch {
  readonly outputs: readonly TopicMessages[];
  readonly writes: WriteBatch;
  /** The batch is in Redis: live states now match it. */
  committed(): void;
  /** The batch did not commit: forget the live states it touched. */
  aborted(): void;
}

/** The actor logic a task runs; one stage serves every partition of its group. */
export interface Stage {
  /** A task (re)starts on `partition`: load what the stage keeps per partition (watermarks). */
  start(topic: string, partition: number): Promise<void>;
  /** `traced` is present when the batch holds traced events (tracing on, sampled contexts in headers). */
  process(
    topic: string,
    partition: number,
    records: readonly StreamRecord[],
    traced?: TracedEvents,
  ): Promise<StagedBatch>;
  /** The task no longer owns `partition` (or must reload it): drop its actors. */
  stop(topic: string, partition: number): void;
}
