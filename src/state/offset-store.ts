/**
 * Where a partition task's truth lives: the partition's next offset and the source watermarks, in
 * Redis beside the actor state they describe. Kafka's committed offset is advisory (DESIGN.md,
 * "Processing guarantees"); on assignment a task seeks to the offset read here.
 */
import { Cluster, type Redis } from 'ioredis';
import type { Position } from '../../streams/events.ts';
import type { WriteBatch } from './write-batch.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import { loadScript, type LuaScript } from './lua/scripts.ts';
import { createClusterOffsetStore } from './cluster/cluster-offset-store.ts';

/** One consumer group's offsets and watermarks in Redis. */
export interface OffsetStore {
  /** The next offset to process, or null when the partition was never committed. */
  readOffset(topic: string, partition: number): Promise<number | null>;
  /** Highest source position applied per source partition (`topic:partition` → position). */
  readWatermarks(topic: string, partition: number): Promise<Map<string, Position>>;
  /** The key holding a task partition's watermarks (written through a WriteBatch). */
  watermarksKey(topic: string, partition: number): string;
  /**
   * Applies `writes` and stores `next`, atomically, if the stored offset is still `expected`.
   * Returns false, having written nothing, when another owner moved the offset.
   */
  commit(
    topic: string,
    partition: number,
    expected: number | null,
    next: number,
    writes: WriteBatch,
  ): Promise<boolean>;
}

/** A watermark as stored: `offset:index` (a plain offset, as older versions wrote, is index 0). */
export function formatPosition(p: Position): string {
  return `${p.offset}:${p.index}`;
}

/** The inverse of formatPosition; throws on anything else (a corrupt watermark must not be guessed). */
export function parsePosition(text: string): Position {
  const match = /^(\d+)(?::(\d+))?$/.exec(text);
  if (match === null) throw new Error(`corrupt source watermark '${text}'`);
  return { offset: Number(match[1]), index: Number(match[2] ?? 0) };
}

/**
 * The offset store of consumer group `group`: on one Redis, a batch is one atomic `commitBatch`; on a
 * Redis Cluster client (src/store/redis-client.ts), the three-step protocol of
 * cluster/cluster-offset-store.ts, exactly once per slot without cross-slot atomicity. `midCommit` is
 * the crash tests' failpoint there (a single Redis commits in one step: it has no middle).
 */
export function createOffsetStore(
  redis: Redis,
  keys: RedisKeys,
  group: string,
  midCommit?: () => void,
): OffsetStore {
  const readWatermarks: OffsetStore['readWatermarks'] = async (topic, partition) => {
    const hash = await redis.hgetall(keys.partitionWatermarks(group, topic, partition));
    return new Map(Object.entries(hash).map(([source, position]) => [source, parsePosition(position)]));
  };
  if ((redis as Redis | Cluster) instanceof Cluster)
    return createClusterOffsetStore(redis, keys, group, readWatermarks, midCommit);
  const script: LuaScript = loadScript(redis, 'commitBatch');
  return {
    async readOffset(topic, partition) {
      const value = await redis.get(keys.partitionOffset(group, topic, partition));
      return value === null ? null : Number(value);
    },
    readWatermarks,
    watermarksKey: (topic, partition) => keys.partitionWatermarks(group, topic, partition),
    async commit(topic, partition, expected, next, writes) {
      const offsetKey = keys.partitionOffset(group, topic, partition);
      const result = await script.run(
        [offsetKey, ...writes.keys],
        [expected === null ? '' : String(expected), String(next), ...writes.args],
      );
      return result === 1;
    },
  };
}
