import { Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { buildRatingSet } from '../ratings/build-rating-set.ts';
import { fitEase, scoreEase } from './ease.ts';

// Items by first-seen index: a=0, b=1, c=2, d=3 (d rated once). a and b go together, c goes alone.
const train = buildRatingSet([
  ...['u1', 'u2', 'u3'].flatMap((u) => [
    { userId: u, movieId: 'a', rating: 4 },
    { userId: u, movieId: 'b', rating: 2 },
  ]),
  { userId: 'u4', movieId: 'c', rating: 5 },
  { userId: 'u5', movieId: 'c', rating: 3 },
  { userId: 'u5', movieId: 'a', rating: 3 },
  { userId: 'u6', movieId: 'd', rating: 5 },
  { userId: 'u6', movieId: 'c', rating: 1 },
]);

describe('fitEase', () => {
  it('solves B = I − P·diag(1/diag P) with P = (XᵀX + λI)⁻¹, zero on the diagonal', () => {
    const lambda = 0.5;
    const model = fitEase(train, { lambda, maxItems: 10, minCount: 1 });
    expect(Array.from(model.items)).toEqual([0, 1, 2, 3]); // by interactions (4, 3, 3, 1), ties by index
    const x = [
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [0, 0, 1, 0],
      [1, 0, 1, 0],
      [0, 0, 1, 1],
    ].map((row) => Array.from(model.items, (item) => row[item] as number));
    const xm = new Matrix(x);
    const p = inverse(xm.transpose().mmul(xm).add(Matrix.eye(4).mul(lambda)));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const expected = i === j ? 0 : -p.get(i, j) / p.get(j, j);
        expect(model.weights[i * 4 + j]).toBeCloseTo(expected, 5);
      }
    }
  });

  it('covers only the most interacted items, at most maxItems with at least minCount', () => {
    const model = fitEase(train, { lambda: 1, maxItems: 2, minCount: 1 });
    expect(Array.from(model.items)).toEqual([0, 1]);
    expect(Array.from(model.column)).toEqual([0, 1, -1, -1]);
    expect(Array.from(fitEase(train, { lambda: 1, maxItems: 10, minCount: 3 }).items)).toEqual([0, 1, 2]);
  });
});

describe('scoreEase', () => {
  it("sums the history's rows and leaves uncovered items NaN", () => {
    const model = fitEase(train, { lambda: 0.5, maxItems: 3, minCount: 1 });
    const out = scoreEase(model, [0, 3], new Float32Array(4)); // d (3) is not covered
    const m = model.items.length;
    const colA = model.column[0] as number;
    for (const item of [0, 1, 2]) {
      expect(out[item]).toBeCloseTo(model.weights[colA * m + (model.column[item] as number)] as number, 6);
    }
    expect(out[3]).toBeNaN();
    expect(out[0]).toBe(0); // an item's own weight is zero
  });

  it('ranks b first for a user who watched a: they go together', () => {
    const model = fitEase(train, { lambda: 0.5, maxItems: 10, minCount: 1 });
    const out = scoreEase(model, [0], new Float32Array(4));
    expect(out[1]).toBeGreaterThan(out[2] as number);
    expect(out[1]).toBeGreaterThan(out[3] as number);
  });
});
