import { describe, expect, it } from 'vitest';
import { generateSyntheticWorld } from './synthetic-world.ts';
import { plantedScore } from './synthetic-tastes.ts';
import { demographicGroup } from './synthetic-users.ts';

const world = generateSyntheticWorld({ users: 1_000, movies: 1_500, ratings: 40_000, seed: 7 });

function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < n; k++) {
    const dx = (xs[k] ?? 0) - mx;
    const dy = (ys[k] ?? 0) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('generateSyntheticWorld', () => {
  it('generates the same world from the same seed and a different one from another seed', () => {
    const a = generateSyntheticWorld({ users: 50, movies: 80, ratings: 500, seed: 3 });
    const b = generateSyntheticWorld({ users: 50, movies: 80, ratings: 500, seed: 3 });
    const c = generateSyntheticWorld({ users: 50, movies: 80, ratings: 500, seed: 4 });
    expect(b.users).toEqual(a.users);
    expect(b.movies).toEqual(a.movies);
    expect(b.ratings).toEqual(a.ratings);
    expect(b.watches).toEqual(a.watches);
    expect(c.ratings).not.toEqual(a.ratings);
  });

  it('produces the requested sizes with unique movie ids and no repeated (user, movie) rating', () => {
    expect([world.users.length, world.movies.length, world.ratings.length]).toEqual([1_000, 1_500, 40_000]);
    expect(new Set(world.movies.map((m) => m.movieId)).size).toBe(1_500);
    expect(new Set(world.ratings.map((r) => `${r.userId} ${r.movieId}`)).size).toBe(40_000);
  });

  it('rates in whole stars 1-5, in time order, only known users and movies', () => {
    const users = new Set(world.users.map((u) => u.userId));
    const movies = new Set(world.movies.map((m) => m.movieId));
    expect(world.ratings.every((r) => Number.isInteger(r.rating) && r.rating >= 1 && r.rating <= 5)).toBe(
      true,
    );
    expect(
      world.ratings.every((r, k) => k === 0 || (world.ratings[k - 1]?.timestamp ?? 0) <= r.timestamp),
    ).toBe(true);
    expect(world.ratings.every((r) => users.has(r.userId) && movies.has(r.movieId))).toBe(true);
    expect(new Set(world.ratings.map((r) => r.rating)).size).toBe(5);
  });

  it('has minors and elders, ages 8-89, and occupations from the 1M vocabulary', () => {
    const ages = world.users.map((u) => u.age ?? -1);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...ages)).toBeLessThanOrEqual(89);
    const minors = ages.filter((a) => a < 18).length / ages.length;
    expect(minors).toBeGreaterThan(0.08);
    expect(minors).toBeLessThan(0.25);
    expect(world.users.filter((u) => (u.age ?? 0) < 13).every((u) => u.occupation !== 'retired')).toBe(true);
    expect(world.users.some((u) => u.occupation === 'K-12 student')).toBe(true);
  });

  it('certifies children movies mild and horror harsh, and flags adult titles rarely, always NC-17', () => {
    const share = (genre: string, certs: string[]): number => {
      const ms = world.movies.filter((m) => m.genres.includes(genre) && !m.adult);
      return ms.filter((m) => certs.includes(m.certification ?? '')).length / ms.length;
    };
    expect(share('Children', ['G', 'PG'])).toBeGreaterThan(0.8);
    expect(share('Horror', ['R', 'NC-17'])).toBeGreaterThan(0.5);
    const certs = new Set(world.movies.map((m) => m.certification));
    expect([...certs].sort()).toEqual(['G', 'NC-17', 'PG', 'PG-13', 'R']);
    const adult = world.movies.filter((m) => m.adult);
    expect(adult.length / world.movies.length).toBeLessThan(0.02);
    expect(adult.every((m) => m.certification === 'NC-17')).toBe(true);
  });

  it('never lets minors rate or watch R, NC-17 or adult titles', () => {
    const minors = new Set(world.users.filter((u) => (u.age ?? 99) < 18).map((u) => u.userId));
    const harsh = new Set(
      world.movies
        .filter((m) => m.adult || m.certification === 'R' || m.certification === 'NC-17')
        .map((m) => m.movieId),
    );
    const events = [...world.ratings, ...world.watches];
    expect(events.filter((e) => minors.has(e.userId)).length).toBeGreaterThan(0);
    expect(events.some((e) => minors.has(e.userId) && harsh.has(e.movieId))).toBe(false);
  });

  it('has a long tail: the top tenth of movies takes a large share of ratings, the median movie well under the mean', () => {
    const counts = new Map<string, number>();
    for (const r of world.ratings) counts.set(r.movieId, (counts.get(r.movieId) ?? 0) + 1);
    const sorted = world.movies.map((m) => counts.get(m.movieId) ?? 0).sort((a, b) => b - a);
    const top = sorted.slice(0, 150).reduce((a, b) => a + b, 0);
    expect(top / world.ratings.length).toBeGreaterThan(0.4);
    expect(sorted[750] ?? 0).toBeLessThan((0.6 * world.ratings.length) / world.movies.length);
  });

  it('draws ratings that correlate with the planted tastes', () => {
    const userIndex = new Map(world.users.map((u, k) => [u.userId, k]));
    const movieIndex = new Map(world.movies.map((m, k) => [m.movieId, k]));
    const planted = world.ratings.map((r) =>
      plantedScore(world.tastes, userIndex.get(r.userId) ?? 0, movieIndex.get(r.movieId) ?? 0),
    );
    expect(
      pearson(
        planted,
        world.ratings.map((r) => r.rating),
      ),
    ).toBeGreaterThan(0.6);
  });

  it('gives users of one demographic group more alike tastes than users of different groups', () => {
    const k = world.tastes.factors;
    const f = world.tastes.userFactors;
    const cosine = (a: number, b: number): number => {
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let j = 0; j < k; j++) {
        const x = f[a * k + j] ?? 0;
        const y = f[b * k + j] ?? 0;
        ab += x * y;
        aa += x * x;
        bb += y * y;
      }
      return ab / Math.sqrt(aa * bb);
    };
    const groups = world.users.map(demographicGroup);
    let same = 0;
    let sameN = 0;
    let other = 0;
    let otherN = 0;
    for (let a = 0; a < 300; a++) {
      for (let b = a + 1; b < 300; b++) {
        if (groups[a] === groups[b]) [same, sameN] = [same + cosine(a, b), sameN + 1];
        else [other, otherN] = [other + cosine(a, b), otherN + 1];
      }
    }
    expect(same / sameN).toBeGreaterThan(0.2);
    expect(same / sameN - other / otherN).toBeGreaterThan(0.15);
  });

  it('logs a watch session, minute 0 first, before every rating', () => {
    const firstWatch = new Map<string, number>();
    expect(world.watches.every((w) => Number.isInteger(w.minute) && w.minute >= 0)).toBe(true);
    for (const w of world.watches) {
      const key = `${w.userId} ${w.movieId}`;
      if (w.minute === 0 && !firstWatch.has(key)) firstWatch.set(key, w.timestamp);
    }
    expect(
      world.ratings.every((r) => (firstWatch.get(`${r.userId} ${r.movieId}`) ?? Infinity) < r.timestamp),
    ).toBe(true);
    expect(world.watches.length).toBeGreaterThan(world.ratings.length);
    expect(world.watches.length).toBeLessThan(world.ratings.length * 4);
  });
});
