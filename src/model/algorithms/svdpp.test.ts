import { describe, expect, it } from 'vitest';
import { globalMean } from './baselines.ts';
import { createRandom, fillNormal } from '../../lib/random.ts';
import type { Triple } from '../../../test/support/rating-fixtures.ts';
import { plantedLowRank, rmseOn } from '../../../test/support/rating-fixtures.ts';
import type { RatingSet } from '../ratings/rating-set.ts';
import { globalMeanOf, rowsByUser } from '../ratings/rating-rows.ts';
import { fitSvdpp, SVDPP_DEFAULTS } from './svdpp.ts';
import type { SvdppParams } from './svdpp.ts';

/** Surprise's SVDpp.sgd transcribed literally: z_u recomputed and every y_j updated per rating. */
function naiveSvdpp(train: RatingSet, p: SvdppParams): (u: number, i: number) => number {
  const k = p.factors;
  const random = createRandom(p.seed);
  const bu = new Float64Array(train.nUsers);
  const bi = new Float64Array(train.nItems);
  const pu = new Float64Array(train.nUsers * k);
  const qi = new Float64Array(train.nItems * k);
  const yj = new Float64Array(train.nItems * k);
  fillNormal(pu, random, p.initMean, p.initStd);
  fillNormal(qi, random, p.initMean, p.initStd);
  fillNormal(yj, random, p.initMean, p.initStd);
  const mu = globalMeanOf(train);
  const rows = rowsByUser(train);
  const itemsOf = (u: number) => Array.from(rows.cols.subarray(rows.offsets[u], rows.offsets[u + 1]));
  const implicit = (u: number) => {
    const items = itemsOf(u);
    const z = new Array<number>(k).fill(0);
    for (const j of items)
      for (let f = 0; f < k; f++) z[f]! += (yj[j * k + f] as number) / Math.sqrt(items.length);
    return z;
  };
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    for (let u = 0; u < train.nUsers; u++) {
      const items = itemsOf(u);
      for (let e = rows.offsets[u] as number; e < (rows.offsets[u + 1] as number); e++) {
        const i = rows.cols[e] as number;
        const z = implicit(u);
        let dot = 0;
        for (let f = 0; f < k; f++) dot += qi[i * k + f]! * (pu[u * k + f]! + z[f]!);
        const err = rows.values[e]! - (mu + bu[u]! + bi[i]! + dot);
        bu[u]! += p.lr * (err - p.reg * bu[u]!);
        bi[i]! += p.lr * (err - p.reg * bi[i]!);
        for (let f = 0; f < k; f++) {
          const puf = pu[u * k + f]!;
          const qif = qi[i * k + f]!;
          pu[u * k + f]! += p.lr * (err * qif - p.reg * puf);
          qi[i * k + f]! += p.lr * (err * (puf + z[f]!) - p.reg * qif);
          const sqrtN = Math.sqrt(items.length);
          for (const j of items) yj[j * k + f]! += p.lr * ((err * qif) / sqrtN - p.reg * yj[j * k + f]!);
        }
      }
    }
  }
  return (u, i) => {
    const z = implicit(u);
    let dot = 0;
    for (let f = 0; f < k; f++) dot += qi[i * k + f]! * (pu[u * k + f]! + z[f]!);
    return mu + bu[u]! + bi[i]! + dot;
  };
}

describe('fitSvdpp', () => {
  const planted = plantedLowRank(60, 80, 3, 0.4, 11);

  it('matches a literal transcription of Surprise’s per-rating updates', () => {
    const params = { ...SVDPP_DEFAULTS, epochs: 5 };
    const fast = fitSvdpp(planted.train, params);
    const naive = naiveSvdpp(planted.train, params);
    for (const [u, i] of planted.test.slice(0, 200)) expect(fast.estimate(u, i)).toBeCloseTo(naive(u, i), 4);
  });

  it('beats the global mean clearly on a planted low-rank matrix', () => {
    const model = fitSvdpp(planted.train, { ...SVDPP_DEFAULTS, epochs: 60 });
    const floor = globalMean.fit(planted.train, {});
    const rmse = rmseOn(planted.test, (u, i) => model.predict(u, i));
    const floorRmse = rmseOn(planted.test, (u, i) => floor.predict(u, i));
    expect(rmse).toBeLessThan(0.75 * floorRmse);
  });

  it('is deterministic under a seed and changes with the seed', () => {
    const probe: Triple[] = planted.test.slice(0, 20);
    const a = fitSvdpp(planted.train, SVDPP_DEFAULTS);
    const b = fitSvdpp(planted.train, SVDPP_DEFAULTS);
    const c = fitSvdpp(planted.train, { ...SVDPP_DEFAULTS, seed: 2 });
    const at = (m: typeof a) => probe.map(([u, i]) => m.predict(u, i));
    expect(at(a)).toEqual(at(b));
    expect(at(a)).not.toEqual(at(c));
  });

  it('reports a falling training error once per epoch', () => {
    const seen: number[] = [];
    fitSvdpp(planted.train, SVDPP_DEFAULTS, (_e, _n, rmse) => seen.push(rmse));
    expect(seen).toHaveLength(20);
    expect(seen[19]).toBeLessThan(seen[0] as number);
  });

  it('falls back to μ + b_i for an unknown user and clips to the scale', () => {
    const model = fitSvdpp(planted.train, SVDPP_DEFAULTS);
    const d = model.data;
    expect(model.estimate(-1, 0)).toBeCloseTo(d.mu + (d.itemBias[0] as number), 6);
    expect(model.predict(-1, -1)).toBeCloseTo(d.mu, 6);
    const all = planted.test.map(([u, i]) => model.predict(u, i));
    expect(Math.min(...all)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...all)).toBeLessThanOrEqual(5);
  });
});
