import { describe, expect, it } from 'vitest';
import { buildRatingSet } from './build-rating-set.ts';
import { indexByUser } from './user-index.ts';

describe('indexByUser', () => {
  it("groups each user's items and ratings contiguously, in input order", () => {
    const set = buildRatingSet([
      { userId: 'a', movieId: 'x', rating: 1 },
      { userId: 'b', movieId: 'y', rating: 2 },
      { userId: 'a', movieId: 'z', rating: 3 },
    ]);
    const index = indexByUser(set);
    expect(Array.from(index.start)).toEqual([0, 2, 3]);
    expect(Array.from(index.items)).toEqual([0, 2, 1]);
    expect(Array.from(index.ratings)).toEqual([1, 3, 2]);
  });
});
