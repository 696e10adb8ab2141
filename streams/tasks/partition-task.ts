/**
 * One task per assigned partition (Kafka Streams' StreamTask): it buffers fetched records, pauses
 * its partition when the buffer is full, and runs batches through a stage in DESIGN.md's commit
 * order — outputs produced (idempotent producer, ordered) → every state write plus the next offset
 * in one fenced Lua call → the advisory Kafka commit. A crash between steps leaves Redis at either
 * the old state and offset or the new ones; re-emitted outputs are dropped downstream by watermark.
 */
import type { Consumer, Producer } from 'kafkajs';
import type { OffsetStore } from '../../src/state/offset-store.ts';
import { backoffDelay, type BackoffOptions } from '../../src/lib/retry-backoff.ts';
import { chunkByBytes } from '../send-in-chunks.ts';
import { traceBatch } from './batch-trace.ts';
import type { Stage, StreamRecord } from './stage.ts';

export type { Stage, StagedBatch, StreamRecord } from './stage.ts';

/** Bounds of a task's buffer and batches, in events (a batch takes whole records). */
export interface TaskOptions {
  readonly batchSize: number;
  /** Pause the partition at this many buffered events … */
  readonly highWater: number;
  /** … and resume it at this many. */
  readonly lowWater: number;
}

/**
 * Defaults: batches of up to 4,000, pause at 10,000 buffered. Larger batches mean fewer Lua commits
 * and produce requests: measured, less CPU per event and, at 10k events/s, a lower p99 freshness
 * than batches of 1,000 (docs/actors.md).
 */
export const TASK_DEFAULTS: TaskOptions = { batchSize: 4000, highWater: 10_000, lowWater: 2000 };

/** What a task needs from the outside world. */
export interface TaskDeps {
  readonly stage: Stage;
  readonly offsets: OffsetStore;
  readonly producer: Pick<Producer, 'send'> | undefined;
  readonly consumer: Pick<Consumer, 'pause' | 'resume' | 'seek' | 'commitOffsets'>;
  readonly options: TaskOptions;
  /** Called after each committed batch (metrics, freshness). */
  readonly onCommit?: (records: readonly StreamRecord[], committedAt: number) => void;
  /** Called between producing a batch's outputs and committing it: the crash tests' failpoint. */
  readonly afterProduce?: (() => void) | undefined;
  /** Name of each traced event's span (batch-trace.ts); none: the task makes no spans. */
  readonly eventSpan?: string | undefined;
  /** The consumer group, for span attributes. */
  readonly group?: string;
  /**
   * Throws when Redis holds no offset for the partition although Kafka shows the group consumed it
   * (streams/tasks/lost-state.ts): the task then processes nothing and logs why on every retry.
   */
  readonly checkLost?: (partition: number) => Promise<void>;
  readonly log: (line: string) => void;
  /** Work that must finish before this task starts (the previous task of the partition stopping). */
  readonly after?: Promise<void> | undefined;
}

/** Retry timing after a failed batch: 100 ms, doubling to 30 s, full jitter. */
const RETRY_BACKOFF: BackoffOptions = { baseMs: 100, maxMs: 30_000 };

/** How long a task waits for a seek to land before it accepts a gap (control records, compaction). */
const SEEK_PATIENCE_MS = 3_000;

