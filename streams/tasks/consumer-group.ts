/**
 * One consumer group of partition tasks: a kafkajs consumer whose fetched batches go to one PartitionTask per
 * assigned partition. kafkajs's fetch position only advances with resolveOffset, so each batch is
 * resolved once buffered; committing is the task's business (Redis first, Kafka after). Every
 * rebalance restarts the tasks from Redis: simpler than tracking which partitions stayed, and the
 * fenced commit makes a task that missed a move harmless anyway.
 */
import type { Admin, Kafka, Producer } from 'kafkajs';
import { eventCount } from '../event-pack.ts';
import type { OffsetStore } from '../../src/state/offset-store.ts';
import { findLostPartitions, LostStateError } from './lost-state.ts';
import { PartitionTask, type Stage, type StreamRecord, type TaskOptions } from './partition-task.ts';
import { keepConsuming } from '../keep-consuming.ts';

/** What a group needs. */
export interface TaskGroupDeps {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topic: string;
  readonly stage: Stage;
  readonly offsets: OffsetStore;
  readonly producer: Producer | undefined;
  readonly taskOptions: TaskOptions;
  /** How long the group waits for a silent member before moving its partitions (ms). */
  readonly sessionTimeoutMs: number;
  readonly onCommit?: (records: readonly StreamRecord[], committedAt: number) => void;
  readonly afterProduce?: (() => void) | undefined;
  /** Name of the span of each traced event this group receives (otel/names.ts); none: no event spans. */
  readonly eventSpan?: string;
  /**
   * What to do when Redis lost the group's offsets while Kafka shows it consumed (lost-state.ts):
   * `refuse` (the default) throws LostStateError at start, and a task that finds it later stops
   * processing and says why on every retry; `rebuild` moves the group to the earliest records Kafka
   * retains, so every actor is rebuilt from them (only while no other member runs).
   */
  readonly onLostState?: 'refuse' | 'rebuild';
  readonly log: (line: string) => void;
}

/** A running group. */
export interface TaskGroup {
  readonly groupId: string;
  /** Records fetched but not yet committed, per partition this process owns (a lag lower bound). */
  lag(): number;
  /** Resolves once the group has assigned this member its partitions the first time. */
  readonly joined: Promise<void>;
  /** Partitions this process owns now. */
  partitions(): number[];
  /** Finishes batches in flight, commits them, and leaves the group. */
  stop(): Promise<void>;
}

/** Joins the group and starts consuming. */
export async function startTaskGroup(deps: TaskGroupDeps): Promise<TaskGroup> {
  const { kafka, groupId, topic } = deps;
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const lost = await findLostPartitions(admin, groupId, topic, deps.offsets);
    if (lost.length > 0 && deps.onLostState !== 'rebuild') throw new LostStateError(groupId, topic, lost);
    if (lost.length > 0) {
      deps.log(
        `${groupId}: Redis lost its offsets for ${topic} partitions ${lost.map((p) => p.partition).join(', ')}; rebuilding from the earliest retained records`,
      );
      await admin.resetOffsets({ groupId, topic, earliest: true });
    }
  } catch (error) {
    await admin.disconnect();
    throw error;
  }
  /** A task starting without a Redis offset checks that Redis did not lose it meanwhile. */
  const checkLost = async (partition: number): Promise<void> => {
    const lost = await findLostPartitions(admin, groupId, topic, deps.offsets, partition);
    if (lost.length > 0) throw new LostStateError(groupId, topic, lost);
  };
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: deps.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(deps.sessionTimeoutMs / 5)),
    rebalanceTimeout: Math.max(deps.sessionTimeoutMs * 2, 20_000),
    // An idle fetch waits this long; it also bounds how long leaving the group takes.
    maxWaitTimeInMs: 500,
  });
  const tasks = new Map<number, PartitionTask>();
  const stopping = new Map<number, Promise<void>>();
  const highWatermarks = new Map<number, number>();
  let closing = false;

  const restartAll = (): void => {
    for (const [partition, task] of tasks) {
      const previous = stopping.get(partition) ?? Promise.resolve();
      stopping.set(
        partition,
        previous.then(() => task.stop()),
      );
    }
    tasks.clear();
  };

  let markJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => (markJoined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => {
    restartAll();
    markJoined();
  });
  const start = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, isStale }) => {
        // A batch fetched before a seek must not be offered after it (its offsets would hide the re-fetch).
        if (closing || batch.messages.length === 0 || isStale()) return;
        let task = tasks.get(batch.partition);
        if (task === undefined) {
          task = new PartitionTask(topic, batch.partition, {
            stage: deps.stage,
            offsets: deps.offsets,
            producer: deps.producer,
            consumer,
            options: deps.taskOptions,
            onCommit: deps.onCommit,
            afterProduce: deps.afterProduce,
            eventSpan: deps.eventSpan,
            group: groupId,
            checkLost,
            log: deps.log,
            after: stopping.get(batch.partition),
          });
          tasks.set(batch.partition, task);
        }
        highWatermarks.set(batch.partition, Number(batch.highWatermark));
        task.offer(
          batch.messages.map((m) => ({
            topic,
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key,
            value: m.value,
            timestamp: Number(m.timestamp),
            events: eventCount(m.value),
            headers: m.headers,
          })),
        );
        resolveOffset(batch.lastOffset());
      },
    });
  };
  keepConsuming(consumer, start, { name: groupId, log: deps.log, stopped: () => closing });
  await start();
  return {
    groupId,
    joined,
    lag() {
      let lag = 0;
      for (const [partition, task] of tasks) {
        const hw = highWatermarks.get(partition);
        if (hw !== undefined && task.next !== null) lag += Math.max(0, hw - task.next);
      }
      return lag;
    },
    partitions: () => [...tasks.keys()],
    async stop() {
      closing = true;
      restartAll();
      await Promise.all(stopping.values());
      await consumer.disconnect();
      await admin.disconnect();
    },
  };
}
