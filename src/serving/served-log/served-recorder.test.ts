import { describe, expect, it, vi } from 'vitest';
import type { ServedEvent } from '../../../streams/events.ts';
import { createServedRecorder } from './served-recorder.ts';

function recording() {
  const published: ServedEvent[][] = [];
  const counted: Map<string, number>[] = [];
  const recorder = createServedRecorder(
    {
      publish: async (events) => void published.push([...events]),
      countServed: async (counts) => void counted.push(new Map(counts)),
    },
    60_000,
    10_000,
    60_000,
  );
  return { recorder, published, counted };
}

describe('createServedRecorder', () => {
  it('sends the queued lists as one batch and their counts per movie summed over every batch', async () => {
    const { recorder, published, counted } = recording();
    recorder.record({ userId: '1', items: ['a', 'b'], latencyMs: 1, arm: 'a' });
    recorder.record({ userId: '2', items: ['b', 'c'], latencyMs: 1, arm: 'b' });
    await recorder.flush();
    recorder.record({ userId: '3', items: ['c'], latencyMs: 1, arm: 'a' });
    await recorder.stop();
    expect(published.map((b) => b.map((e) => e.userId))).toEqual([['1', '2'], ['3']]);
    expect(published[0]?.[0]).toMatchObject({ type: 'served', observedBy: 'server', status: 200 });
    expect(counted).toEqual([
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 1],
      ]),
      new Map([['c', 1]]),
    ]);
  });

  it('reports a failed publish as dropped lists and still counts them', async () => {
    const dropped: number[] = [];
    const counted: Map<string, number>[] = [];
    const recorder = createServedRecorder(
      {
        publish: async () => Promise.reject(new Error('kafka down')),
        countServed: async (counts) => void counted.push(new Map(counts)),
        onDropped: (n) => dropped.push(n),
      },
      60_000,
    );
    recorder.record({ userId: '1', items: ['a'], latencyMs: 1, arm: 'a' });
    await recorder.stop();
    expect(dropped).toEqual([1]);
    expect(counted).toEqual([new Map([['a', 1]])]);
  });

  it('holds at most maxQueued lists while Kafka hangs, dropping and reporting the rest', async () => {
    vi.useFakeTimers();
    try {
      const sent: number[] = [];
      let release: () => void = () => undefined;
      const hanging = new Promise<void>((resolve) => (release = resolve));
      let dropped = 0;
      const recorder = createServedRecorder(
        {
          publish: async (events) => {
            sent.push(events.length);
            await hanging;
          },
          countServed: async () => undefined,
          onDropped: (n) => (dropped += n),
        },
        100,
        1_000,
        60_000,
      );
      // 20 intervals of 500 lists each while the first send never returns: 10,000 recorded.
      for (let tick = 0; tick < 20; tick++) {
        for (let k = 0; k < 500; k++)
          recorder.record({ userId: String(k), items: ['a'], latencyMs: 1, arm: 'a' });
        await vi.advanceTimersByTimeAsync(100);
      }
      expect(sent).toEqual([500]);
      expect(dropped).toBe(10_000 - 1_000);
      release();
      await vi.advanceTimersByTimeAsync(100);
      // Once Kafka answers, the backlog drains and new lists are taken again.
      expect(sent.reduce((a, b) => a + b, 0)).toBe(1_000);
      recorder.record({ userId: 'x', items: ['a'], latencyMs: 1, arm: 'a' });
      expect(dropped).toBe(9_000);
      await recorder.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
