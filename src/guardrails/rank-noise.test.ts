import { describe, expect, it } from 'vitest';
import { noisyRanking, RANK_NOISE_OFF, rankNoiseDepth } from './rank-noise.ts';

const ranked = Array.from({ length: 80 }, (_, k) => ({ movieId: `m${k}` }));
const on = { scale: 50, depth: 4 };

describe('rank noise', () => {
  it('serves the exact head of the ranking when off, and asks for no more candidates', () => {
    expect(noisyRanking('secret-1', '42', ranked, 20, RANK_NOISE_OFF)).toEqual(ranked.slice(0, 20));
    expect(rankNoiseDepth(20, RANK_NOISE_OFF)).toBe(20);
  });

  it('draws the same list for repeated queries of one user, so averaging cannot undo it', () => {
    const first = noisyRanking('secret-1', '42', ranked, 20, on).map((i) => i.movieId);
    for (let k = 0; k < 5; k++)
      expect(noisyRanking('secret-1', '42', ranked, 20, on).map((i) => i.movieId)).toEqual(first);
    expect(new Set(first).size).toBe(20);
  });

  it('draws from deeper in the ranking, differently for another user or secret', () => {
    const a = noisyRanking('secret-1', '42', ranked, 20, on).map((i) => i.movieId);
    const b = noisyRanking('secret-1', '43', ranked, 20, on).map((i) => i.movieId);
    const c = noisyRanking('secret-2', '42', ranked, 20, on).map((i) => i.movieId);
    const head = new Set(ranked.slice(0, 20).map((i) => i.movieId));
    expect(a.filter((id) => head.has(id)).length).toBeLessThan(15);
    expect(b).not.toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('asks for depth times the list, within the candidate pool', () => {
    expect(rankNoiseDepth(20, on)).toBe(80);
    expect(rankNoiseDepth(100, on)).toBe(200);
  });
});
