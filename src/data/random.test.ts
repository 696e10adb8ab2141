import { describe, expect, it } from 'vitest';
import { createRandom } from '../lib/random.ts';
import { WeightedSampler, deriveSeed } from './random.ts';

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
