import { describe, expect, it } from 'vitest';
import type { Recommendation } from '../../serving/recommender.ts';
import { servedList, type RecommendDeps } from './course-recommend.ts';

const asked: number[] = [];
const deps = (rankNoise?: RecommendDeps['rankNoise'], now = 0): RecommendDeps => ({
  now: () => now,
  recommend: async (userId, limit): Promise<Recommendation> => {
    asked.push(limit);
    return {
      items: Array.from({ length: limit }, (_, k) => ({
        movieId: `m${k}`,
        score: 5 - k / 100,
        reasons: ['score'],
      })),
      // Ids from 900 on are users nobody knows: their list is the cold blend, the same for all.
      source: userId === '0' ? 'fallback' : Number(userId) >= 900 ? 'cold' : 'personal',
      modelVersion: 'v1',
      arm: 'a',
    };
  },
  served: { record: () => undefined },
  ...(rankNoise && { rankNoise }),
});
const ids = (r: Recommendation) => r.items.map((i) => i.movieId);

describe('the list both recommendation routes serve', () => {
  it('is the exact ranking without rank noise', async () => {
    asked.length = 0;
    const list = await servedList(deps(), '42', 20);
    expect(ids(list)).toEqual(Array.from({ length: 20 }, (_, k) => `m${k}`));
    expect(asked).toEqual([20]);
  });

  it('is a draw from RANK_NOISE_DEPTH times deeper with rank noise, the same on every query', async () => {
    asked.length = 0;
    const noisy = deps({ secret: 'noise-secret-for-tests', options: { scale: 50, depth: 4 } });
    const first = ids(await servedList(noisy, '42', 20));
    expect(asked).toEqual([80]);
    expect(first).toHaveLength(20);
    expect(first.some((id) => Number(id.slice(1)) >= 20)).toBe(true);
    expect(ids(await servedList(noisy, '42', 20))).toEqual(first);
    expect(ids(await servedList(noisy, '43', 20))).not.toEqual(first);
  });

  it('draws every unknown account the same noisy cold list on a day, so voting over accounts recovers nothing', async () => {
    const options = { secret: 'noise-secret-for-tests', options: { scale: 50, depth: 4 } };
    const day = 86_400_000;
    const today = deps(options, 20 * day + 5);
    const cold = ids(await servedList(today, '900', 20));
    expect(cold.some((id) => Number(id.slice(1)) >= 20)).toBe(true);
    for (const other of ['901', '902', '99999'])
      expect(ids(await servedList(today, other, 20))).toEqual(cold);
    expect(ids(await servedList(deps(options, 20 * day + 80_000_000), '903', 20))).toEqual(cold);
    expect(ids(await servedList(deps(options, 21 * day), '900', 20))).not.toEqual(cold);
    // A personal list keeps its own noise, which differs from the cold list's; the fallback (no
    // model made it) is served as it is.
    expect(ids(await servedList(today, '42', 20))).not.toEqual(cold);
    expect(ids(await servedList(today, '0', 20))).toEqual(Array.from({ length: 20 }, (_, k) => `m${k}`));
  });
});
