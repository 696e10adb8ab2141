/**
 * A batch's writes (WriteBatch) split by Redis Cluster slot, each group in the shape of the cluster
 * scripts' ARGV (command, key index, argument count, arguments) with its own KEYS, and the pending
 * log that records them all before any is applied (src/state/cluster/cluster-offset-store.ts).
 */
import type { WriteBatch } from '../write-batch.ts';
import { slotOf } from './slots.ts';

type Arg = string | Buffer | number;

/** One slot's writes: `keys` become KEYS[first..] of the script; `args` index into them. */
export interface SlotWrites {
  readonly slot: number;
  readonly keys: string[];
  readonly args: Arg[];
}

/** The commands the cluster scripts apply: commitBatch.lua's (a test keeps the lists equal). */
export const ALLOWED_WRITES: ReadonlySet<string> = new Set([
  'SET',
  'HSET',
  'HINCRBY',
  'HINCRBYFLOAT',
  'ZADD',
  'ZINCRBY',
  'ZREMRANGEBYRANK',
  'PEXPIRE',
  'PERSIST',
  'RPUSH',
  'LTRIM',
  'SADD',
  'DEL',
]);

/**
 * Groups `writes` by the slot of each write's key. Throws on a malformed write before anything is
 * sent: a pending log must never hold a batch that cannot be applied. `firstIndex(slot)` is the KEYS index the slot's
 * first write key takes (the scripts put their own keys first).
 */
export function groupBySlot(
  writes: WriteBatch,
  firstIndex: (slot: number) => number,
): Map<number, SlotWrites> {
  const groups = new Map<number, SlotWrites & { index: Map<string, number> }>();
  const { args, keys } = writes;
  for (let i = 0; i < args.length;) {
    const command = args[i] as string;
    const key = keys[(args[i + 1] as number) - 2];
    const count = args[i + 2];
    if (
      !ALLOWED_WRITES.has(command) ||
      key === undefined ||
      typeof count !== 'number' ||
      i + 3 + count > args.length
    )
      throw new Error(`commit: bad write at argument ${i} (${String(command)})`);
    const slot = slotOf(key);
    let group = groups.get(slot);
    if (group === undefined) groups.set(slot, (group = { slot, keys: [], args: [], index: new Map() }));
    let index = group.index.get(key);
    if (index === undefined) {
      group.keys.push(key);
      index = firstIndex(slot) + group.keys.length - 1;
      group.index.set(key, index);
    }
    group.args.push(command, index, count);
    for (let j = i + 3; j < i + 3 + count; j++) group.args.push(args[j] as Arg);
    i += 3 + count;
  }
  return groups;
}

/** A pending batch as the pending log holds it: the end offset, then each slot's writes. */
export interface PendingBatch {
  readonly next: number;
  readonly groups: readonly SlotWrites[];
}

/** The pending log's elements: next, then per group: slot, key count, keys, argument count, arguments. */
export function encodePending(batch: PendingBatch): Arg[] {
  const out: Arg[] = [batch.next];
  for (const g of batch.groups) out.push(g.slot, g.keys.length, ...g.keys, g.args.length, ...g.args);
  return out;
}

/** The inverse of encodePending over the list as read back (binary values stay Buffers). */
export function decodePending(elements: readonly Buffer[]): PendingBatch {
  const text = (at: number) => {
    const e = elements[at];
    if (e === undefined) throw new Error(`pending batch log cut short at element ${at}`);
    return e.toString();
  };
  const next = Number(text(0));
  const groups: SlotWrites[] = [];
  let i = 1;
  while (i < elements.length) {
    const slot = Number(text(i));
    const keyCount = Number(text(i + 1));
    const keys = elements.slice(i + 2, i + 2 + keyCount).map((k) => k.toString());
    const argCount = Number(text(i + 2 + keyCount));
    const from = i + 3 + keyCount;
    if (from + argCount > elements.length) throw new Error('pending batch log cut short');
    groups.push({ slot, keys, args: elements.slice(from, from + argCount) });
    i = from + argCount;
  }
  if (!Number.isSafeInteger(next)) throw new Error('pending batch log has no end offset');
  return { next, groups };
}
