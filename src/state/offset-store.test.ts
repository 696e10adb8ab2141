import { describe, expect, it } from 'vitest';
import { formatPosition, parsePosition } from './offset-store.ts';

describe('source watermarks as stored', () => {
  it('round-trip a position and read a plain offset as index 0', () => {
    expect(parsePosition(formatPosition({ offset: 123456789012, index: 999 }))).toEqual({
      offset: 123456789012,
      index: 999,
    });
    expect(parsePosition('41')).toEqual({ offset: 41, index: 0 });
  });

  it('refuse anything else rather than guess', () => {
    for (const bad of ['', '-1', '4:', ':4', '4:5:6', '4.5', 'x'])
      expect(() => parsePosition(bad)).toThrow(/corrupt/);
  });
});
