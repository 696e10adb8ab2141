import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopHeap } from './heap.ts';

describe('TopHeap', () => {
  it('keeps the highest scores and drains them best first', () => {
    const heap = new TopHeap(3);
    [0.5, 4, 1, 3, 2, 5].forEach((s, i) => heap.push(i, s));
    const out = new Int32Array(3);
    const scores = new Float32Array(3);
    expect(heap.drainDescending(out, scores)).toBe(3);
    expect(Array.from(out)).toEqual([5, 1, 3]);
    expect(Array.from(scores)).toEqual([5, 4, 3]);
    expect(heap.size).toBe(0);
  });

  it('breaks ties by the lower index', () => {
    const heap = new TopHeap(2);
    [1, 1, 1, 1].forEach((s, i) => heap.push(i, s));
    const out = new Int32Array(2);
    heap.drainDescending(out);
    expect(Array.from(out)).toEqual([0, 1]);
  });

  it('returns fewer than capacity when fewer were offered', () => {
    const heap = new TopHeap(5);
    heap.push(7, 1);
    heap.push(8, 2);
    const out = new Int32Array(5).fill(-1);
    expect(heap.drainDescending(out)).toBe(2);
    expect(Array.from(out.subarray(0, 2))).toEqual([8, 7]);
  });

  it('ignores NaN and infinite scores, so a NaN cannot block the better scores after it', () => {
    const heap = new TopHeap(2);
    [NaN, 1, Infinity, 3, -Infinity, 2].forEach((s, i) => heap.push(i, s));
    const out = new Int32Array(2);
    expect(heap.drainDescending(out)).toBe(2);
    expect(Array.from(out)).toEqual([3, 5]);
  });

  it('agrees with sorting for any scores and capacity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        (scores, capacity) => {
          const heap = new TopHeap(capacity);
          scores.forEach((s, i) => heap.push(i, s));
          const out = new Int32Array(capacity);
          const n = heap.drainDescending(out);
          const expected = scores
            .map((s, i) => [s, i] as const)
            .sort((a, b) => b[0] - a[0] || a[1] - b[1])
            .slice(0, capacity)
            .map(([, i]) => i);
          expect(Array.from(out.subarray(0, n))).toEqual(expected);
        },
      ),
    );
  });
});
