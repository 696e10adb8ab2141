import { describe, expect, it } from 'vitest';
import { noisyScore } from './score-noise.ts';

const options = { scale: 0.05, decimals: 2 };

describe('score noise', () => {
  it('is the same for repeated queries of one user and movie, so averaging cannot remove it', () => {
    const first = noisyScore('server-secret-123', '42', 'toy+story+1995', 4.1234, options);
    for (let k = 0; k < 20; k++)
      expect(noisyScore('server-secret-123', '42', 'toy+story+1995', 4.1234, options)).toBe(first);
  });

  it('differs across movies and secrets, with about the configured spread', () => {
    const offsets = Array.from({ length: 4000 }, (_, m) =>
      noisyScore('s1-secret-value', '7', `m${m}`, 0, { scale: 1, decimals: 6 }),
    );
    const mean = offsets.reduce((a, b) => a + b, 0) / offsets.length;
    const sd = Math.sqrt(offsets.reduce((a, b) => a + (b - mean) ** 2, 0) / offsets.length);
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(sd).toBeGreaterThan(0.9);
    expect(sd).toBeLessThan(1.1);
    expect(noisyScore('other-secret-xx', '7', 'm1', 0, { scale: 1, decimals: 6 })).not.toBe(offsets[1]);
  });

  it('rounds to the configured decimals and leaves scores alone at scale 0', () => {
    expect(noisyScore('k-secret-value-1', '1', 'm', 3.14159, { scale: 0, decimals: 2 })).toBe(3.14);
    const s = noisyScore('k-secret-value-1', '1', 'm', 3.14159, options);
    expect(Math.round(s * 100)).toBeCloseTo(s * 100, 9);
  });
});
