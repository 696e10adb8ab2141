import { describe, expect, it } from 'vitest';
import { parseSince } from './audit.ts';
import { UsageError } from './command.ts';

describe('marquee audit --since', () => {
  const now = Date.UTC(2025, 0, 10, 12);
  it('takes a duration back from now, a date, or nothing (every stored list)', () => {
    expect(parseSince('24h', now)).toBe(now - 86_400_000);
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseSince('90m', now)).toBe(now - 90 * 60_000);
    expect(parseSince('2025-01-01T00:00:00Z', now)).toBe(Date.UTC(2025, 0, 1));
    expect(parseSince(undefined, now)).toBeNull();
  });
  it('refuses anything else as a usage error', () => {
    expect(() => parseSince('yesterday', now)).toThrow(UsageError);
  });
});
