import { describe, expect, it } from 'vitest';
import { srmCheck } from './srm.ts';

describe('srmCheck', () => {
  it('flags 5,200 against 4,800 at 50/50 (χ² = 16, p ≈ 6.3e-5)', () => {
    const r = srmCheck([5200, 4800], [1, 1]);
    expect(r.chi2).toBeCloseTo(16, 12);
    expect(r.p).toBeCloseTo(6.334248366623996e-5, 12);
    expect(r.flagged).toBe(true);
  });

  it('does not flag a split within chance, nor arms with fewer than 8 users', () => {
    expect(srmCheck([472, 471], [1, 1]).flagged).toBe(false);
    expect(srmCheck([7, 0], [1, 1])).toMatchObject({ flagged: false, enough: false });
  });

  it('checks against the configured weights, with k − 1 degrees of freedom for three arms', () => {
    expect(srmCheck([450, 550], [45, 55]).p).toBeCloseTo(1, 12);
    const three = srmCheck([100, 100, 130], [1, 1, 1]);
    expect(three.chi2).toBeCloseTo((10 * 10 * 2 + 20 * 20) / 110, 12);
    expect(three.p).toBeCloseTo(Math.exp(-three.chi2 / 2), 10);
  });
});
