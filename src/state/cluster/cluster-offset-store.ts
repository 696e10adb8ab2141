/**
 * The offset store on Redis Cluster, where one script cannot touch the keys of many actors (they live
 * on many slots). A batch commits in three steps, each atomic on one slot (docs/actors.md, "Redis
 * Cluster"):
 * 1. `beginBatch` on the offset's slot: fenced like commitBatch (the stored offset must be the batch's
 *    start), it records the whole batch — its end offset and its writes grouped by slot — in the
 *    partition's pending log;
 * 2. `applySlot` on every slot the batch writes (in parallel): applies that slot's writes unless the
 *    slot's guard says this task partition already applied a batch ending at or after this one;
 * 3. `endBatch` on the offset's slot: the writes that live there (the movie side's watermarks), the
 *    next offset, and the pending log dropped, together.
 * A failure anywhere leaves the pending log; whoever reads the offset next (this task retrying, or
 * the partition's next owner) first finishes that batch from the log — the guards skip the slots that
 * already hold it — so every write is applied exactly once, and the task then replays from the
 * batch's end as after any commit.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../store/redis-keys.ts';
import { loadScript } from '../lua/scripts.ts';
import type { OffsetStore } from '../offset-store.ts';
import type { WriteBatch } from '../write-batch.ts';
import {
  decodePending,
  encodePending,
  groupBySlot,
  type PendingBatch,
  type SlotWrites,
} from './slot-writes.ts';
import { slotOf, tagOfSlot } from './slots.ts';

/** A fenced begin or end: the offset moved, or another owner's batch is pending. */
const FENCED = 0;

/** The offset store of consumer group `group` on a Redis Cluster client. */
export function createClusterOffsetStore(
  redis: Redis,
  keys: RedisKeys,
  group: string,
  readWatermarks: OffsetStore['readWatermarks'],
  midCommit?: () => void,
): OffsetStore {
  const begin = loadScript(redis, 'beginBatch');
  const apply = loadScript(redis, 'applySlot');
  const end = loadScript(redis, 'endBatch');

  /**
   * Applies every slot of `batch` but the offset's own (guarded: at most once each), in parallel; with
   * `failpoint`, the first half, then the failpoint, then the rest.
   */
  async function applySlots(
    guardField: string,
    ownSlot: number,
    batch: PendingBatch,
    failpoint?: () => void,
  ): Promise<void> {
    const run = (groups: readonly SlotWrites[]) =>
      Promise.all(
        groups.map((g) =>
          apply.run([keys.slotApplied(tagOfSlot(g.slot)), ...g.keys], [guardField, batch.next, ...g.args]),
        ),
      );
    const others = batch.groups.filter((g) => g.slot !== ownSlot);
    if (failpoint === undefined) {
      await run(others);
      return;
    }
    const half = Math.ceil(others.length / 2);
    await run(others.slice(0, half));
    failpoint();
    await run(others.slice(half));
  }

  /** The offset slot's writes, the offset and the pending log's removal; false when fenced. */
  async function finish(
    offsetKey: string,
    pendingKey: string,
    expected: string,
    batch: PendingBatch,
    own: SlotWrites | undefined,
  ): Promise<boolean> {
    const result = await end.run(
      [offsetKey, pendingKey, ...(own?.keys ?? [])],
      [expected, batch.next, ...(own?.args ?? [])],
    );
    return result === 1;
  }

  /** Finishes the partition's pending batch, if any (a failed or crashed commit, ours or another's). */
  async function finishPending(topic: string, partition: number): Promise<void> {
    const offsetKey = keys.partitionOffset(group, topic, partition);
    const pendingKey = keys.partitionPending(group, topic, partition);
    const log = await redis.lrangeBuffer(pendingKey, 0, -1);
    if (log.length === 0) return;
    const batch = decodePending(log);
    const ownSlot = slotOf(offsetKey);
    // While a batch is pending nobody moves the offset (begin needs the log absent): it is the batch's start.
    const stored = (await redis.get(offsetKey)) ?? '';
    await applySlots(`${group}:${topic}:${partition}`, ownSlot, batch);
    const own = batch.groups.find((g) => g.slot === ownSlot);
    await finish(offsetKey, pendingKey, stored, batch, own);
  }

  return {
    async readOffset(topic, partition) {
      await finishPending(topic, partition);
      const value = await redis.get(keys.partitionOffset(group, topic, partition));
      return value === null ? null : Number(value);
    },
    readWatermarks,
    watermarksKey: (topic, partition) => keys.partitionWatermarks(group, topic, partition),
    async commit(topic, partition, expected, next, writes: WriteBatch) {
      const offsetKey = keys.partitionOffset(group, topic, partition);
      const pendingKey = keys.partitionPending(group, topic, partition);
      const ownSlot = slotOf(offsetKey);
      // applySlot's KEYS[1] is the guard; endBatch's KEYS[1..2] are the offset and the pending log.
      const groups = groupBySlot(writes, (slot) => (slot === ownSlot ? 3 : 2));
      const batch: PendingBatch = { next, groups: [...groups.values()] };
      const start = expected === null ? '' : String(expected);
      const begun = await begin.run([offsetKey, pendingKey], [start, ...encodePending(batch)]);
      if (begun === FENCED || begun === -1) return false;
      await applySlots(`${group}:${topic}:${partition}`, ownSlot, batch, midCommit);
      return finish(offsetKey, pendingKey, start, batch, groups.get(ownSlot));
    },
  };
}
