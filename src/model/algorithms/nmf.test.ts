import { describe, expect, it } from 'vitest';
import { globalMean } from './baselines.ts';
import { fitNmf, NMF_DEFAULTS } from './nmf.ts';
import { createRandom } from '../../lib/random.ts';
import { plantedLowRank, ratingSetFrom, rmseOn } from '../../../test/support/rating-fixtures.ts';

describe('fitNmf', () => {
  const planted = plantedLowRank(60, 80, 3, 0.4, 5);

  it('takes one regularised multiplicative step exactly as written by hand', () => {
    // One factor, two users, two items; user 1 rated only item 0.
    const set = ratingSetFrom([
      [0, 0, 4],
      [0, 1, 2],
      [1, 0, 3],
    ]);
    const params = { ...NMF_DEFAULTS, factors: 1, epochs: 1, seed: 3 };
    const random = createRandom(3);
    const [p0, p1, q0, q1] = [random.next(), random.next(), random.next(), random.next()] as [
      number,
      number,
      number,
      number,
    ];
    const reg = 0.06;
    const e00 = p0 * q0;
    const e01 = p0 * q1;
    const e10 = p1 * q0;
    const p0n = (p0 * (q0 * 4 + q1 * 2)) / (q0 * e00 + q1 * e01 + 2 * reg * p0);
    const p1n = (p1 * (q0 * 3)) / (q0 * e10 + 1 * reg * p1);
    const q0n = (q0 * (p0 * 4 + p1 * 3)) / (p0 * e00 + p1 * e10 + 2 * reg * q0);
    const q1n = (q1 * (p0 * 2)) / (p0 * e01 + 1 * reg * q1);
    const model = fitNmf(set, params);
    const clip = (x: number) => Math.min(5, Math.max(1, x));
    expect(model.predict(0, 0)).toBeCloseTo(clip(p0n * q0n), 10);
    expect(model.predict(0, 1)).toBeCloseTo(clip(p0n * q1n), 10);
    expect(model.predict(1, 0)).toBeCloseTo(clip(p1n * q0n), 10);
    expect(model.predict(1, 1)).toBeCloseTo(clip(p1n * q1n), 10);
  });

  it('beats the global mean clearly on a planted non-negative low-rank matrix', () => {
    const model = fitNmf(planted.train, NMF_DEFAULTS);
    const floor = globalMean.fit(planted.train, {});
    const rmse = rmseOn(planted.test, (u, i) => model.predict(u, i));
    const floorRmse = rmseOn(planted.test, (u, i) => floor.predict(u, i));
    expect(rmse).toBeLessThan(0.75 * floorRmse);
  });

  it('is deterministic under a seed and changes with the seed', () => {
    const probe = planted.test.slice(0, 20);
    const at = (seed: number) => {
      const model = fitNmf(planted.train, { ...NMF_DEFAULTS, seed });
      return probe.map(([u, i]) => model.predict(u, i));
    };
    expect(at(1)).toEqual(at(1));
    expect(at(1)).not.toEqual(at(2));
  });

  it('falls back to the global mean for unknown users or items, biased adds the known bias', () => {
    const set = ratingSetFrom(
      [
        [0, 0, 4],
        [1, 1, 2],
      ],
      { min: 1, max: 5 },
      { nUsers: 3, nItems: 3 },
    );
    const unbiased = fitNmf(set, NMF_DEFAULTS);
    expect(unbiased.predict(-1, 0)).toBe(3);
    expect(unbiased.predict(2, 2)).toBe(3);
    const biased = fitNmf(set, { ...NMF_DEFAULTS, biased: true });
    expect(biased.predict(-1, -1)).toBe(3);
    // Item 0 has a trained bias, so an unknown user still gets μ + b_i, not μ.
    expect(biased.predict(-1, 0)).not.toBe(3);
  });

  it('reports a falling training error once per epoch', () => {
    const seen: number[] = [];
    fitNmf(planted.train, NMF_DEFAULTS, (_e, _n, rmse) => seen.push(rmse));
    expect(seen).toHaveLength(50);
    expect(seen[49]).toBeLessThan(seen[0] as number);
  });
});
