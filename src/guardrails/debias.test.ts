import { describe, expect, it } from 'vitest';
import { buildHeadMask, headCap, liveMaxHeadShare, type LiveHeadCapOptions } from './debias.ts';

const knobs: LiveHeadCapOptions = { threshold: 0.4, floor: 0.2, hysteresis: 0.1 };

describe('the popularity cap', () => {
  it('marks the most popular titles as head and caps their slots in a list', () => {
    expect([...buildHeadMask([5, 9, 0, 7], 0.5)]).toEqual([0, 1, 0, 1]);
    expect([...buildHeadMask([0, 0, 0], 1)]).toEqual([0, 0, 0]);
    expect(headCap(20, 0.5)).toBe(10);
    expect(headCap(20, 0.25)).toBe(5);
  });

  it('tightens with the head’s live exposure share above the threshold, down to the floor', () => {
    // Share 0.5 against a threshold of 0.4: the cap 0.5 scaled by 0.4 / 0.5 = 0.4.
    expect(liveMaxHeadShare(0.5, 0.5, 0.5, knobs)).toBeCloseTo(0.4, 12);
    // Share 0.8: 0.5 · 0.4 / 0.8 = 0.25.
    expect(liveMaxHeadShare(0.5, 0.8, 0.5, knobs)).toBeCloseTo(0.25, 12);
    // Share 1: 0.2, the floor; never below it.
    expect(liveMaxHeadShare(0.5, 1, 0.5, knobs)).toBeCloseTo(0.2, 12);
    expect(liveMaxHeadShare(0.3, 1, 0.3, knobs)).toBe(0.2);
    // A configured cap already under the floor is never raised by the floor.
    expect(liveMaxHeadShare(0.1, 1, 0.1, knobs)).toBe(0.1);
  });

  it('holds inside the hysteresis band and relaxes below it', () => {
    expect(liveMaxHeadShare(0.5, 0.38, 0.3, knobs)).toBe(0.3); // 0.36 ≤ 0.38 ≤ 0.4: hold
    expect(liveMaxHeadShare(0.5, 0.35, 0.3, knobs)).toBe(0.5); // under 0.36: back to the configured cap
    expect(liveMaxHeadShare(0.5, NaN, 0.3, knobs)).toBe(0.3); // no reading: hold
    expect(liveMaxHeadShare(0.5, 0.9, 0.5, { ...knobs, threshold: 1 })).toBe(0.5); // threshold 1: off
  });
});
