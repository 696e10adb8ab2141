import { describe, expect, it } from 'vitest';
import { luaSource } from '../lua/scripts.ts';
import { WriteBatch } from '../write-batch.ts';
import { ALLOWED_WRITES, decodePending, encodePending, groupBySlot } from './slot-writes.ts';
import { slotOf, tagOfSlot } from './slots.ts';

/** The commands a script's `allowed` table names. */
function allowedIn(script: string): string[] {
  const table = /local allowed = \{([^}]*)\}/.exec(luaSource(script))?.[1] ?? '';
  return [...table.matchAll(/([A-Z]+) = true/g)].map((m) => m[1] as string).sort();
}

describe('writes grouped by Redis Cluster slot', () => {
  it('lets the cluster scripts apply exactly the commands commitBatch applies', () => {
    const single = allowedIn('commitBatch');
    expect(single.length).toBeGreaterThan(5);
    expect(allowedIn('applySlot')).toEqual(single);
    expect(allowedIn('endBatch')).toEqual(single);
    expect([...ALLOWED_WRITES].sort()).toEqual(single);
  });

  it('puts each write with the keys of its slot, indexed after the script’s own keys', () => {
    const w = new WriteBatch();
    w.hincrby('{u:1}:state', 'n', 1);
    w.zincrby('board:all', 2.5, 'm');
    w.set('{u:1}:p', Buffer.from([1, 2, 3]));
    w.del('{u:2}:x');
    const groups = groupBySlot(w, () => 2);
    expect(groups.get(slotOf('{u:1}:state'))).toMatchObject({
      keys: ['{u:1}:state', '{u:1}:p'],
      args: ['HINCRBY', 2, 2, 'n', 1, 'SET', 3, 1, Buffer.from([1, 2, 3])],
    });
    expect(groups.get(slotOf('board:all'))?.args).toEqual(['ZINCRBY', 2, 2, 2.5, 'm']);
    expect(groups.get(slotOf('{u:2}:x'))?.args).toEqual(['DEL', 2, 0]);
  });

  it('refuses a malformed write before anything is sent', () => {
    const w = new WriteBatch();
    w.hincrby('k', 'n', 1);
    w.args.push('FLUSHALL', 2, 0);
    expect(() => groupBySlot(w, () => 2)).toThrow(/bad write/);
  });

  it('reads back the pending log it writes, binary values intact', () => {
    const w = new WriteBatch();
    w.set('{u:1}:p', Buffer.from([0, 255, 10]));
    w.hset('{u:2}:state', { bias: 0.5 });
    const batch = { next: 42, groups: [...groupBySlot(w, () => 2).values()] };
    const stored = encodePending(batch).map((e) => (Buffer.isBuffer(e) ? e : Buffer.from(String(e))));
    const back = decodePending(stored);
    expect(back.next).toBe(42);
    expect(back.groups.map((g) => [g.slot, g.keys])).toEqual(batch.groups.map((g) => [g.slot, g.keys]));
    expect(back.groups[0]?.args[3]).toEqual(Buffer.from([0, 255, 10]));
    expect(() => decodePending(stored.slice(0, 4))).toThrow(/cut short/);
  });

  it('finds a hash tag for every slot', () => {
    for (const slot of [0, 1, 8191, 16383]) expect(slotOf(`x:{${tagOfSlot(slot)}}:y`)).toBe(slot);
  });
});
