import { describe, expect, it } from 'vitest';
import { parseMovielogLine } from '../../streams/movielog-parser.ts';
import { planCoursePlay } from './course-play.ts';
import type { Dataset, RatingRecord } from './dataset.ts';
import { generateSyntheticWorld } from './synthetic-world.ts';

/** MovieLens-like: half stars, no watches, ratings not in time order. */
function movielensLike(n: number): Dataset {
  const ratings: RatingRecord[] = Array.from({ length: n }, (_, k) => ({
    userId: String(1 + (k % 37)),
    movieId: `film+${k % 101}+1999`,
    rating: 0.5 + (k % 10) / 2,
    timestamp: 1_500_000_000 + ((k * 7_919) % n) * 3_600,
  }));
  return { name: 'movielens-like', users: [], movies: [], ratings, watches: [] };
}

describe('planCoursePlay', () => {
  it('plays the earliest 80 % of ratings, each after a few watch lines of its movie, and holds out the rest', () => {
    const dataset = movielensLike(2_000);
    const play = planCoursePlay(dataset, { malformedShare: 0 });
    expect(play.ratingsPlayed).toBe(1_600);
    expect(play.heldOut).toHaveLength(400);
    expect(play.heldOut.every((r) => r.timestamp >= play.cutoff)).toBe(true);
    const parsed = play.messages.map((m) => parseMovielogLine(m.value));
    const events = parsed.map((p) => (p.ok ? p.event : undefined));
    expect(events.every((e) => e !== undefined)).toBe(true);
    const times = events.map((e) => e?.at ?? NaN);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(events.filter((e) => e?.type === 'rate')).toHaveLength(1_600);
    // The line before each rating watches the same user's same movie.
    events.forEach((e, k) => {
      if (e?.type !== 'rate') return;
      const before = events.slice(0, k).filter((w) => w?.userId === e.userId && w.type === 'watch');
      expect(before.length).toBeGreaterThan(0);
      expect(before.some((w) => w?.type === 'watch' && w.movieId === e.movieId)).toBe(true);
    });
    const watches = events.filter((e) => e?.type === 'watch').length;
    expect(watches / 1_600).toBeGreaterThan(2);
    expect(watches / 1_600).toBeLessThan(3);
  });

  it('breaks about the asked share of lines, and only those fail to parse', () => {
    const play = planCoursePlay(movielensLike(5_000), { malformedShare: 0.015, seed: 2 });
    const rejected = play.messages.filter((m) => !parseMovielogLine(m.value).ok).length;
    expect(rejected).toBe(play.malformed);
    expect(play.malformed / play.messages.length).toBeGreaterThan(0.01);
    expect(play.malformed / play.messages.length).toBeLessThan(0.02);
    expect(play.delivered.ratings.length + play.delivered.watches.length + play.malformed).toBe(
      play.messages.length,
    );
  });

  it('takes the first ratings by time when limited, and plays a world’s own watches', () => {
    const world = generateSyntheticWorld({ users: 50, movies: 80, ratings: 1_000, seed: 3 });
    const play = planCoursePlay(world, { limit: 500, malformedShare: 0 });
    expect(play.ratingsInWindow).toBe(500);
    expect(play.ratingsPlayed).toBe(400);
    const earliest = [...world.ratings].map((r) => r.timestamp).sort((a, b) => a - b);
    expect(play.heldOut.at(-1)?.timestamp).toBe(earliest[499]);
    expect(play.delivered.watches.every((w) => world.watches.includes(w) && w.timestamp <= play.cutoff)).toBe(
      true,
    );
  });

  it('is deterministic for a seed', () => {
    const a = planCoursePlay(movielensLike(500), { seed: 5 });
    const b = planCoursePlay(movielensLike(500), { seed: 5 });
    expect(b.messages).toEqual(a.messages);
  });
});
