import { describe, expect, it } from 'vitest';
import { randomSvdModel } from '../../test/support/random-svd-model.ts';
import { alignModel } from './align-model.ts';

describe('alignModel', () => {
  it('predicts for the other ids exactly what the model predicts for the same ids, and falls back for new ones', () => {
    const model = randomSvdModel({ users: ['a', 'b'], items: ['x', 'y', 'z'], userBiasStd: 0.2, seed: 7 });
    const aligned = alignModel(model, ['new', 'b', 'a'], ['z', 'w', 'x']);
    expect(aligned.predict(2, 0)).toBe(model.predict(0, 2)); // a, z
    expect(aligned.predict(1, 2)).toBe(model.predict(1, 0)); // b, x
    expect(aligned.knowsUser(0)).toBe(false);
    expect(aligned.knowsItem(1)).toBe(false);
    expect(aligned.predict(0, 0)).toBeCloseTo(model.data.mu + (model.data.itemBias[2] as number), 5);
  });
});