/** The task of one topic partition. */
export class PartitionTask {
  #buffer: StreamRecord[] = [];
  /** Events in #buffer. */
  #events = 0;
  #generation = 0;
  #started = false;
  #next: number | null = null;
  #seekTo: { offset: number; since: number } | undefined;
  /**
   * True once a batch committed since the task (re)started: from then on the consumer reads on from
   * the offset we committed, so a gap before the next record can only be control records or aborted
   * transactions (ingest writes user events transactionally) and is accepted without a seek.
   */
  #contiguous = false;
  /** Highest offset buffered since the last reset or seek. */
  #high = -1;
  #patienceTimer: NodeJS.Timeout | undefined;
  #paused = false;
  #chain: Promise<void> = Promise.resolve();
  #running = false;
  /** Failed attempts since the last committed batch (the back-off's exponent). */
  #failures = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly deps: TaskDeps,
  ) {
    if (deps.after !== undefined) this.#chain = deps.after;
  }

  /** Events buffered and not yet processed. */
  get buffered(): number {
    return this.#events;
  }

  /** The next offset this task will process (null before its first commit). */
  get next(): number | null {
    return this.#next;
  }

  /** Buffers fetched records and makes sure the batch loop runs; pauses the partition when full. */
  offer(records: readonly StreamRecord[]): void {
    for (const r of records) {
      // A seek can make Kafka deliver records already buffered: keep offsets strictly increasing.
      if (r.offset <= this.#high) continue;
      this.#buffer.push(r);
      this.#events += r.events;
      this.#high = r.offset;
    }
    if (!this.#paused && this.#events >= this.deps.options.highWater) {
      this.#paused = true;
      this.deps.consumer.pause([{ topic: this.topic, partitions: [this.partition] }]);
    }
    if (!this.#running) this.#kick();
  }

  /** Stops owning the partition: drops the buffer; the batch in flight ends (commits or fences). */
  async stop(): Promise<void> {
    this.#generation++;
    this.#clear();
    await this.#chain;
    this.#reset();
  }

  #kick(): void {
    if (this.#running) return;
    const generation = this.#generation;
    this.#running = true;
    this.#chain = this.#chain
      .then(() => this.#loop(generation))
      .catch((error: unknown) =>
        this.deps.log(`task ${this.topic}/${this.partition} failed: ${String(error)}`),
      )
      .finally(() => {
        this.#running = false;
        // Records offered between the loop's last look and now would otherwise wait for the next fetch.
        if (this.#buffer.length > 0 && this.#patienceTimer === undefined) this.#kick();
      });
  }

  #clear(): void {
    this.#buffer = [];
    this.#events = 0;
  }

  /** Removes the first `count` records from the buffer. */
  #splice(count: number): StreamRecord[] {
    const taken = this.#buffer.splice(0, count);
    for (const r of taken) this.#events -= r.events;
    return taken;
  }

  /** Takes whole records off the buffer, up to `batchSize` events (at least one record). */
  #takeBatch(): StreamRecord[] {
    let n = 0;
    let events = 0;
    for (const r of this.#buffer) {
      if (n > 0 && events + r.events > this.deps.options.batchSize) break;
      events += r.events;
      n++;
    }
    return this.#splice(n);
  }

  #reset(): void {
    this.deps.stage.stop(this.topic, this.partition);
    this.#started = false;
    this.#next = null;
    this.#seekTo = undefined;
    this.#contiguous = false;
    this.#high = -1;
    clearTimeout(this.#patienceTimer);
    this.#patienceTimer = undefined;
    this.#resume();
  }

  /** Lets the consumer fetch the partition again if the task had paused it. */
  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.deps.consumer.resume([{ topic: this.topic, partitions: [this.partition] }]);
  }

  async #loop(generation: number): Promise<void> {
    while (generation === this.#generation && this.#buffer.length > 0) {
      try {
        if (!this.#started) await this.#start();
        if (generation !== this.#generation) return;
        const batch = this.#take();
        // Nothing takeable yet (waiting for a seek to land): the patience timer kicks the loop again.
        if (batch.length === 0) break;
        await this.#run(batch, generation);
      } catch (error) {
        // Transient (Redis or Kafka unavailable): reload from the committed truth and try again,
        // backing off (full jitter, 100 ms doubling to 30 s) so a long outage costs few retries.
        this.#failures++;
        const delay = backoffDelay(this.#failures, RETRY_BACKOFF, Math.random);
        this.deps.log(
          `task ${this.topic}/${this.partition}: ${error instanceof Error ? error.message : String(error)}; retry ${this.#failures} from the committed offset in ${delay} ms`,
        );
        this.#reset();
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      if (this.#events <= this.deps.options.lowWater) this.#resume();
    }
  }

  async #start(): Promise<void> {
    this.#next = await this.deps.offsets.readOffset(this.topic, this.partition);
    // Without an offset the batch would start wherever Kafka's advisory commit points, from fresh actors.
    if (this.#next === null) await this.deps.checkLost?.(this.partition);
    await this.deps.stage.start(this.topic, this.partition);
    this.#started = true;
  }

  /** The next batch: already-applied records dropped; a gap before the Redis offset means seek. */
  #take(): StreamRecord[] {
    const next = this.#next;
    if (next === null) return this.#takeBatch();
    let skip = 0;
    while (skip < this.#buffer.length && (this.#buffer[skip] as StreamRecord).offset < next) skip++;
    if (skip > 0) this.#splice(skip);
    const first = this.#buffer[0];
    if (first === undefined) return [];
    if (first.offset > next && !this.#contiguous) {
      // Fetched from past the truth (Kafka's commit is ahead of Redis): go back, unless a seek
      // already went there and the log simply has no record at `next` (a control record).
      const now = Date.now();
      if (this.#seekTo?.offset !== next) {
        this.#seekTo = { offset: next, since: now };
        this.deps.consumer.seek({ topic: this.topic, partition: this.partition, offset: String(next) });
        this.#clear();
        // The buffer is empty now: a partition paused at high water must fetch again for the seek to land.
        this.#resume();
        this.#high = next - 1;
        return [];
      }
      const waited = now - this.#seekTo.since;
      if (waited < SEEK_PATIENCE_MS) {
        // Keep what we have (the seek may land on these very records) and look again when patience
        // runs out: no further fetch may come to wake the loop if the partition is idle.
        if (this.#patienceTimer === undefined) {
          this.#patienceTimer = setTimeout(() => {
            this.#patienceTimer = undefined;
            this.#kick();
          }, SEEK_PATIENCE_MS - waited);
          this.#patienceTimer.unref();
        }
        return [];
      }
      this.deps.log(
        `task ${this.topic}/${this.partition}: no record at offset ${next}; continuing at ${first.offset}`,
      );
    }
    this.#seekTo = undefined;
    return this.#takeBatch();
  }

  async #run(batch: readonly StreamRecord[], generation: number): Promise<void> {
    const { stage, producer, offsets, consumer } = this.deps;
    const spans =
      this.deps.eventSpan === undefined
        ? undefined
        : traceBatch(this.deps.eventSpan, this.deps.group ?? '', this.topic, this.partition, batch);
    let staged;
    try {
      staged = await stage.process(this.topic, this.partition, batch, spans);
    } catch (error) {
      spans?.failed(error);
      throw error;
    }
    let committed = false;
    let commitStart = 0;
    try {
      if (staged.outputs.length > 0) {
        if (producer === undefined) throw new Error('stage produced outputs but the task has no producer');
        // In requests of at most 512 KiB (the broker takes 1 MiB per partition per request): a batch's
        // movie events or dead letters can be several MiB. One request in flight keeps their order.
        for (const { topic, messages } of staged.outputs)
          for (const chunk of chunkByBytes(messages))
            await producer.send({ topic, messages: chunk, acks: -1 });
        this.deps.afterProduce?.();
      }
      const nextOffset = (batch[batch.length - 1] as StreamRecord).offset + 1;
      // Sub-millisecond epoch time: a commit often takes less than a millisecond.
      commitStart = performance.timeOrigin + performance.now();
      committed = await offsets.commit(this.topic, this.partition, this.#next, nextOffset, staged.writes);
      if (!committed) {
        // Another process owns the partition now, or did meanwhile: reload from its truth.
        this.deps.log(`task ${this.topic}/${this.partition}: offset moved under us; reloading`);
        this.#clear();
        this.#reset();
        const stored = await offsets.readOffset(this.topic, this.partition);
        if (stored !== null) {
          consumer.seek({ topic: this.topic, partition: this.partition, offset: String(stored) });
        } else {
          // No owner wrote it: the offset vanished (Redis lost its data). Say so, apply nothing.
          await this.deps.checkLost?.(this.partition);
        }
        return;
      }
      staged.committed();
      spans?.committed(commitStart, performance.timeOrigin + performance.now());
      this.#failures = 0;
      this.#next = nextOffset;
      this.#contiguous = true;
      this.deps.onCommit?.(batch, Date.now());
      if (generation === this.#generation) {
        await consumer
          .commitOffsets([{ topic: this.topic, partition: this.partition, offset: String(nextOffset) }])
          .catch((error: unknown) => this.deps.log(`advisory Kafka commit failed: ${String(error)}`));
      }
    } catch (error) {
      spans?.failed(error);
      throw error;
    } finally {
      if (!committed) {
        staged.aborted();
        // Fenced (another owner committed): the batch's events are traced again where they commit.
        spans?.failed(new Error('batch not committed: the partition moved'));
      }
    }
  }
}
