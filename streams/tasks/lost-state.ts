/**
 * Reset detection: Redis holds a task's truth (offsets beside actor state) and Kafka's committed
 * offset is only advisory, written after Redis. So a partition with no offset in Redis whose group
 * has committed past the first retained record in Kafka lost its state: Redis restarted without its
 * append-only file, was flushed, or REDIS_URL/REDIS_KEY_PREFIX changed under the same Kafka groups.
 * Carrying on would start every actor of the partition from fresh vectors at Kafka's position and
 * silently drop everything before it, so the stream refuses (or, asked to, rebuilds from the earliest
 * retained records).
 */
import type { Admin } from 'kafkajs';
import type { OffsetStore } from '../../src/state/offset-store.ts';

/** A partition whose Redis state is gone while Kafka shows the group had consumed it. */
export interface LostPartition {
  readonly partition: number;
  /** The group's committed offset in Kafka. */
  readonly committed: number;
  /** The first offset Kafka still retains. */
  readonly earliest: number;
}

/** Thrown when a group's Redis offsets are gone: the message says what happened and what to do. */
export class LostStateError extends Error {
  override readonly name = 'LostStateError';

  constructor(
    readonly groupId: string,
    readonly topic: string,
    readonly lost: readonly LostPartition[],
  ) {
    const where = lost.map((p) => `${p.partition} (Kafka committed ${p.committed})`).join(', ');
    super(
      `consumer group ${groupId} on ${topic}: Redis holds no offset for partition ${where}, but Kafka ` +
        'shows the group consumed it. Redis lost the stream state (restarted without its append-only ' +
        'file, flushed, or REDIS_URL / REDIS_KEY_PREFIX changed). Refusing to continue from fresh actors. ' +
        'Restore Redis (its appendonlydir), or rebuild every actor from the earliest records Kafka ' +
        'retains with `marquee stream --rebuild` (all stream processes stopped first).',
    );
  }
}

/** The partitions of `topic` that `groupId` consumed in Kafka but whose offsets Redis lacks. */
export async function findLostPartitions(
  admin: Admin,
  groupId: string,
  topic: string,
  offsets: Pick<OffsetStore, 'readOffset'>,
  only?: number,
): Promise<LostPartition[]> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const candidates = (committed?.partitions ?? [])
    .map((p) => ({ partition: p.partition, committed: Number(p.offset) }))
    .filter((p) => p.committed >= 0 && (only === undefined || p.partition === only));
  if (candidates.length === 0) return [];
  const earliest = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.low)]));
  const lost: LostPartition[] = [];
  for (const p of candidates) {
    const low = earliest.get(p.partition) ?? 0;
    // Committed at the earliest retained record: starting there from scratch loses nothing.
    if (p.committed <= low) continue;
    if ((await offsets.readOffset(topic, p.partition)) === null) lost.push({ ...p, earliest: low });
  }
  return lost;
}
