import { describe, expect, it } from 'vitest';
import { generateSyntheticWorld } from '../../../src/data/synthetic-world.ts';
import { BLEND_DEFAULTS } from '../../../src/model/ranking/blend.ts';
import { decayedPopularity } from '../../../src/model/ranking/popularity.ts';
import { appendRatings, splitWorld } from './split-world.ts';
import { streamPopularity } from './stream-pass.ts';

const world = generateSyntheticWorld({ users: 300, movies: 600, ratings: 15_000, seed: 5 });
const DAY_MS = 86_400_000;

describe("the victim's popularity", () => {
  const { train } = splitWorld(world, 5);
  const now = train.times[train.times.length - 1] as number;
  const halfLife = BLEND_DEFAULTS.halfLifeDays * DAY_MS;

  it('is what the movie actors put on the board: every rating when the cap does not bind', () => {
    const stream = streamPopularity(train, Infinity, now);
    const direct = decayedPopularity(
      train.items,
      train.times,
      now,
      halfLife,
      new Float32Array(stream.length),
    );
    for (let i = 0; i < stream.length; i++) expect(stream[i]).toBeCloseTo(direct[i] as number, 4);
  });

  it('leaves out every rating over the daily cap', () => {
    const day = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
    const flood = Array.from({ length: 8 }, (_, u) => ({ user: u, item: 0, rating: 5, at: day + u }));
    const flooded = appendRatings(train, flood);
    const before = streamPopularity(train, 2, day)[0] as number;
    expect(streamPopularity(flooded, 2, day)[0]).toBeCloseTo(before + 2, 4);
    expect(streamPopularity(flooded, Infinity, day)[0]).toBeCloseTo(before + 8, 4);
  });
});
