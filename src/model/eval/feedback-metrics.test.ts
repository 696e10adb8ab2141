import { describe, expect, it } from 'vitest';
import {
  averageRecommendedPopularity,
  coverage,
  gini,
  headExposureShare,
  maskedExposureShare,
  ratingSkew,
} from './feedback-metrics.ts';

// Exposure of a 10-title catalogue in the window: 6 titles served, 20 exposures.
const counts = [8, 4, 0, 3, 2, 0, 0, 2, 1, 0];

describe('feedback-loop signals', () => {
  it('coverage: the share of the catalogue served at all', () => {
    expect(coverage(counts, 10)).toBe(0.6);
    expect(coverage(counts, 200)).toBe(6 / 200); // titles never on a board count too
    expect(coverage([], 0)).toBe(0);
  });

  it('exposure Gini: Σ(2i − n − 1)·x_i / (n·Σx) over the sorted counts', () => {
    // Sorted: 0,0,0,0,1,2,2,3,4,8 with weights 2i − 11 = −9,−7,…,9; the non-zero ones weigh
    // 1·(−1) + 2·1 + 2·3 + 3·5 + 4·7 + 8·9 = −1 + 2 + 6 + 15 + 28 + 72 = 122; 122 / (10·20) = 0.61.
    expect(gini(counts)).toBeCloseTo(0.61, 12);
    expect(gini([5, 5, 5, 5])).toBe(0);
    expect(gini([0, 0, 0, 7])).toBeCloseTo(3 / 4, 12);
  });

  it('head share: the exposure of the top 1 % (at least one title)', () => {
    expect(headExposureShare(counts, 10)).toBe(8 / 20); // ceil(0.1) = 1 title
    expect(headExposureShare(counts, 10, 0.2)).toBe(12 / 20); // 2 titles
    expect(headExposureShare(counts, 250)).toBe(15 / 20); // ceil(2.5) = 3 titles: 8 + 4 + 3
    expect(headExposureShare([0, 0], 2)).toBe(0);
  });

  it('masked share: the exposure of the titles a mask marks (the popularity cap’s head)', () => {
    expect(maskedExposureShare(counts, [1, 0, 1, 0, 0, 0, 0, 1, 0, 0])).toBe(10 / 20);
  });

  it('average recommended popularity: the exposure-weighted mean popularity', () => {
    const popularity = [100, 50, 999, 10, 10, 999, 999, 5, 0, 999];
    // (8·100 + 4·50 + 3·10 + 2·10 + 2·5 + 1·0) / 20 = 1060 / 20 = 53.
    expect(averageRecommendedPopularity(counts, popularity)).toBe(53);
  });

  it('rating skew: means, their gap and the earth mover’s distance between served and organic ratings', () => {
    // Served: 2×4★, 2×5★ (mean 4.5); organic: one of each star (mean 3).
    const skew = ratingSkew([0, 0, 0, 2, 2], [1, 1, 1, 1, 1]);
    expect(skew.served).toEqual({ n: 4, mean: 4.5 });
    expect(skew.organic).toEqual({ n: 5, mean: 3 });
    expect(skew.meanGap).toBe(1.5);
    // CDFs at 1..4: served 0, 0, 0, .5; organic .2, .4, .6, .8 → .2 + .4 + .6 + .3 = 1.5.
    expect(skew.wasserstein).toBeCloseTo(1.5, 12);
    expect(ratingSkew([0, 0, 0, 0, 0], [1, 0, 0, 0, 0]).wasserstein).toBeNaN();
  });
});
