import { describe, expect, it } from 'vitest';
import { buildHeadMask, headCap, liveMaxHeadShare, withLiveHead, type LiveHeadCapOptions } from './debias.ts';

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

describe('withLiveHead', () => {
  // Items 0–5 trained; 6–9 appended since (untrained). Training head: items 0 and 1.
  const mask = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const trained = (i: number) => i < 6;

  it('adds the untrained items whose live popularity ranks them within the head’s size', () => {
    // Live: item 7 is the hottest title of all, item 2 (trained) second; the head holds two items.
    const live = [5, 1, 9, 0, 0, 0, 0, 12, 3, 0];
    const out = withLiveHead(mask, live, trained);
    expect([...out]).toEqual([1, 1, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect([...mask]).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('returns the mask itself when no untrained item is that popular, or there is no head', () => {
    expect(withLiveHead(mask, [9, 8, 7, 0, 0, 0, 1, 2, 0, 0], trained)).toBe(mask);
    const none = new Uint8Array(10);
    expect(withLiveHead(none, [0, 0, 0, 0, 0, 0, 50, 0, 0, 0], trained)).toBe(none);
    expect(withLiveHead(mask, new Float32Array(10), trained)).toBe(mask);
  });
});
