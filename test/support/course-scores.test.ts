import { describe, expect, it } from 'vitest';
import type { RatingRecord } from '../../src/data/dataset.ts';
import {
  decayedPopularityRanking,
  globalPopularity,
  heldOutFavourites,
  pairedRatioInterval,
  quantile,
  relevantSets,
  scoreLists,
  seenSets,
  summariseServed,
  topUnseen,
  userScores,
} from './course-scores.ts';
import { wellFormedList, type RecommendAnswer } from './recommend-calls.ts';

const DAY = 86_400;
const rating = (userId: string, movieId: string, stars: number, day: number): RatingRecord => ({
  userId,
  movieId,
  rating: stars,
  timestamp: day * DAY,
});
const answer = (userId: string, ids: string[], extra: Partial<RecommendAnswer> = {}): RecommendAnswer => ({
  userId,
  status: 200,
  body: ids.join(','),
  ids,
  ms: 5,
  timedOut: false,
  valid: true,
  modelVersion: '1',
  userVectorVersion: null,
  error: null,
  ...extra,
});

describe('the course check’s scores', () => {
  it('ranks by count, and by recency with a half-life, ties by id', () => {
    const played = [
      rating('1', 'old', 5, 0),
      rating('2', 'old', 5, 0),
      rating('3', 'old', 5, 0),
      rating('1', 'new', 5, 100),
      rating('2', 'new', 5, 100),
      rating('1', 'b', 5, 50),
      rating('1', 'a', 5, 50),
    ];
    expect(globalPopularity(played)).toEqual(['old', 'new', 'a', 'b']);
    // 30-day half-life at day 100: old = 3·2^(−100/30) ≈ 0.30; new = 2.
    expect(decayedPopularityRanking(played, 100 * DAY, 30)).toEqual(['new', 'a', 'b', 'old']);
  });

  it('ranks the held-out favourites by ratings at or above the relevance bar only', () => {
    const heldOut = [
      rating('1', 'liked', 4, 200),
      rating('2', 'liked', 5, 200),
      rating('1', 'watched', 3, 200),
      rating('2', 'watched', 3, 200),
      rating('3', 'watched', 3.5, 200),
      rating('3', 'once', 4.5, 200),
    ];
    expect(heldOutFavourites(heldOut, 4)).toEqual(['liked', 'once']);
  });

  it('scores lists by hits: precision over k, recall over what was relevant, hit rate over users', () => {
    const relevant = relevantSets(
      [rating('1', 'x', 4, 1), rating('1', 'y', 5, 1), rating('2', 'z', 3.5, 1)],
      4,
    );
    expect([...relevant.keys()]).toEqual(['1']); // user 2 has nothing relevant: not judged
    const lists: Record<string, string[]> = { '1': ['x', 'q'], '2': ['z'] };
    expect(scoreLists(['1', '2'], (u) => lists[u] ?? [], relevant, 20)).toEqual({
      users: 1,
      hitRate: 1,
      precision: 1 / 20,
      recall: 1 / 2,
    });
  });

  it('skips what a user has seen when building a popularity list', () => {
    const seen = seenSets([rating('1', 'a', 4, 1)], [{ userId: '1', movieId: 'c', minute: 0, timestamp: 0 }]);
    expect(topUnseen(['a', 'b', 'c', 'd'], seen.get('1'), 2)).toEqual(['b', 'd']);
    expect(topUnseen(['a', 'b'], seen.get('2'), 5)).toEqual(['a', 'b']);
  });

  it('counts seen titles, adult titles to minors and ten-genre lists', () => {
    const summary = summariseServed(
      [
        answer('1', ['a', 'x'], { userVectorVersion: '1' }),
        answer('2', ['x', 'g0', 'g1'], { ms: 50 }),
        answer('3', [], { status: 0, valid: false, timedOut: true, ms: 600 }),
      ],
      {
        seen: seenSets([rating('1', 'a', 4, 1)], []),
        ageOf: (u) => (u === '2' ? 12 : 30),
        isAdult: (m) => m === 'x',
        genresOf: (m) =>
          m === 'g0' ? ['1', '2', '3', '4', '5'] : m === 'g1' ? ['6', '7', '8', '9', '10'] : [],
      },
    );
    expect(summary).toMatchObject({
      calls: 3,
      valid: 2,
      timedOut: 1,
      personalized: 1,
      seenSlots: 1,
      seenUsers: 1,
      minors: 1,
      adultToMinorSlots: 1,
      adultToMinorUsers: 1,
      lists: 2,
      tenGenreLists: 1,
      p50Ms: 5,
      maxMs: 50,
    });
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
  });

  it('accepts only course-shaped answers', () => {
    expect(wellFormedList('')).toBe(true);
    expect(wellFormedList('a+1999,b+2000')).toBe(true);
    expect(wellFormedList('a+1999, b+2000')).toBe(false);
    expect(wellFormedList('a,a')).toBe(false);
    expect(wellFormedList('a,b\n')).toBe(false);
    expect(wellFormedList(Array.from({ length: 21 }, (_, k) => `m${k}`).join(','))).toBe(false);
  });

  it('scores each judged user apart, and bounds a ratio of means by a paired bootstrap', () => {
    const relevant = relevantSets(
      [rating('u1', 'a', 5, 1), rating('u2', 'b', 4, 1), rating('u3', 'c', 2, 1)],
      4,
    );
    const per = userScores(['u1', 'u2', 'u3'], (id) => (id === 'u1' ? ['a', 'x'] : ['y']), relevant, 2);
    expect(per).toEqual([
      { userId: 'u1', hit: 1, precision: 0.5, recall: 1 },
      { userId: 'u2', hit: 0, precision: 0, recall: 0 },
    ]);
    // Every pair in the same proportion: every resample has that ratio.
    const b = [0.1, 0.2, 0.05, 0.3, 0.15];
    expect(
      pairedRatioInterval(
        b.map((x) => 2 * x),
        b,
      ),
    ).toEqual({ low: 2, high: 2 });
    // Noisy pairs: the interval holds the sample's ratio, is reproducible, and narrows with more users.
    const few = Array.from({ length: 20 }, (_, k) => ((k * 7) % 10) / 20);
    const more = Array.from({ length: 400 }, (_, k) => ((k * 7) % 10) / 20);
    const shifted = (xs: number[]) => xs.map((x, k) => x * (k % 2 === 0 ? 1.5 : 1));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const small = pairedRatioInterval(shifted(few), few);
    expect(small.low).toBeLessThan(mean(shifted(few)) / mean(few));
    expect(small.high).toBeGreaterThan(mean(shifted(few)) / mean(few));
    expect(pairedRatioInterval(shifted(few), few)).toEqual(small);
    const large = pairedRatioInterval(shifted(more), more);
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(() => pairedRatioInterval([1], [1, 2])).toThrow(RangeError);
  });
});
