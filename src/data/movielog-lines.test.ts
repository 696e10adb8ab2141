import { describe, expect, it } from 'vitest';
import { parseMovielogLine } from '../../streams/movielog-parser.ts';
import type { Dataset } from './dataset.ts';
import { eventsInTimeOrder, formatCourseTime, formatMovielogLine, wholeStars } from './movielog-lines.ts';
import { generateSyntheticWorld } from './synthetic-world.ts';

describe('formatMovielogLine', () => {
  it('writes watch and rating lines in the course format', () => {
    const watch = { userId: '763687', movieId: 'men+in+black+1997', minute: 12, timestamp: 1640897528 };
    expect(formatMovielogLine({ kind: 'watch', record: watch })).toBe(
      '2021-12-30T20:52:08,763687,GET /data/m/men+in+black+1997/12.mpg',
    );
    const rating = { userId: '850894', movieId: 'showgirls+1995', rating: 3.5, timestamp: 1641264386 };
    expect(formatMovielogLine({ kind: 'rate', record: rating })).toBe(
      '2022-01-04T02:46:26,850894,GET /rate/showgirls+1995=4',
    );
  });

  it('rounds any rating into whole stars 1..5 and clamps bad times', () => {
    expect([0.5, 1, 2.5, 4.4, 5, 7, NaN].map(wholeStars)).toEqual([1, 1, 3, 4, 5, 5, 3]);
    expect(formatCourseTime(-5)).toBe('1970-01-01T00:00:00');
  });

  it('round-trips a synthetic world through the movielog parser', () => {
    const world = generateSyntheticWorld({ users: 30, movies: 60, ratings: 300, seed: 2 });
    let count = 0;
    for (const e of eventsInTimeOrder(world)) {
      const parsed = parseMovielogLine(formatMovielogLine(e));
      if (!parsed.ok) throw new Error(parsed.reason);
      expect(parsed.event).toMatchObject({
        type: e.kind,
        userId: e.record.userId,
        movieId: e.record.movieId,
      });
      expect(parsed.event.at).toBe(e.record.timestamp * 1000);
      count++;
    }
    expect(count).toBe(world.ratings.length + world.watches.length);
  });
});

describe('eventsInTimeOrder', () => {
  it('merges unsorted watches and ratings by time, watches first on ties', () => {
    const d: Dataset = {
      name: 't',
      users: [],
      movies: [],
      ratings: [
        { userId: '1', movieId: 'b', rating: 4, timestamp: 30 },
        { userId: '1', movieId: 'a', rating: 5, timestamp: 10 },
      ],
      watches: [
        { userId: '1', movieId: 'a', minute: 0, timestamp: 10 },
        { userId: '1', movieId: 'c', minute: 0, timestamp: 5 },
      ],
    };
    expect(
      [...eventsInTimeOrder(d)].map((e) => `${e.kind}:${e.record.movieId}@${e.record.timestamp}`),
    ).toEqual(['watch:c@5', 'watch:a@10', 'rate:a@10', 'rate:b@30']);
  });
});
