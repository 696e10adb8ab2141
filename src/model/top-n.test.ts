import { describe, expect, it } from 'vitest';
import { TopHeap } from './heap.ts';
import { scoreAllItems, scoreUser, topN } from './top-n.ts';
import { SvdModel } from './algorithms/svd-model.ts';

function model(): SvdModel {
  // 2 users, 4 items, 2 factors; item 3 never trained
  return new SvdModel({
    algorithm: 'svd',
    params: {},
    mu: 3,
    factors: 2,
    scale: { min: 1, max: 5 },
    userIds: ['a', 'b'],
    itemIds: ['w', 'x', 'y', 'z'],
    userBias: Float32Array.of(0.5, 0),
    itemBias: Float32Array.of(0, 0.25, -0.5, 9),
    userFactors: Float32Array.of(1, 2, 0, 0),
    itemFactors: Float32Array.of(1, 0, 0, 1, 1, 1, 5, 5),
    userCounts: Float32Array.of(3, 0),
    itemCounts: Float32Array.of(1, 1, 1, 0),
  });
}

describe('scoreAllItems', () => {
  it('scores μ + b_u + b_i + p·q for every trained item and -Infinity for untrained ones', () => {
    const m = model();
    const out = new Float32Array(4);
    scoreAllItems(m, m.data.userFactors, 0, 0.5, out);
    expect(Array.from(out)).toEqual([4.5, 5.75, 6, -Infinity]); // unclipped: ranking keeps the order above 5
  });
});

describe('scoreUser', () => {
  it('ranks an unknown user by item bias alone', () => {
    const out = new Float32Array(4);
    scoreUser(model(), 1, out);
    expect(Array.from(out)).toEqual([3, 3.25, 2.5, -Infinity]);
  });

  it('asks any other predictor item by item', () => {
    const out = new Float32Array(3);
    scoreUser({ algorithm: 'f', predict: (u, i) => u * 10 + i }, 2, out);
    expect(Array.from(out)).toEqual([20, 21, 22]);
  });
});

describe('topN', () => {
  it('returns the best N items best first, skipping excluded ids', () => {
    const scores = Float32Array.of(0.1, 0.9, 0.5, 0.7, 0.3);
    const out = new Int32Array(2);
    const outScores = new Float32Array(2);
    const n = topN(scores, [1], new TopHeap(2), out, outScores);
    expect(n).toBe(2);
    expect(Array.from(out)).toEqual([3, 2]);
    expect(outScores[0]).toBeCloseTo(0.7, 6);
  });

  it('skips NaN scores instead of returning the first N items', () => {
    const out = new Int32Array(2);
    const n = topN(Float32Array.of(NaN, 0.1, 0.2, 0.9, 0.5), [], new TopHeap(2), out);
    expect(n).toBe(2);
    expect(Array.from(out)).toEqual([3, 4]);
  });

  it('returns fewer than N when exclusions leave fewer candidates', () => {
    const out = new Int32Array(3);
    const n = topN(Float32Array.of(1, 2, -Infinity), Int32Array.of(0), new TopHeap(3), out);
    expect(n).toBe(1);
    expect(out[0]).toBe(1);
  });
});
