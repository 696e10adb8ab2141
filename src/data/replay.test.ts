import { describe, expect, it } from 'vitest';
import { parseMovielogLine } from '../../streams/movielog-parser.ts';
import { createRandom } from '../model/random.ts';
import { courseStars, courseTime, rateLine, watchLine } from './course-lines.ts';
import { corruptLine, corruptions } from './malformed-lines.ts';
import { buildReplay } from './replay.ts';
import { generateSyntheticWorld } from './synthetic-world.ts';

describe('course lines', () => {
  it('writes lines the movielog parser reads back to the same event', () => {
    const rate = parseMovielogLine(rateLine(1_700_000_000, '42', 'toy+story+1995', 4));
    expect(rate).toEqual({
      ok: true,
      event: {
        type: 'rate',
        userId: '42',
        movieId: 'toy+story+1995',
        rating: 4,
        at: 1_700_000_000_000,
        source: 'movielog',
      },
    });
    const watch = parseMovielogLine(watchLine(1_700_000_000, '42', 'monsters_+inc.+2001', 17));
    expect(watch).toEqual({
      ok: true,
      event: {
        type: 'watch',
        userId: '42',
        movieId: 'monsters_+inc.+2001',
        minute: 17,
        at: 1_700_000_000_000,
      },
    });
  });

  it('rounds half stars up and keeps ratings within 1..5', () => {
    expect([0.5, 1, 2.5, 3.4, 4.5, 5].map(courseStars)).toEqual([1, 1, 3, 3, 5, 5]);
  });

  it('formats times like the course: no fraction, no zone', () => {
    expect(courseTime(0)).toBe('1970-01-01T00:00:00');
  });
});

describe('corruptLine', () => {
  it('produces only lines the parser rejects, of every kind', () => {
    const random = createRandom(7);
    const seen = new Set<string>();
    for (let n = 0; n < 600; n++) {
      const { value, corruption } = corruptLine(
        rateLine(1_700_000_000 + n, String(n), 'heat+1995', 1 + (n % 5)),
        random,
      );
      seen.add(corruption);
      expect(parseMovielogLine(value).ok, `${corruption}: ${value.toString()}`).toBe(false);
    }
    expect([...seen].sort()).toEqual([...corruptions].sort());
  });
});

describe('buildReplay', () => {
  const world = generateSyntheticWorld({ users: 50, movies: 80, ratings: 1_000, seed: 3 });

  it('replays every rating and watch in time order, keyed by user', () => {
    const messages = buildReplay(world);
    expect(messages).toHaveLength(world.ratings.length + world.watches.length);
    const events = messages.map((m) => parseMovielogLine(m.value));
    const times = events.map((e) => (e.ok ? e.event.at : NaN));
    expect(times.every((t, k) => k === 0 || t >= (times[k - 1] ?? 0))).toBe(true);
    expect(events.filter((e) => e.ok && e.event.type === 'rate')).toHaveLength(world.ratings.length);
    for (const [k, m] of messages.entries()) {
      const e = events[k];
      expect(e?.ok && e.event.userId).toBe(m.key);
    }
  });

  it('corrupts about the requested share, deterministically, and honours the limit', () => {
    const a = buildReplay(world, { limit: 2_000, malformedShare: 0.1, seed: 5 });
    const b = buildReplay(world, { limit: 2_000, malformedShare: 0.1, seed: 5 });
    expect(a).toHaveLength(2_000);
    expect(a).toEqual(b);
    const broken = a.filter((m) => m.corruption !== undefined).length;
    expect(broken).toBeGreaterThan(140);
    expect(broken).toBeLessThan(260);
    expect(a.filter((m) => parseMovielogLine(m.value).ok)).toHaveLength(2_000 - broken);
  });

  it('refuses a share outside 0..1', () => {
    expect(() => buildReplay(world, { malformedShare: 1.5 })).toThrow(/within 0..1/);
  });
});
