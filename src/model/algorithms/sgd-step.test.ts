import { describe, expect, it } from 'vitest';
import { dotAt, sgdHalfStep, sgdStep, type FactorState } from './sgd-step.ts';

function handState(): FactorState {
  return {
    mu: 3,
    factors: 2,
    userBias: Float32Array.of(0.1),
    itemBias: Float32Array.of(-0.2),
    userFactors: Float32Array.of(0.5, -0.3),
    itemFactors: Float32Array.of(0.2, 0.4),
  };
}

describe('sgdStep', () => {
  it('matches one step computed by hand (lr 0.1, reg 0.5, r = 4)', () => {
    // dot = 0.5·0.2 − 0.3·0.4 = −0.02; r̂ = 3 + 0.1 − 0.2 − 0.02 = 2.88; err = 1.12
    // b_u = 0.1 + 0.1(1.12 − 0.5·0.1) = 0.207;  b_i = −0.2 + 0.1(1.12 + 0.5·0.2) = −0.078
    // p = (0.5 + 0.1(1.12·0.2 − 0.25), −0.3 + 0.1(1.12·0.4 + 0.15)) = (0.4974, −0.2402)
    // q = (0.2 + 0.1(1.12·0.5 − 0.1), 0.4 + 0.1(1.12·(−0.3) − 0.2)) = (0.246, 0.3464) — uses the OLD p
    const s = handState();
    const err = sgdStep(s, 0, 0, 4, { lr: 0.1, reg: 0.5 });
    expect(err).toBeCloseTo(1.12, 6);
    expect(s.userBias[0]).toBeCloseTo(0.207, 6);
    expect(s.itemBias[0]).toBeCloseTo(-0.078, 6);
    expect(s.userFactors[0]).toBeCloseTo(0.4974, 6);
    expect(s.userFactors[1]).toBeCloseTo(-0.2402, 6);
    expect(s.itemFactors[0]).toBeCloseTo(0.246, 6);
    expect(s.itemFactors[1]).toBeCloseTo(0.3464, 6);
  });

  it('addresses rows by dense index in the flat matrices', () => {
    const s: FactorState = {
      mu: 0,
      factors: 1,
      userBias: new Float32Array(3),
      itemBias: new Float32Array(2),
      userFactors: Float32Array.of(9, 1, 9),
      itemFactors: Float32Array.of(9, 1),
    };
    const err = sgdStep(s, 1, 1, 2, { lr: 1, reg: 0 });
    expect(err).toBe(1);
    expect(Array.from(s.userFactors)).toEqual([9, 2, 9]);
    expect(Array.from(s.itemFactors)).toEqual([9, 2]);
    expect(Array.from(s.userBias)).toEqual([0, 1, 0]);
  });
});

describe('sgdHalfStep', () => {
  it('gives the same result as the full step when each half gets the pre-step vector of the other', () => {
    const rates = { lr: 0.1, reg: 0.5 };
    const full = handState();
    sgdStep(full, 0, 0, 4, rates);

    const s = handState();
    const err = 4 - (s.mu + 0.1 - 0.2 + dotAt(s.userFactors, 0, s.itemFactors, 0, 2));
    const pBefore = s.userFactors.slice(); // what the user actor sends in its movie event
    const bu = sgdHalfStep(s.userFactors, 0, s.itemFactors, 0, 2, 0.1, err, rates);
    const bi = sgdHalfStep(s.itemFactors, 0, pBefore, 0, 2, -0.2, err, rates);
    expect(bu).toBeCloseTo(full.userBias[0] as number, 6);
    expect(bi).toBeCloseTo(full.itemBias[0] as number, 6);
    expect(Array.from(s.userFactors)).toEqual(Array.from(full.userFactors));
    expect(Array.from(s.itemFactors)).toEqual(Array.from(full.itemFactors));
  });

  it('writes only its own vector', () => {
    const own = Float32Array.of(1, 1);
    const other = Float32Array.of(0.5, 0.25);
    sgdHalfStep(own, 0, other, 0, 2, 0, 1, { lr: 0.1, reg: 0 });
    expect(Array.from(other)).toEqual([0.5, 0.25]);
    expect(own[0]).toBeCloseTo(1.05, 6);
    expect(own[1]).toBeCloseTo(1.025, 6);
  });
});
