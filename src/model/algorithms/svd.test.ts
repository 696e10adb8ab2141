import { describe, expect, it } from 'vitest';
import { buildRatingSet, subsetRatings } from '../ratings/build-rating-set.ts';
import { createRandom } from '../../lib/random.ts';
import type { RatingSet } from '../ratings/rating-set.ts';
import { fitSvd, SVD_DEFAULTS } from './svd.ts';

/** Ratings of a rank-`rank` matrix plus biases, a `density` share observed, Gaussian noise `noise`. */
function lowRank(nUsers: number, nItems: number, rank: number, density: number, noise: number, seed: number) {
  const random = createRandom(seed);
  const p = Array.from({ length: nUsers * rank }, () => random.normal(0, 0.6));
  const q = Array.from({ length: nItems * rank }, () => random.normal(0, 0.6));
  const bu = Array.from({ length: nUsers }, () => random.normal(0, 0.3));
  const bi = Array.from({ length: nItems }, () => random.normal(0, 0.3));
  const records = [];
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nItems; i++) {
      if (random.next() >= density) continue;
      let r = 3 + (bu[u] as number) + (bi[i] as number);
      for (let f = 0; f < rank; f++) r += (p[u * rank + f] as number) * (q[i * rank + f] as number);
      records.push({ userId: `u${u}`, movieId: `m${i}`, rating: r + random.normal(0, noise) });
    }
  }
  return buildRatingSet(records, { min: -100, max: 100 });
}

function rmse(set: RatingSet, predict: (u: number, i: number) => number): number {
  let s = 0;
  for (let k = 0; k < set.ratings.length; k++) {
    const e = (set.ratings[k] as number) - predict(set.users[k] as number, set.items[k] as number);
    s += e * e;
  }
  return Math.sqrt(s / set.ratings.length);
}

