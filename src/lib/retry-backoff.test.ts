import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './retry-backoff.ts';

describe('backoffDelay', () => {
  const options = { baseMs: 100, maxMs: 1_000 };

  it('doubles the ceiling each retry up to the maximum', () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, options, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
  });

  it('jitters uniformly below the ceiling', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.5)).toBe(200);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, never negative', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:03 GMT', now)).toBe(3_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores a missing or unreadable header', () => {
    expect(parseRetryAfter(null, 0)).toBeNull();
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter('-3', 0)).toBeNull();
  });
});
