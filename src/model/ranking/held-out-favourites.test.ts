import { describe, expect, it } from 'vitest';
import { countHeldOutFavourites } from './held-out-favourites.ts';

describe('countHeldOutFavourites', () => {
  it('counts per item only the held-out ratings at or above the relevance bar', () => {
    const items = [0, 0, 1, 1, 2, 2, 2];
    const ratings = [4, 5, 3, 3.5, 4, 3.9, 10];
    expect([...countHeldOutFavourites(items, ratings, 4, new Float32Array(4))]).toEqual([2, 0, 2, 0]);
  });

  it('skips items outside the catalogue of the output and clears what the output held', () => {
    const out = new Float32Array([7, 7]);
    expect([...countHeldOutFavourites([1, 2, -1], [5, 5, 5], 4, out)]).toEqual([0, 1]);
  });

  it('refuses items and ratings of different lengths', () => {
    expect(() => countHeldOutFavourites([0, 1], [5], 4, new Float32Array(2))).toThrow(
      new RangeError('2 items but 1 ratings'),
    );
  });
});
