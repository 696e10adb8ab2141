import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  eventCount,
  keyPartitioner,
  PACK_MAX_CHARS,
  PACK_MAX_EVENTS,
  packByPartition,
  unpack,
  type Keyed,
} from './event-pack.ts';

const events = (n: number, users = 50): Keyed[] =>
  Array.from({ length: n }, (_, j) => ({
    key: `u${j % users}`,
    value: JSON.stringify({ userId: `u${j % users}`, j, note: 'a\nb — ü' }),
  }));

describe('packByPartition and unpack', () => {
  it('keep every event once, in order within each key, in the partition its key hashes to', () => {
    const partitionOf = keyPartitioner(4);
    const input = events(5000);
    const packs = packByPartition(input, partitionOf);
    expect(packs.length).toBeGreaterThanOrEqual(4);
    expect(packs.length).toBeLessThan(50);
    const seen = new Map<string, number[]>();
    for (const pack of packs) {
      const lines = unpack(Buffer.from(pack.value as string));
      expect(eventCount(Buffer.from(pack.value as string))).toBe(lines.length);
      expect(lines.length).toBeLessThanOrEqual(PACK_MAX_EVENTS);
      for (const line of lines) {
        const e = JSON.parse(line) as { userId: string; j: number; note: string };
        expect(e.note).toBe('a\nb — ü');
        expect(partitionOf(e.userId)).toBe(pack.partition);
        seen.set(e.userId, [...(seen.get(e.userId) ?? []), e.j]);
      }
    }
    const all = [...seen.values()].flat().sort((a, b) => a - b);
    expect(all).toEqual(input.map((_, j) => j));
    for (const js of seen.values()) expect(js).toEqual([...js].sort((a, b) => a - b));
  });

  it('route a key as kafkajs routes a keyed message', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
    }));
    const partitionOf = keyPartitioner(6);
    const partitions = new Set<number>();
    for (let u = 0; u < 300; u++) {
      const key = `user-${u * 7919}`;
      const expected = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
      expect(partitionOf(key)).toBe(expected);
      partitions.add(expected);
    }
    expect(partitions.size).toBe(6);
  });

  it('close a pack before it passes the character bound; an oversized event goes alone', () => {
    const big = 'x'.repeat(PACK_MAX_CHARS / 3);
    const input = [
      ...Array.from({ length: 7 }, () => ({ key: 'k', value: big })),
      { key: 'k', value: 'y'.repeat(PACK_MAX_CHARS * 2) },
    ];
    const packs = packByPartition(input, () => 0);
    for (const pack of packs.slice(0, -1))
      expect((pack.value as string).length).toBeLessThanOrEqual(PACK_MAX_CHARS);
    expect(packs.map((p) => unpack(Buffer.from(p.value as string)).length)).toEqual([2, 2, 2, 1, 1]);
  });

  it('read a single-event record, and turn empty values or lines into empty events', () => {
    expect(unpack(Buffer.from('{"a":1}'))).toEqual(['{"a":1}']);
    expect(unpack(null)).toEqual(['']);
    expect(unpack(Buffer.alloc(0))).toEqual(['']);
    expect(unpack(Buffer.from('{}\n\n{}'))).toEqual(['{}', '', '{}']);
    expect(eventCount(Buffer.from('{}\n\n{}'))).toBe(3);
    expect(eventCount(null)).toBe(1);
  });

  it('refuse a topic without partitions', () => {
    expect(() => keyPartitioner(0)).toThrow(/at least one partition/);
  });
});
