import { describe, expect, it } from 'vitest';
import { WeightedSampler, createRandom, deriveSeed } from './random.ts';

describe('createRandom', () => {
  it('repeats its stream for a seed and differs across seeds', () => {
    const take = (seed: number): number[] => {
      const r = createRandom(seed);
      return Array.from({ length: 5 }, () => r.next());
    };
    expect(take(1)).toEqual(take(1));
    expect(take(1)).not.toEqual(take(2));
  });

  it('stays in range and has the moments it promises', () => {
    const r = createRandom(9);
    let sum = 0;
    let sq = 0;
    for (let k = 0; k < 20_000; k++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / 20_000)).toBeLessThan(0.05);
    expect(Math.abs(sq / 20_000 - 1)).toBeLessThan(0.05);
  });
});

describe('WeightedSampler', () => {
  it('draws indices in proportion to their weights and never a zero-weight one', () => {
    const sampler = new WeightedSampler([1, 0, 3]);
    const r = createRandom(1);
    const counts = [0, 0, 0];
    for (let k = 0; k < 40_000; k++) counts[sampler.sample(r)]!++;
    expect(counts[1]).toBe(0);
    expect((counts[2] ?? 0) / (counts[0] ?? 1)).toBeCloseTo(3, 0);
  });

  it('samples uniformly when every weight is zero', () => {
    const sampler = new WeightedSampler([0, 0]);
    const r = createRandom(2);
    const seen = new Set(Array.from({ length: 100 }, () => sampler.sample(r)));
    expect([...seen].sort()).toEqual([0, 1]);
  });
});

describe('deriveSeed', () => {
  it('gives distinct, repeatable seeds for nearby seeds and parts', () => {
    const seeds = new Set<number>();
    for (let seed = 0; seed < 50; seed++)
      for (let part = 0; part < 5; part++) seeds.add(deriveSeed(seed, part));
    expect(seeds.size).toBe(250);
    expect(deriveSeed(7, 2)).toBe(deriveSeed(7, 2));
  });
});
