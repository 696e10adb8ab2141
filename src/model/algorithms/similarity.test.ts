import { describe, expect, it } from 'vitest';
import type { Triple } from '../../../test/support/rating-fixtures.ts';
import { ratingSetFrom } from '../../../test/support/rating-fixtures.ts';
import type { RatingRows } from '../ratings/rating-rows.ts';
import { rowsByItem, rowsByUser } from '../ratings/rating-rows.ts';
import { pearsonBaselineSimilarity, shrunkPearson } from './similarity.ts';

/** Residuals r − 3 per entry: a flat baseline keeps the expected similarities easy to read. */
const centred = (rows: RatingRows) => Float64Array.from(rows.values, (r) => r - 3);

function similarities(triples: readonly Triple[], shrinkage: number) {
  const set = ratingSetFrom(triples);
  const byItem = rowsByItem(set);
  const byUser = rowsByUser(set);
  return pearsonBaselineSimilarity(byItem, centred(byItem), byUser, centred(byUser), {
    shrinkage,
    minSupport: 1,
  });
}

function similarity(s: ReturnType<typeof similarities>, x: number, j: number): number {
  for (let e = s.offsets[x] as number; e < (s.offsets[x + 1] as number); e++)
    if (s.neighbors[e] === j) return s.values[e] as number;
  return 0;
}

describe('pearsonBaselineSimilarity', () => {
  const identical: Triple[] = [];
  for (let u = 0; u < 12; u++) {
    const r = 1 + ((u * 7) % 5);
    identical.push([u, 0, r], [u, 1, r], [u, 2, 1 + ((u * 3) % 5)]);
  }

  it('gives two identical item columns similarity 1, shrunk by (n − 1)/(n − 1 + shrinkage)', () => {
    expect(similarity(similarities(identical, 0), 0, 1)).toBeCloseTo(1, 6);
    expect(similarity(similarities(identical, 100), 0, 1)).toBeCloseTo(11 / 111, 6);
    expect(similarity(similarities(identical, 100), 1, 0)).toBeCloseTo(11 / 111, 6);
  });

  it('stores only positive similarities, each row similar to itself with 1', () => {
    const s = similarities(
      [
        [0, 0, 5],
        [0, 1, 1],
        [1, 0, 1],
        [1, 1, 5],
        [2, 0, 4],
        [2, 1, 2],
      ],
      0,
    );
    expect(Array.from(s.neighbors)).toEqual([0, 1]);
    expect(Array.from(s.values)).toEqual([1, 1]);
  });
});

describe('shrunkPearson', () => {
  it('is 0 below the minimum support and when there is no spread', () => {
    expect(shrunkPearson(2, 1, 1, 1, { shrinkage: 0, minSupport: 3 })).toBe(0);
    expect(shrunkPearson(5, 0, 0, 4, { shrinkage: 100, minSupport: 1 })).toBe(0);
  });

  it('multiplies the correlation by the shrinkage factor', () => {
    expect(shrunkPearson(5, 2, 4, 4, { shrinkage: 4, minSupport: 1 })).toBeCloseTo(0.5 * 0.5, 12);
  });
});
