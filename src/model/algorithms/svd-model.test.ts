import { describe, expect, it } from 'vitest';
import { randomSvdModel } from '../../../test/support/random-svd-model.ts';
import { withUntrainedItems } from './svd-model.ts';

describe('withUntrainedItems', () => {
  const model = randomSvdModel({ users: 3, items: 5, factors: 4, seed: 7 });

  it('appends new ids as items the model never trained, keeping every trained value', () => {
    const grown = withUntrainedItems(model, ['m2', 'new-a', 'new-b', 'new-a']);
    expect(grown.data.itemIds).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'new-a', 'new-b']);
    expect(grown.nItems).toBe(7);
    expect(grown.data.itemFactors.subarray(0, 20)).toEqual(model.data.itemFactors);
    expect(grown.data.itemBias.subarray(0, 5)).toEqual(model.data.itemBias);
    expect([...grown.data.itemFactors.subarray(20)]).toEqual(new Array(8).fill(0));
    expect(grown.knowsItem(4)).toBe(true);
    expect(grown.knowsItem(5)).toBe(false);
    // An unknown item predicts as Surprise does: μ + b_u, whatever its (zero) factors.
    expect(grown.estimate(1, 6)).toBeCloseTo(model.estimate(1, -1), 6);
    expect(grown.data.userFactors).toBe(model.data.userFactors);
  });

  it('returns the model itself when every id is already an item', () => {
    expect(withUntrainedItems(model, ['m0', 'm4'])).toBe(model);
    expect(withUntrainedItems(model, [])).toBe(model);
  });
});
