import { describe, expect, it } from 'vitest';
import { momentsOf, tTwoSided, welch, zTest } from './welch.ts';

// Reference values from scipy 1.17.1 (docs/experiments.md, "Libraries").
describe('welch', () => {
  it('matches scipy ttest_ind(equal_var=False) on A=[1,2,3,4], B=[3,4,5,6,9,12]', () => {
    const r = welch(momentsOf([1, 2, 3, 4]), momentsOf([3, 4, 5, 6, 9, 12]));
    expect(-r.t).toBeCloseTo(-2.6186146828319083, 12);
    expect(r.df).toBeCloseTo(6.869158878504674, 12);
    expect(r.p).toBeCloseTo(0.03506164762634212, 9);
    expect(r.ci[0]).toBeGreaterThan(0);
  });

  it('is not the pooled-variance test (scipy equal_var=True gives p = 0.0574 here)', () => {
    expect(welch(momentsOf([1, 2, 3, 4]), momentsOf([3, 4, 5, 6, 9, 12])).p).not.toBeCloseTo(
      0.05744807908132115,
      3,
    );
  });

  it('computes far tails directly: 2·F(−|t|), not 1 − F(|t|)', () => {
    expect(tTwoSided(2, 1e5)).toBeCloseTo(0.04550296345750651, 8);
    expect(tTwoSided(8, 1e5) / 1.2573919876256345e-15).toBeCloseTo(1, 6);
    expect(tTwoSided(12, 3e4) / 4.2309122625739014e-33).toBeCloseTo(1, 6);
    expect(tTwoSided(-12, 3e4)).toBe(tTwoSided(12, 3e4));
  });

  it('gives NaN rather than a p-value when a side has fewer than two units or no variance', () => {
    expect(welch(momentsOf([1]), momentsOf([1, 2, 3])).p).toBeNaN();
    expect(welch(momentsOf([2, 2]), momentsOf([2, 2])).p).toBeNaN();
    expect(zTest(1, 0).p).toBeNaN();
  });

  it('puts the confidence interval around the difference at the t quantile', () => {
    const r = welch(momentsOf([1, 2, 3, 4, 5]), momentsOf([2, 3, 4, 5, 6]));
    expect((r.ci[0] + r.ci[1]) / 2).toBeCloseTo(1, 12);
    expect(r.ci[1] - r.ci[0]).toBeGreaterThan(2 * 1.96 * r.se);
    expect(zTest(1, 0.5).ci[1]).toBeCloseTo(1 + 1.959963984540054 * 0.5, 9);
  });
});
