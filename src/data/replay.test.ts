import { describe, expect, it } from 'vitest';
import { parseMovielogLine } from '../../streams/movielog-parser.ts';
import { createRandom } from '../lib/random.ts';
import { corruptLine, corruptions } from './malformed-lines.ts';
import { formatMovielogLine } from './movielog-lines.ts';
import { buildReplay } from './replay.ts';
import { generateSyntheticWorld } from './synthetic-world.ts';

describe('corruptLine', () => {
  it('produces only lines the parser rejects, of every kind', () => {
    const random = createRandom(7);
    const seen = new Set<string>();
    for (let n = 0; n < 600; n++) {
      const { value, corruption } = corruptLine(
        formatMovielogLine({
          kind: 'rate',
          record: {
            timestamp: 1_700_000_000 + n,
            userId: String(n),
            movieId: 'heat+1995',
            rating: 1 + (n % 5),
          },
        }),
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
