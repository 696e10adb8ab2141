import { describe, expect, it } from 'vitest';
import { bumpPopularity, newMovieState, popularityScore } from '../../../actors/movie/movie-actor.ts';
import { STREAM_MODEL_DEFAULTS } from '../../../actors/model-options.ts';
import {
  boardWeight,
  bumpDecayed,
  countFromBoard,
  countPopularity,
  decayTo,
  decayedPopularity,
  popularityFromBoardScore,
  takeUpBoardWeight,
  takeUpWeight,
  type DecayedCount,
} from './popularity.ts';

const DAY = 86_400;

describe('decayTo', () => {
  it('halves a count per half-life forward and doubles it per half-life back', () => {
    expect(decayTo(8, 0, 10, 10)).toBe(4);
    expect(decayTo(8, 0, 30, 10)).toBe(1);
    expect(decayTo(8, 10, 0, 10)).toBe(16);
    expect(decayTo(8, 5, 5, 10)).toBe(8);
  });
});

describe('bumpDecayed', () => {
  it('decays the running count to the new event and adds one', () => {
    let c: DecayedCount = { value: 0, at: 0 };
    c = bumpDecayed(c, 100, 10);
    expect(c).toEqual({ value: 1, at: 100 });
    c = bumpDecayed(c, 110, 10); // 1 · ½ + 1
    expect(c).toEqual({ value: 1.5, at: 110 });
    c = bumpDecayed(c, 130, 10); // 1.5 · ¼ + 1
    expect(c).toEqual({ value: 1.375, at: 130 });
  });

  it('adds an out-of-order event already decayed, keeping the latest time', () => {
    const c = bumpDecayed({ value: 1, at: 20 }, 10, 10);
    expect(c).toEqual({ value: 1.5, at: 20 });
  });

  it('keeps the same numbers as the movie actor, in and out of order', () => {
    const halfLifeMs = 7 * DAY * 1000;
    const options = { ...STREAM_MODEL_DEFAULTS, popularityHalfLifeMs: halfLifeMs };
    const times = [0, 3, 1, 9, 30, 30, 12, 45].map((d) => d * DAY * 1000);
    let actor = newMovieState('m', options);
    let ours: DecayedCount = { value: 0, at: 0 };
    for (const at of times) {
      actor = bumpPopularity(actor, at, options);
      ours = bumpDecayed(ours, at, halfLifeMs);
      expect(ours.value).toBeCloseTo(actor.popularity, 12);
      expect(ours.at).toBe(actor.popularityAt);
    }
  });
});

describe('decayedPopularity', () => {
  it('equals replaying the events through bumpDecayed and decaying to the cut-off', () => {
    const items = Int32Array.of(0, 1, 0, 0, 2, 1);
    const timestamps = Float64Array.of(0, 5 * DAY, 10 * DAY, 3 * DAY, 20 * DAY, 19 * DAY);
    const asOf = 30 * DAY;
    const halfLife = 7 * DAY;
    const out = decayedPopularity(items, timestamps, asOf, halfLife, new Float32Array(4));
    for (let i = 0; i < 4; i++) {
      let c: DecayedCount = { value: 0, at: 0 };
      for (let k = 0; k < items.length; k++)
        if (items[k] === i) c = bumpDecayed(c, timestamps[k] as number, halfLife);
      expect(out[i]).toBeCloseTo(decayTo(c.value, c.at, asOf, halfLife), 6);
    }
    expect(out[3]).toBe(0);
  });

  it('counts an event at the cut-off as 1 and one a half-life earlier as ½, and ignores later ones', () => {
    const out = decayedPopularity(
      Int32Array.of(0, 0, 0),
      Float64Array.of(100, 90, 101),
      100,
      10,
      new Float32Array(1),
    );
    expect(out[0]).toBeCloseTo(1.5, 6);
  });

  it('rejects a half-life that is not positive', () => {
    expect(() => decayedPopularity(Int32Array.of(0), Float64Array.of(0), 0, 0, new Float32Array(1))).toThrow(
      RangeError,
    );
  });
});

describe('countPopularity', () => {
  it('counts events per item and ignores indices outside the catalogue', () => {
    expect(Array.from(countPopularity(Int32Array.of(2, 0, 2, 5, -1), new Float32Array(3)))).toEqual([
      1, 0, 2,
    ]);
  });
});

describe('popularityFromBoardScore', () => {
  it("turns the stream leaderboard's score back into the popularity as of any time", () => {
    const halfLifeMs = 7 * DAY * 1000;
    const options = { ...STREAM_MODEL_DEFAULTS, popularityHalfLifeMs: halfLifeMs };
    let s = newMovieState('m', options);
    for (const d of [0, 2, 5]) s = bumpPopularity(s, d * DAY * 1000, options);
    const now = 12 * DAY * 1000;
    expect(popularityFromBoardScore(popularityScore(s, options), now, halfLifeMs)).toBeCloseTo(
      decayTo(s.popularity, s.popularityAt, now, halfLifeMs),
      10,
    );
  });
});

describe('growing-weight boards', () => {
  it('sum to the decayed count as of any later time, and order members as the decayed counts do', () => {
    const h = 365 * 86_400_000;
    const t0 = Date.UTC(2024, 5, 1);
    const events = [t0, t0 + 86_400_000, t0 + 40 * 86_400_000];
    const score = events.reduce((s, t) => s + boardWeight(t, h), 0);
    const now = t0 + 100 * 86_400_000;
    const decayed = events.reduce((s, t) => s + 2 ** (-(now - t) / h), 0);
    expect(countFromBoard(score, now, h)).toBeCloseTo(decayed, 12);
    // One recent event outweighs one old one, as a decayed counter would say.
    expect(boardWeight(t0 + 10, h)).toBeGreaterThan(boardWeight(t0, h));
  });
});

describe('the served take-up weight', () => {
  it('weighs a take-up of a title the user was just served by the weight, an organic one by 1', () => {
    expect(takeUpWeight(false, 0.25)).toBe(1);
    expect(takeUpWeight(true, 0.25)).toBe(0.25);
    expect(takeUpWeight(true, 0)).toBe(0);
    expect(takeUpWeight(true, 1)).toBe(1);
  });

  it('scales what a take-up adds to a growing-weight board, so the board reads served take-ups at that weight', () => {
    const h = 365 * 86_400_000;
    const options = { popularityHalfLifeMs: h, servedPopularityWeight: 0.3 };
    const t0 = Date.UTC(2024, 5, 1);
    expect(takeUpBoardWeight(t0, false, options)).toBe(boardWeight(t0, h));
    expect(takeUpBoardWeight(t0, true, options)).toBeCloseTo(0.3 * boardWeight(t0, h), 15);
    // Two organic take-ups and three served ones, read a day later: 2 + 3 × 0.3 decayed counts.
    const score = 2 * takeUpBoardWeight(t0, false, options) + 3 * takeUpBoardWeight(t0, true, options);
    expect(countFromBoard(score, t0 + 86_400_000, h)).toBeCloseTo(2.9 * 2 ** (-86_400_000 / h), 12);
  });

  it('refuses a weight outside [0, 1] rather than inflate or subtract popularity', () => {
    for (const bad of [-0.1, 1.5, NaN, Infinity])
      expect(() => takeUpWeight(true, bad)).toThrow(/served take-up weight must be in \[0, 1\]/);
  });
});
