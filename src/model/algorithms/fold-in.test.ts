import { describe, expect, it } from 'vitest';
import { foldInUser, predictFolded } from './fold-in.ts';
import type { SvdModel } from './svd-model.ts';
import { randomSvdModel } from '../../../test/support/random-svd-model.ts';

/** A model with random item factors and biases over `nItems` items and one (irrelevant) user. */
function itemModel(nItems: number, k: number): SvdModel {
  return randomSvdModel({
    items: nItems,
    factors: k,
    seed: 4,
    mu: 3,
    scale: { min: -100, max: 100 },
    factorStd: 1,
    itemBiasStd: 0.3,
  });
}

describe('foldInUser', () => {
  it("recovers a user's bias and vector from exact ratings against fixed item factors", () => {
    const k = 3;
    const model = itemModel(12, k);
    const truth = { bias: 0.4, vector: [0.5, -1, 0.25] };
    const items = [0, 2, 3, 5, 7, 8, 11];
    const ratings = items.map((i) => {
      let r = 3 + truth.bias + (model.data.itemBias[i] as number);
      for (let f = 0; f < k; f++)
        r += (truth.vector[f] as number) * (model.data.itemFactors[i * k + f] as number);
      return r;
    });
    const user = foldInUser(model, items, ratings, { lambda: 1e-6 });
    expect(user.used).toBe(7);
    expect(user.bias).toBeCloseTo(0.4, 3);
    truth.vector.forEach((v, f) => expect(user.vector[f]).toBeCloseTo(v, 3));
    // and so it predicts an unrated item correctly
    let expected = 3 + 0.4 + (model.data.itemBias[1] as number);
    for (let f = 0; f < k; f++)
      expected += (truth.vector[f] as number) * (model.data.itemFactors[k + f] as number);
    expect(predictFolded(model, user, 1)).toBeCloseTo(expected, 3);
  });

  it('shrinks the solution as the ridge penalty grows', () => {
    const model = itemModel(10, 4);
    const norm = (lambda: number): number => {
      const u = foldInUser(model, [0, 1, 2], [5, 1, 4], { lambda });
      return Math.hypot(u.bias, ...u.vector);
    };
    expect(norm(10)).toBeLessThan(norm(0.1));
    expect(norm(1e6)).toBeLessThan(1e-3);
  });

  it('ignores items the model does not know and falls back to zeros without usable ratings', () => {
    const model = itemModel(3, 2);
    model.data.itemCounts[2] = 0;
    const user = foldInUser(model, [2, 99], [5, 5]);
    expect(user.used).toBe(0);
    expect(user.bias).toBe(0);
    expect(Array.from(user.vector)).toEqual([0, 0]);
    expect(predictFolded(model, user, 0)).toBeCloseTo(3 + (model.data.itemBias[0] as number), 5);
  });

  it('rejects a ridge penalty that is not a finite number above zero with a RangeError naming lambda', () => {
    const model = itemModel(10, 4);
    for (const lambda of [0, -1, NaN, Infinity])
      expect(() => foldInUser(model, [0, 1], [5, 1], { lambda })).toThrow(
        new RangeError(`fold-in lambda must be a finite number > 0, got ${lambda}`),
      );
  });
});