function split(set: RatingSet, testShare: number, seed: number): { train: RatingSet; test: RatingSet } {
  const random = createRandom(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (let k = 0; k < set.ratings.length; k++) (random.next() < testShare ? test : train).push(k);
  return {
    train: subsetRatings(set, Int32Array.from(train)),
    test: subsetRatings(set, Int32Array.from(test)),
  };
}

describe('fitSvd', () => {
  it('recovers a noisy low-rank matrix: held-out RMSE near the noise level', () => {
    const noise = 0.1;
    const { train, test } = split(lowRank(200, 150, 3, 0.4, noise, 7), 0.1, 8);
    const model = fitSvd(train, { ...SVD_DEFAULTS, factors: 3, epochs: 150, lr: 0.01, reg: 0.005 });
    const meanOnly = rmse(test, () => model.data.mu);
    const heldOut = rmse(test, (u, i) => model.predict(u, i));
    expect(meanOnly).toBeGreaterThan(0.5);
    expect(heldOut).toBeLessThan(noise * 1.3);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const set = lowRank(30, 20, 2, 0.5, 0.1, 1);
    const params = { ...SVD_DEFAULTS, factors: 4, epochs: 3 };
    const a = fitSvd(set, params);
    const b = fitSvd(set, params);
    const c = fitSvd(set, { ...params, seed: 2 });
    expect(Array.from(a.data.userFactors)).toEqual(Array.from(b.data.userFactors));
    expect(Array.from(a.data.userFactors)).not.toEqual(Array.from(c.data.userFactors));
  });

  it("defaults to Surprise's parameters and its fixed user-major visiting order", () => {
    expect(SVD_DEFAULTS).toMatchObject({
      factors: 100,
      epochs: 20,
      lr: 0.005,
      reg: 0.02,
      initMean: 0,
      initStd: 0.1,
    });
    expect(SVD_DEFAULTS.shuffle).toBe(false);
  });

  it('the SIMD kernel and the plain sgdStep loop fit the same model from the same seed, shuffled or not', () => {
    const set = lowRank(40, 30, 2, 0.5, 0.1, 5);
    for (const shuffle of [false, true]) {
      const params = { ...SVD_DEFAULTS, factors: 8, epochs: 5, lr: 0.02, shuffle };
      const a = fitSvd(set, { ...params, simd: true }).data;
      const b = fitSvd(set, { ...params, simd: false }).data;
      for (const key of ['userFactors', 'itemFactors', 'userBias', 'itemBias'] as const) {
        let m = 0;
        for (let k = 0; k < a[key].length; k++)
          m = Math.max(m, Math.abs((a[key][k] as number) - (b[key][k] as number)));
        expect(m).toBeLessThan(1e-4);
      }
    }
    const ordered = fitSvd(set, { ...SVD_DEFAULTS, factors: 8, epochs: 5 }).data.userFactors;
    const shuffled = fitSvd(set, { ...SVD_DEFAULTS, factors: 8, epochs: 5, shuffle: true }).data.userFactors;
    expect(Array.from(ordered)).not.toEqual(Array.from(shuffled));
  });

  it("visits each user's ratings in input order however the users interleave (a time-ordered log)", () => {
    const set = lowRank(40, 30, 2, 0.5, 0.1, 6);
    const random = createRandom(3);
    const rows = Int32Array.from(set.users.keys());
    for (let k = rows.length - 1; k > 0; k--) {
      const j = random.int(k + 1);
      [rows[k], rows[j]] = [rows[j] as number, rows[k] as number];
    }
    const interleaved = subsetRatings(set, rows);
    const byUser = subsetRatings(
      interleaved,
      Int32Array.from(interleaved.users.keys()).sort(
        (a, b) => (interleaved.users[a] as number) - (interleaved.users[b] as number) || a - b,
      ),
    );
    for (const simd of [true, false]) {
      const params = { ...SVD_DEFAULTS, factors: 8, epochs: 3, simd };
      const a = fitSvd(interleaved, params).data;
      const b = fitSvd(byUser, params).data;
      for (const key of ['userFactors', 'itemFactors', 'userBias', 'itemBias'] as const)
        expect(Array.from(a[key])).toEqual(Array.from(b[key]));
    }
  });

  it('reports a falling training RMSE once per epoch', () => {
    const set = lowRank(50, 40, 2, 0.5, 0.1, 3);
    const seen: [number, number][] = [];
    fitSvd(set, { ...SVD_DEFAULTS, factors: 2, epochs: 10, lr: 0.01 }, (epoch, _epochs, r) =>
      seen.push([epoch, r]),
    );
    expect(seen.map(([e]) => e)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seen[9]![1]).toBeLessThan(seen[0]![1]);
  });

  it('clips to the scale and falls back to biases for users and items training never saw', () => {
    const set = buildRatingSet(
      [
        { userId: 'a', movieId: 'x', rating: 5 },
        { userId: 'a', movieId: 'y', rating: 5 },
        { userId: 'b', movieId: 'x', rating: 1 },
        { userId: 'c', movieId: 'z', rating: 3 }, // dropped from training below
      ],
      { min: 1, max: 5 },
    );
    const model = fitSvd(subsetRatings(set, Int32Array.of(0, 1, 2)), {
      ...SVD_DEFAULTS,
      epochs: 50,
      lr: 0.05,
    });
    const d = model.data;
    expect(model.knowsUser(2)).toBe(false);
    expect(model.knowsItem(2)).toBe(false);
    expect(model.predict(2, 0)).toBeCloseTo(d.mu + (d.itemBias[0] as number), 5);
    expect(model.predict(0, 2)).toBeCloseTo(d.mu + (d.userBias[0] as number), 5);
    expect(model.predict(2, 2)).toBeCloseTo(d.mu, 5);
    expect(model.predict(-1, -1)).toBeCloseTo(d.mu, 5);
    for (let u = 0; u < 3; u++)
      for (let i = 0; i < 3; i++) expect(model.predict(u, i)).toBeLessThanOrEqual(5);
    for (let u = 0; u < 3; u++)
      for (let i = 0; i < 3; i++) expect(model.predict(u, i)).toBeGreaterThanOrEqual(1);
  });
});
