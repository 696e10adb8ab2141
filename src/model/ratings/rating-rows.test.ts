import { describe, expect, it } from 'vitest';
import { ratingSetFrom } from '../../../test/support/rating-fixtures.ts';
import { clipToScale, globalMeanOf, isKnown, rowsByItem, rowsByUser } from './rating-rows.ts';

describe('rating rows', () => {
  const set = ratingSetFrom(
    [
      [1, 0, 4],
      [0, 2, 3],
      [1, 2, 5],
      [0, 0, 1],
    ],
    { min: 1, max: 5 },
    { nUsers: 3, nItems: 4 },
  );

  it('groups ratings by user, keeping the original order inside a row', () => {
    const rows = rowsByUser(set);
    expect(Array.from(rows.offsets)).toEqual([0, 2, 4, 4]);
    expect(Array.from(rows.cols)).toEqual([2, 0, 0, 2]);
    expect(Array.from(rows.values)).toEqual([3, 1, 4, 5]);
  });

  it('groups ratings by item', () => {
    const rows = rowsByItem(set);
    expect(Array.from(rows.offsets)).toEqual([0, 2, 2, 4, 4]);
    expect(Array.from(rows.cols)).toEqual([1, 0, 0, 1]);
  });

  it('knows only in-range rows with at least one rating', () => {
    const rows = rowsByUser(set);
    expect([isKnown(rows, 0), isKnown(rows, 2), isKnown(rows, -1), isKnown(rows, 3)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('computes the global mean and clips to the scale', () => {
    expect(globalMeanOf(set)).toBe(3.25);
    expect([clipToScale(0.2, set.scale), clipToScale(6, set.scale), clipToScale(3.3, set.scale)]).toEqual([
      1, 5, 3.3,
    ]);
  });
});
