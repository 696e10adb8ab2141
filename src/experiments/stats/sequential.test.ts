import { describe, expect, it } from 'vitest';
import { analyseMetric, perRatingTest, verdictOf } from './analyse.ts';
import { sequentialLook, sequentialRho } from './sequential.ts';
import { simulate, SIMULATION_DEFAULTS } from './simulate.ts';
import { unitSumsOf } from './units.ts';

describe('the sequential test', () => {
  it("reproduces GrowthBook's ρ and always-valid p (α = 0.05, N* = 5000; Δ = 0.03, SE = 0.01, N = 4000)", () => {
    expect(sequentialRho(0.05, 5000)).toBeCloseTo(0.03984006677137368, 14);
    expect(sequentialLook(0.03, 0.01, 4000, 0.05, 5000).p).toBeCloseTo(0.055554625404728, 12);
  });

  it('is wider than the fixed-horizon interval (≈ 1.55 × at N = N*), and its p is never below the fixed one', () => {
    const look = sequentialLook(0.03, 0.01, 5000, 0.05, 5000);
    expect((look.ci[1] - look.ci[0]) / (2 * 1.959963984540054 * 0.01)).toBeCloseTo(1.55, 2);
    expect(look.p).toBeGreaterThan(0.0026);
  });

  it('keeps the false-positive rate of 30 looks at one A/A test below α, where the repeated t test does not', () => {
    const runs = simulate({ ...SIMULATION_DEFAULTS, runs: 200, looks: 30, usersPerLook: 20, seed: 11 });
    const rate = (hit: (r: (typeof runs)[number]) => boolean) => runs.filter(hit).length / runs.length;
    expect(rate((r) => r.sequentialLook > 0)).toBeLessThanOrEqual(0.05);
    expect(rate((r) => r.naiveUserLook > 0)).toBeGreaterThan(0.12);
    // The seed's per-rating test is wrong even read once: its SE ignores that a user's ratings are alike.
    expect(rate((r) => r.fixedPerRatingRejects)).toBeGreaterThan(0.3);
  });
});

describe('analyseMetric', () => {
  it('treats users, not ratings, as the units: a heavy user weighs once in the per-user mean', () => {
    const a = unitSumsOf([
      [1, 1],
      [2, 2],
      [300, 100],
    ]);
    const b = unitSumsOf([
      [1, 1],
      [2, 2],
      [3, 1],
    ]);
    const r = analyseMetric(a, b, { alpha: 0.05, tuning: 6 });
    expect(r.arms[0].userMean).toBeCloseTo((1 + 1 + 3) / 3, 12);
    expect(r.arms[0].ratio).toBeCloseTo(303 / 103, 12);
    expect(r.arms[1].users).toBe(3);
    expect(r.perUser.diff).toBeCloseTo((1 + 1 + 3) / 3 - (1 + 1 + 3) / 3, 12);
  });

  it('gives the delta-method SE of a plain mean when every denominator is 1', () => {
    const xs = [1, 4, 2, 8, 5, 7];
    const r = analyseMetric(unitSumsOf(xs.map((x) => [x, 1])), unitSumsOf(xs.map((x) => [x, 1])), {
      alpha: 0.05,
      tuning: 12,
    });
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
    expect(r.arms[0].ratioSe).toBeCloseTo(Math.sqrt(variance / xs.length), 12);
  });

  it('computes the per-rating test from count, Σe² and Σe⁴', () => {
    const ea = [0.5, -1, 1.5, 0.2];
    const eb = [0.1, -0.3, 0.4, 0.2, 0.1];
    const sums = (e: number[]) => ({
      n: e.length,
      se: e.reduce((s, x) => s + x * x, 0),
      se2: e.reduce((s, x) => s + x ** 4, 0),
    });
    const sq = (e: number[]) => e.map((x) => x * x);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const r = perRatingTest(sums(ea), sums(eb), 0.05);
    expect(r.diff).toBeCloseTo(mean(sq(eb)) - mean(sq(ea)), 12);
  });
});

describe('verdictOf', () => {
  const decisive = { p: 0.01, ci: [-0.2, -0.1] as const };
  it('names the arm with the lower error once the always-valid p is below α', () => {
    expect(verdictOf(decisive, -0.15, 1, 0.05, true, false)).toBe('b-better');
    expect(verdictOf(decisive, 0.15, 1, 0.05, true, false)).toBe('a-better');
    expect(verdictOf(decisive, 0.15, 1, 0.05, false, false)).toBe('b-better');
  });
  it('keeps going above α and refuses any verdict while the split is off (SRM)', () => {
    expect(verdictOf({ p: 0.2, ci: [-1, 1] }, -0.1, 0.3, 0.05, true, false)).toBe('continue');
    expect(verdictOf(decisive, -0.15, 1, 0.05, true, true)).toBe('srm');
  });
});
