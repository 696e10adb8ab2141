import { describe, expect, it } from 'vitest';
import { fillNormalZiggurat, fillNormalZigguratFrom } from './fill-normal-ziggurat.ts';
import { createRandom } from './random.ts';

describe('fillNormalZiggurat', () => {
  const n = 400_000;
  const out = new Float32Array(n);
  fillNormalZiggurat(out, createRandom(11), 0, 1);

  it('draws mean 0 and variance 1', () => {
    let s = 0;
    let sq = 0;
    for (const z of out) {
      s += z;
      sq += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(sq / n).toBeCloseTo(1, 1);
  });

  it('matches the normal tail probabilities, including beyond the base layer (|z| > 3.44)', () => {
    const share = (t: number): number => out.filter((z) => Math.abs(z) > t).length / n;
    expect(share(1)).toBeCloseTo(0.3173, 2);
    expect(share(2)).toBeCloseTo(0.0455, 2);
    expect(share(3)).toBeGreaterThan(0.0027 * 0.8);
    expect(share(3)).toBeLessThan(0.0027 * 1.2);
    expect(share(3.5)).toBeGreaterThan(0.000465 * 0.6);
    expect(share(3.5)).toBeLessThan(0.000465 * 1.4);
  });

  it('is symmetric and honours mean and standard deviation', () => {
    expect(out.filter((z) => z > 0).length / n).toBeCloseTo(0.5, 2);
    const scaled = new Float32Array(100_000);
    fillNormalZiggurat(scaled, createRandom(3), 5, 0.1);
    const m = scaled.reduce((a, b) => a + b, 0) / scaled.length;
    const sd = Math.sqrt(scaled.reduce((a, b) => a + (b - m) ** 2, 0) / scaled.length);
    expect(m).toBeCloseTo(5, 2);
    expect(sd).toBeCloseTo(0.1, 2);
  });

  it('is deterministic for a seed', () => {
    const a = new Float32Array(1000);
    const b = new Float32Array(1000);
    fillNormalZiggurat(a, createRandom(5), 0, 1);
    fillNormalZiggurat(b, createRandom(5), 0, 1);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('fillNormalZigguratFrom', () => {
  it('draws exactly what fillNormalZiggurat draws from createRandom(seed), slow paths included', () => {
    const n = 50_000; // ~1 % of draws (~600 here) take the wedge/tail path
    const slow = new Float32Array(n);
    const fast = new Float32Array(n);
    for (const seed of [0, 7, 0xfffffff0]) {
      fillNormalZiggurat(slow, createRandom(seed), 0.5, 0.1);
      fillNormalZigguratFrom(fast, seed, 0.5, 0.1);
      let mismatches = 0; // a loop, not toEqual: deep-equality on 50k elements is slow
      for (let k = 0; k < n; k++) if (fast[k] !== slow[k]) mismatches++;
      expect(mismatches).toBe(0);
      expect(fast[n - 1]).not.toBe(0);
    }
  });

  it('returns a state from which createRandom continues the same stream', () => {
    const random = createRandom(42);
    fillNormalZiggurat(new Float32Array(5000), random, 0, 1);
    const state = fillNormalZigguratFrom(new Float32Array(5000), 42, 0, 1);
    const continued = createRandom(state);
    for (let k = 0; k < 10; k++) expect(continued.next()).toBe(random.next());
  });
});
