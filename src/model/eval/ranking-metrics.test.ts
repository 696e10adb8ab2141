import { describe, expect, it } from 'vitest';
import { buildRatingSet, subsetRatings } from '../ratings/build-rating-set.ts';
import { gini, rankingMetrics, scorerRankingMetrics } from './ranking-metrics.ts';

describe('gini', () => {
  it('is 0 for equal exposure and (n − 1)/n when one item takes everything', () => {
    expect(gini([2, 2, 2, 2])).toBeCloseTo(0, 10);
    expect(gini([0, 0, 0, 8])).toBeCloseTo(0.75, 10);
    expect(gini([0, 0, 0, 0])).toBe(0);
  });
});

describe('rankingMetrics', () => {
  // items m0..m3; a predictor that prefers higher item indices: top-2 is always the two highest unseen
  const all = buildRatingSet([
    { userId: 'a', movieId: 'm0', rating: 5 }, // train
    { userId: 'a', movieId: 'm3', rating: 5 }, // test, relevant
    { userId: 'a', movieId: 'm1', rating: 4 }, // test, relevant
    { userId: 'b', movieId: 'm2', rating: 2 }, // test, not relevant → b is skipped
  ]);
  const train = subsetRatings(all, Int32Array.of(0));
  const test = subsetRatings(all, Int32Array.of(1, 2, 3));
  const byIndex = { algorithm: 'by-index', predict: (_u: number, i: number) => i };
  const genres: Record<number, string[]> = { 0: ['War'], 1: ['War'], 2: ['Drama'], 3: ['Comedy', 'Drama'] };

  it('scores the lists of users with relevant test ratings, excluding what they rated in training', () => {
    // items by first-seen index: m0=0, m3=1, m1=2, m2=3 → a's top-2 excluding m0 is [3 (m2), 2 (m1)]
    const m = rankingMetrics(byIndex, train, test, { k: 2, relevantAt: 4, genresOf: (i) => genres[i] ?? [] });
    expect(m.users).toBe(1);
    expect(m.precision).toBeCloseTo(0.5, 10); // one hit (m1) of 2
    expect(m.recall).toBeCloseTo(0.5, 10); // of 2 relevant
    expect(m.ndcg).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 10); // hit at rank 2
    expect(m.coverage).toBeCloseTo(0.5, 10);
    expect(m.gini).toBeCloseTo(0.5, 10); // exposure [0, 0, 1, 1]
    expect(m.genresPerList).toBe(2); // Comedy, Drama (Drama counted once)
  });

  it('reports NaN genres per list when no genres are given', () => {
    expect(rankingMetrics(byIndex, train, test, { k: 2, relevantAt: 4 }).genresPerList).toBeNaN();
  });

  it('counts a user with any relevant item in the list as a hit (HR@k)', () => {
    expect(rankingMetrics(byIndex, train, test, { k: 2, relevantAt: 4 }).hitRate).toBe(1);
    const worst = { algorithm: 'worst', predict: (_u: number, i: number) => -i };
    // a's top-1 excluding m0 is m3 (index 1): relevant; with k = 1 and the reversed order it still is.
    expect(rankingMetrics(worst, train, test, { k: 1, relevantAt: 4 }).hitRate).toBe(1);
    expect(rankingMetrics(byIndex, train, test, { k: 1, relevantAt: 4 }).hitRate).toBe(0); // m2 only
  });

  it('judges only the users asked for and shows each judged list', () => {
    const lists: [number, number[]][] = [];
    const scorer = (_u: number, out: Float32Array) => out.set([0, 1, 2, 3]);
    const m = scorerRankingMetrics(scorer, train, test, {
      k: 2,
      relevantAt: 4,
      onList: (u, list, n) => lists.push([u, Array.from(list.subarray(0, n))]),
    });
    expect(m.users).toBe(1);
    expect(lists).toEqual([[0, [3, 2]]]);
    const none = scorerRankingMetrics(scorer, train, test, {
      k: 2,
      relevantAt: 4,
      includeUser: (u) => u !== 0,
    });
    expect(none.users).toBe(0);
  });
});
