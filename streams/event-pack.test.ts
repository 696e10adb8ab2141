import { Partitioners, type Message } from 'kafkajs';
import { deadLetterBytes, deadLetterSchema } from './events.ts';
import { describe, expect, it } from 'vitest';
import {
  eventCount,
  keyPartitioner,
  PACK_MAX_CHARS,
  PACK_MAX_EVENTS,
  packByPartition,
  readPack,
  unpack,
  unpackText,
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
      const lines = unpackText(Buffer.from(pack.value as string));
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
    expect(packs.map((p) => unpackText(Buffer.from(p.value as string)).length)).toEqual([2, 2, 2, 1, 1]);
  });

  it('read a single-event record; keep bytes exact; treat a record with empty lines or too many as malformed', () => {
    expect(unpackText(Buffer.from('{"a":1}'))).toEqual(['{"a":1}']);
    expect(unpackText(null)).toEqual(['']);
    expect(unpackText(Buffer.alloc(0))).toEqual(['']);
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a, 0x7b, 0x7d]);
    const unpacked = unpack(raw);
    expect('events' in unpacked && unpacked.events.map((e) => [...e])).toEqual([
      [0x7b, 0xff, 0xfe, 0x7d],
      [0x7b, 0x7d],
    ]);
    expect(unpack(Buffer.from('{}\n\n{}'))).toEqual({ malformed: expect.stringMatching(/empty line/) });
    expect(unpack(Buffer.from('{}\n'))).toEqual({ malformed: expect.stringMatching(/empty line/) });
    expect(unpack(Buffer.from('{}\n'.repeat(PACK_MAX_EVENTS) + '{}'))).toEqual({
      malformed: expect.stringMatching(/more than/),
    });
    expect(unpack(Buffer.from('\n'.repeat(1_000_000)))).toEqual({
      malformed: expect.stringMatching(/empty line/),
    });
    expect(eventCount(Buffer.from('{}\n{}\n{}'))).toBe(3);
    expect(eventCount(Buffer.from('\n'.repeat(1_000_000)))).toBe(PACK_MAX_EVENTS + 1);
    expect(eventCount(null)).toBe(1);
  });

  it('read a pack into events and dead letters: a rejected event with its index and exact bytes, a malformed record once', () => {
    const source = { topic: 'ue', partition: 2, offset: 40 };
    const decode = (text: string) => (text.startsWith('{') ? { text } : 'not an object');
    const used: [string, number][] = [];
    const dead: Message[] = [];
    const value = Buffer.concat([
      Buffer.from('{"a":1}\n'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\n{"b":2}'),
    ]);
    expect(readPack(value, source, decode, (e, i) => used.push([e.text, i]), dead)).toBe(3);
    expect(used).toEqual([
      ['{"a":1}', 0],
      ['{"b":2}', 2],
    ]);
    expect(dead.map((d) => d.key)).toEqual(['ue:2']);
    const letter = deadLetterSchema.parse(JSON.parse(String(dead[0]?.value)));
    expect(letter).toMatchObject({ reason: 'not an object', offset: '40', index: 1, encoding: 'base64' });
    expect([...deadLetterBytes(letter)]).toEqual([0xff, 0xfe]);
    expect(readPack(Buffer.from('{}\n'.repeat(5000)), source, decode, () => undefined, dead)).toBe(1);
    expect(dead).toHaveLength(2);
    const whole = deadLetterSchema.parse(JSON.parse(String(dead[1]?.value)));
    expect(whole.reason).toMatch(/more than 1000 events/);
    expect(whole.index).toBeUndefined();
  });

  it('refuse a topic without partitions', () => {
    expect(() => keyPartitioner(0)).toThrow(/at least one partition/);
  });
});
