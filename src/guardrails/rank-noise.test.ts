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

  it('keeps the diversity guarantee: a draw reaches 10 genres when its candidates have them, and draws only candidates', () => {
    // A diversified 60 as serving ranks it: the first 10 titles bring 10 genres, the other 50 are all Drama.
    const diversified = Array.from({ length: 60 }, (_, k) => ({
      movieId: `m${k}`,
      movie: { genres: k < 10 ? [`g${k}`] : ['Drama'] },
    }));
    const genres = (list: readonly { movie: { genres: readonly string[] } }[]) =>
      new Set(list.flatMap((i) => i.movie.genres)).size;
    const noisy = { scale: 30, depth: 3 };
    let short = 0;
    for (let u = 0; u < 200; u++) {
      const list = noisyRanking('secret-1', String(u), diversified, 20, noisy, 10);
      expect(list).toHaveLength(20);
      expect(new Set(list.map((i) => i.movieId)).size).toBe(20);
      for (const item of list) expect(diversified).toContain(item);
      expect(genres(list)).toBeGreaterThanOrEqual(10);
      if (genres(noisyRanking('secret-1', String(u), diversified, 20, noisy)) < 10) short++;
    }
    // Without the forced slots most draws would fall short.
    expect(short).toBeGreaterThan(100);
  });

  it('asks for depth times the list, within the candidate pool', () => {
    expect(rankNoiseDepth(20, on)).toBe(80);
    expect(rankNoiseDepth(100, on)).toBe(200);
  });
});
