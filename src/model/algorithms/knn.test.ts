import { describe, expect, it } from 'vitest';
import { BASELINE_DEFAULTS, computeBaselines, globalMean } from './baselines.ts';
import { createRandom } from '../../lib/random.ts';
import { fitKnnBaseline, KNN_BASELINE_DEFAULTS } from './knn.ts';
import type { KnnBaselineParams } from './knn.ts';
import type { Triple } from '../../../test/support/rating-fixtures.ts';
import { plantedLowRank, ratingSetFrom, rmseOn } from '../../../test/support/rating-fixtures.ts';
import { clipToScale } from '../ratings/rating-rows.ts';

/** Five users, four items, a few gaps: small enough to check the formula by hand. */
const tiny: Triple[] = [
  [0, 0, 5],
  [0, 1, 3],
  [0, 2, 4],
  [0, 3, 1],
  [1, 0, 4],
  [1, 1, 2],
  [1, 2, 5],
  [1, 3, 2],
  [2, 0, 1],
  [2, 1, 5],
  [2, 2, 2],
  [3, 1, 4],
  [3, 2, 1],
  [3, 3, 5],
  [4, 0, 3],
  [4, 3, 4],
];

/** Koren's formula written out with plain arrays and sorting: the reference the fast code must match. */
function referencePrediction(
  triples: readonly Triple[],
  params: KnnBaselineParams,
  u: number,
  i: number,
): number {
  const set = ratingSetFrom(triples);
  const b = computeBaselines(set, params.baseline);
  const rating = new Map(triples.map(([uu, ii, r]) => [`${uu},${ii}`, r]));
  const resid = (uu: number, ii: number) =>
    (rating.get(`${uu},${ii}`) as number) -
    b.globalMean -
    (b.userBias[uu] as number) -
    (b.itemBias[ii] as number);
  const sim = (a: number, c: number) => {
    if (a === c) return 1;
    let n = 0;
    let prods = 0;
    let sqA = 0;
    let sqC = 0;
    for (let v = 0; v < set.nUsers; v++) {
      if (!rating.has(`${v},${a}`) || !rating.has(`${v},${c}`)) continue;
      n++;
      prods += resid(v, a) * resid(v, c);
      sqA += resid(v, a) ** 2;
      sqC += resid(v, c) ** 2;
    }
    return n === 0 || sqA * sqC === 0
      ? 0
      : (prods / Math.sqrt(sqA * sqC)) * ((n - 1) / (n - 1 + params.shrinkage));
  };
  const rated = triples.filter(([uu]) => uu === u).map(([, j]) => j);
  const best = rated
    .map((j) => ({ s: sim(i, j), dev: resid(u, j) }))
    .sort((x, y) => y.s - x.s)
    .slice(0, params.k)
    .filter((n) => n.s > 0);
  const base = b.globalMean + (b.userBias[u] as number) + (b.itemBias[i] as number);
  const adjust =
    best.length === 0 ? 0 : best.reduce((s, n) => s + n.s * n.dev, 0) / best.reduce((s, n) => s + n.s, 0);
  return clipToScale(base + adjust, set.scale);
}

describe('fitKnnBaseline', () => {
  const params: KnnBaselineParams = { ...KNN_BASELINE_DEFAULTS, k: 2, shrinkage: 1 };

  it('predicts the hand-computed weighted neighbour formula for every user and item', () => {
    const model = fitKnnBaseline(ratingSetFrom(tiny), params);
    for (let u = 0; u < 5; u++)
      for (let i = 0; i < 4; i++)
        expect(model.predict(u, i)).toBeCloseTo(referencePrediction(tiny, params, u, i), 5);
  });

  it('matches the formula on a denser random matrix where the k-best choice matters', () => {
    const random = createRandom(4);
    const triples: Triple[] = [];
    for (let u = 0; u < 10; u++)
      for (let i = 0; i < 8; i++) if (random.next() < 0.7) triples.push([u, i, 1 + random.int(5)]);
    for (const k of [1, 3, 40]) {
      const model = fitKnnBaseline(ratingSetFrom(triples), { ...params, k });
      for (let u = 0; u < 10; u++)
        for (let i = 0; i < 8; i++)
          expect(model.predict(u, i)).toBeCloseTo(referencePrediction(triples, { ...params, k }, u, i), 5);
    }
  });

  it('uses at most k neighbours and moves away from the baseline', () => {
    const set = ratingSetFrom(tiny);
    const one = fitKnnBaseline(set, { ...params, k: 1 });
    const all = fitKnnBaseline(set, { ...params, k: 40 });
    const baseline = fitKnnBaseline(set, { ...params, k: 1, minK: 2 });
    const cells = [0, 1, 2, 3, 4].flatMap((u) => [0, 1, 2, 3].map((i) => [u, i] as const));
    expect(cells.some(([u, i]) => Math.abs(one.predict(u, i) - all.predict(u, i)) > 1e-3)).toBe(true);
    expect(cells.some(([u, i]) => Math.abs(one.predict(u, i) - baseline.predict(u, i)) > 1e-3)).toBe(true);
  });

  it('gives the same predictions user-based on the transposed ratings', () => {
    const itemBased = fitKnnBaseline(ratingSetFrom(tiny), params);
    const swapped = {
      ...BASELINE_DEFAULTS,
      regUser: BASELINE_DEFAULTS.regItem,
      regItem: BASELINE_DEFAULTS.regUser,
    };
    const transposed = ratingSetFrom(tiny.map(([u, i, r]) => [i, u, r] as const));
    const userBased = fitKnnBaseline(transposed, { ...params, userBased: true, baseline: swapped });
    for (let u = 0; u < 5; u++)
      for (let i = 0; i < 4; i++) expect(userBased.predict(i, u)).toBeCloseTo(itemBased.predict(u, i), 4);
  });

  it('falls back to the baseline with whichever biases are known', () => {
    const set = ratingSetFrom(tiny, { min: 1, max: 5 }, { nUsers: 6, nItems: 5 });
    const model = fitKnnBaseline(set, KNN_BASELINE_DEFAULTS);
    const b = computeBaselines(set, BASELINE_DEFAULTS);
    expect(model.predict(-1, 2)).toBeCloseTo(b.globalMean + (b.itemBias[2] as number), 6);
    expect(model.predict(1, 4)).toBeCloseTo(b.globalMean + (b.userBias[1] as number), 6);
    expect(model.predict(5, -1)).toBeCloseTo(b.globalMean, 6);
  });

  it('beats the global mean on a planted low-rank matrix', () => {
    const planted = plantedLowRank(60, 80, 3, 0.4, 9);
    const model = fitKnnBaseline(planted.train, KNN_BASELINE_DEFAULTS);
    const floor = globalMean.fit(planted.train, {});
    const rmse = rmseOn(planted.test, (u, i) => model.predict(u, i));
    expect(rmse).toBeLessThan(0.75 * rmseOn(planted.test, (u, i) => floor.predict(u, i)));
  });
});
