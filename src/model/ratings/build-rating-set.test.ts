import { describe, expect, it } from 'vitest';
import { buildRatingSet, subsetRatings } from './build-rating-set.ts';

const records = [
  { userId: 'u7', movieId: 'm2', rating: 4, timestamp: 10 },
  { userId: 'u3', movieId: 'm2', rating: 0.5, timestamp: 11 },
  { userId: 'u7', movieId: 'm9', rating: 5 },
];

describe('buildRatingSet', () => {
  it('indexes users and movies densely in first-seen order and keeps the ids', () => {
    const set = buildRatingSet(records);
    expect(Array.from(set.users)).toEqual([0, 1, 0]);
    expect(Array.from(set.items)).toEqual([0, 0, 1]);
    expect(set.userIds).toEqual(['u7', 'u3']);
    expect(set.itemIds).toEqual(['m2', 'm9']);
    expect([set.nUsers, set.nItems]).toEqual([2, 2]);
    expect(Array.from(set.timestamps)).toEqual([10, 11, 0]);
  });

  it('infers the scale from the data unless one is given', () => {
    expect(buildRatingSet(records).scale).toEqual({ min: 0.5, max: 5 });
    expect(buildRatingSet(records, { min: 1, max: 5 }).scale).toEqual({ min: 1, max: 5 });
  });
});

describe('subsetRatings', () => {
  it('keeps the parent indexing so train and test share user and item indices', () => {
    const set = buildRatingSet(records);
    const sub = subsetRatings(set, Int32Array.of(2));
    expect(Array.from(sub.users)).toEqual([0]);
    expect(Array.from(sub.items)).toEqual([1]);
    expect(Array.from(sub.ratings)).toEqual([5]);
    expect(sub.nItems).toBe(2);
    expect(sub.itemIds).toBe(set.itemIds);
  });
});
