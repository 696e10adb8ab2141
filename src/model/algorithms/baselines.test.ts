import { describe, expect, it } from 'vitest';
import { BASELINE_DEFAULTS, baselineOnly, computeBaselines, globalMean } from './baselines.ts';
import { createRandom } from '../../lib/random.ts';
import type { Triple } from '../../../test/support/rating-fixtures.ts';
import { ratingSetFrom } from '../../../test/support/rating-fixtures.ts';

/** Every user rates every item: r = 3 + b_u + b_i with planted, zero-mean biases. */
function plantedBiases(nUsers: number, nItems: number, seed: number) {
  const random = createRandom(seed);
  const bu = Array.from({ length: nUsers }, () => random.uniform(-0.8, 0.8));
  const bi = Array.from({ length: nItems }, () => random.uniform(-0.8, 0.8));
  const center = (xs: number[]) => {
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    return xs.map((x) => x - m);
  };
  const cu = center(bu);
  const ci = center(bi);
  const triples: Triple[] = [];
  for (let u = 0; u < nUsers; u++)
    for (let i = 0; i < nItems; i++) triples.push([u, i, 3 + (cu[u] as number) + (ci[i] as number)]);
  return { set: ratingSetFrom(triples), bu: cu, bi: ci };
}

describe('computeBaselines', () => {
  it('recovers planted user and item biases with ALS when regularisation is negligible', () => {
    const { set, bu, bi } = plantedBiases(30, 40, 1);
    const fit = computeBaselines(set, { ...BASELINE_DEFAULTS, regUser: 1e-6, regItem: 1e-6 });
    expect(fit.globalMean).toBeCloseTo(3, 5);
    for (let u = 0; u < 30; u++) expect(fit.userBias[u]).toBeCloseTo(bu[u] as number, 3);
    for (let i = 0; i < 40; i++) expect(fit.itemBias[i]).toBeCloseTo(bi[i] as number, 3);
  });

  it('shrinks biases toward zero with the default penalties, keeping their order', () => {
    const { set, bi } = plantedBiases(30, 40, 2);
    const fit = computeBaselines(set, BASELINE_DEFAULTS);
    // Item i has 30 ratings, so ALS shrinks its bias by about 30 / (30 + reg_i).
    for (let i = 0; i < 40; i++) expect(fit.itemBias[i]).toBeCloseTo(((bi[i] as number) * 30) / 40, 1);
  });

  it('recovers planted biases with SGD as well', () => {
    const { set, bu, bi } = plantedBiases(20, 20, 3);
    const fit = computeBaselines(set, {
      ...BASELINE_DEFAULTS,
      method: 'sgd',
      epochs: 300,
      learningRate: 0.01,
    });
    for (let u = 0; u < 20; u++) expect(fit.userBias[u]).toBeCloseTo(bu[u] as number, 1);
    for (let i = 0; i < 20; i++) expect(fit.itemBias[i]).toBeCloseTo(bi[i] as number, 1);
  });

  it('reports one decreasing training error per epoch', () => {
    const { set } = plantedBiases(10, 10, 4);
    const seen: number[] = [];
    computeBaselines(set, { ...BASELINE_DEFAULTS, method: 'sgd' }, undefined, (_e, _n, rmse) =>
      seen.push(rmse),
    );
    expect(seen).toHaveLength(20);
    expect(seen[19]).toBeLessThan(seen[0] as number);
  });
});

describe('baselineOnly', () => {
  it('falls back to the global mean plus whichever bias is known, and clips to the scale', () => {
    const set = ratingSetFrom(
      [
        [0, 0, 5],
        [0, 1, 5],
        [1, 0, 1],
      ],
      { min: 1, max: 5 },
      { nUsers: 3, nItems: 3 },
    );
    const params = { ...BASELINE_DEFAULTS, regUser: 0, regItem: 0 };
    const model = baselineOnly.fit(set, params);
    const fit = computeBaselines(set, params);
    const mu = fit.globalMean;
    expect(model.predict(-1, -1)).toBeCloseTo(mu, 6);
    expect(model.predict(2, 2)).toBeCloseTo(mu, 6); // indices without training ratings
    expect(model.predict(0, -1)).toBeCloseTo(Math.min(5, mu + (fit.userBias[0] as number)), 6);
    expect(model.predict(-1, 1)).toBeCloseTo(mu + (fit.itemBias[1] as number), 6);
    expect(model.predict(0, 1)).toBeLessThanOrEqual(5);
  });
});

describe('globalMean', () => {
  it('predicts the mean training rating for anyone', () => {
    const set = ratingSetFrom([
      [0, 0, 1],
      [1, 1, 4],
    ]);
    const model = globalMean.fit(set, {});
    expect(model.predict(0, 1)).toBe(2.5);
    expect(model.predict(-1, -1)).toBe(2.5);
  });
});
