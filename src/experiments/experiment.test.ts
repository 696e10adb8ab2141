import { describe, expect, it } from 'vitest';
import { armLabel, assignArm, hashBucket, parityOf, runningExperimentSchema } from './experiment.ts';

const arms = [
  { name: 'svd', version: '3', weight: 1 },
  { name: 'svdpp', version: '4', weight: 1 },
];

describe('assignArm', () => {
  it('splits numeric ids by parity as the seed did: even → first arm, odd → second', () => {
    const e = { id: '1', arms, assignment: 'parity' as const, salt: '' };
    expect(assignArm(e, '42').name).toBe('svd');
    expect(assignArm(e, '7').name).toBe('svdpp');
    expect(parityOf('alice')).toBe(parityOf('alice'));
  });

  it("uses GrowthBook's v2 hash (its SDK's test vectors) and the weights", () => {
    // GrowthBook's SDK test cases (packages/sdk-js/test/cases.json, "Support passthrough variations"
    // and "Support holdout groups"): user "1" has v2 bucket 0.4413 under seed "experiment", 0.8043 under "holdout".
    expect(hashBucket('experiment', '1')).toBeCloseTo(0.4413, 10);
    expect(hashBucket('holdout', '1')).toBeCloseTo(0.8043, 10);
    const e = {
      id: '2',
      arms: [arms[0]!, { ...arms[1]!, weight: 3 }],
      assignment: 'hash' as const,
      salt: 'exp-2',
    };
    const counts = { svd: 0, svdpp: 0 };
    for (let u = 1; u <= 20_000; u++) counts[assignArm(e, String(u)).name as 'svd' | 'svdpp']++;
    expect(counts.svd / 20_000).toBeGreaterThan(0.24);
    expect(counts.svd / 20_000).toBeLessThan(0.26);
  });

  it('gives two experiments with different salts different splits (parity gives the same one)', () => {
    const one = { id: '1', arms, assignment: 'hash' as const, salt: 'a' };
    const two = { ...one, salt: 'b' };
    let same = 0;
    for (let u = 1; u <= 2_000; u++)
      if (assignArm(one, String(u)).name === assignArm(two, String(u)).name) same++;
    expect(same / 2_000).toBeGreaterThan(0.45);
    expect(same / 2_000).toBeLessThan(0.55);
  });

  it('labels arms per experiment, and refuses stored experiments that are not well formed', () => {
    expect(armLabel('12', 'svdpp')).toBe('e12.svdpp');
    expect(runningExperimentSchema.safeParse({ id: '1', arms, assignment: 'parity', salt: '' }).success).toBe(
      true,
    );
    for (const bad of [
      { id: '1', arms: [...arms, { name: 'x', version: '5', weight: 1 }], assignment: 'parity', salt: '' },
      { id: '1', arms: [arms[0], arms[0]], assignment: 'hash', salt: '' },
      { id: '1', arms: [{ ...arms[0], name: 'Bad Name' }, arms[1]], assignment: 'hash', salt: '' },
      { id: 'x', arms, assignment: 'hash', salt: '' },
    ])
      expect(runningExperimentSchema.safeParse(bad).success).toBe(false);
  });
});
