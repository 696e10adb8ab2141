import { describe, expect, it } from 'vitest';
import { Mailbox } from './mailbox.ts';
import { ActorRegistry } from './registry.ts';

const load = (calls: string[][]) => async (keys: readonly string[]) => {
  calls.push([...keys]);
  return keys.map((k) => `state of ${k}`);
};

describe('ActorRegistry', () => {
  it('activates only missing actors, in one call per batch', async () => {
    const calls: string[][] = [];
    const r = new ActorRegistry<string>({ maxLive: 10, idleMs: 1000 });
    await r.activateAll(['a', 'b', 'a'], 0, load(calls));
    const states = await r.activateAll(['b', 'c'], 0, load(calls));
    expect([...states]).toEqual([
      ['b', 'state of b'],
      ['c', 'state of c'],
    ]);
    expect(calls).toEqual([['a', 'b'], ['c']]);
    expect(r.get('a')).toBe('state of a');
    expect(r.activations).toBe(3);
  });

  it('passivates the least recently used beyond the live bound', async () => {
    const r = new ActorRegistry<string>({ maxLive: 2, idleMs: 1e9 });
    await r.activateAll(['a', 'b', 'c'], 0, load([]));
    r.get('a');
    expect(r.passivate()).toBe(1);
    expect(r.size).toBe(2);
    expect(() => r.get('b')).toThrow(/not active/);
    expect(r.get('a')).toBe('state of a');
    expect(r.passivations).toBe(1);
  });

  it('passivates actors idle longer than idleMs, and keeps the recently used', async () => {
    let now = 0;
    const r = new ActorRegistry<string>({ maxLive: 100, idleMs: 50, now: () => now });
    await r.activateAll(['a', 'b'], 0, load([]));
    now = 40;
    r.set('b', 'b2', 0);
    now = 80;
    expect(r.passivate()).toBe(1);
    expect(r.get('b')).toBe('b2');
  });

  it("drops a revoked partition's actors and nothing else", async () => {
    const r = new ActorRegistry<string>({ maxLive: 100, idleMs: 1e9 });
    await r.activateAll(['a', 'b'], 0, load([]));
    await r.activateAll(['c'], 1, load([]));
    expect(r.dropPartition(0)).toBe(2);
    expect(r.size).toBe(1);
    expect(r.get('c')).toBe('state of c');
  });
});

describe('Mailbox', () => {
  it('receives one message at a time in posting order, even with async turns', async () => {
    const m = new Mailbox<number>();
    const seen: string[] = [];
    [1, 2, 3].forEach((x) => m.post(x));
    const done = m.drain(async (x) => {
      seen.push(`start ${x}`);
      await new Promise((resolve) => setTimeout(resolve, 3 - x));
      seen.push(`end ${x}`);
    });
    await expect(m.drain(() => undefined)).rejects.toThrow(/one turn at a time/);
    expect(await done).toBe(3);
    expect(seen).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(m.size).toBe(0);
  });

  it('keeps a failed message at the head for the caller to retry or dead-letter', () => {
    const m = new Mailbox<number>();
    [1, 2].forEach((x) => m.post(x));
    expect(() =>
      m.drainSync((x) => {
        if (x === 2) throw new Error('poison');
      }),
    ).toThrow('poison');
    expect(m.size).toBe(1);
    const got: number[] = [];
    m.drainSync((x) => got.push(x));
    expect(got).toEqual([2]);
  });
});
