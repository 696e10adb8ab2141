import { describe, expect, it } from 'vitest';
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
});
