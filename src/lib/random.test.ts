import { describe, expect, it } from 'vitest';
import { createRandom, fillNormal, fillUniform } from './random.ts';

describe('createRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    const seqB = Array.from({ length: 5 }, () => b.next());
    const seqC = Array.from({ length: 5 }, () => c.next());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('draws uniforms in [0, 1) with mean near one half', () => {
    const random = createRandom(1);
    let sum = 0;
    let outside = 0;
    for (let k = 0; k < 100_000; k++) {
      const x = random.next();
      if (x < 0 || x >= 1) outside++;
      sum += x;
    }
    expect(outside).toBe(0);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });

  it('draws normals with the requested mean and standard deviation', () => {
    const out = new Float64Array(200_000);
    fillNormal(out, createRandom(7), 3, 0.5);
    const mean = out.reduce((s, x) => s + x, 0) / out.length;
    const variance = out.reduce((s, x) => s + (x - mean) ** 2, 0) / out.length;
    expect(mean).toBeCloseTo(3, 2);
    expect(Math.sqrt(variance)).toBeCloseTo(0.5, 2);
  });

  it('fills uniforms inside the requested interval and integers below n', () => {
    const random = createRandom(9);
    const out = new Float32Array(10_000);
    fillUniform(out, random, 2, 4);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...out)).toBeLessThan(4);
    for (let k = 0; k < 1000; k++) expect(random.int(3)).toBeLessThan(3);
  });
});
