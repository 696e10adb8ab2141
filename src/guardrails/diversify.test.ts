import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCatalogueIndex } from '../data/catalogue-index.ts';
import { buildHeadMask, headCap } from './debias.ts';
import { defaultDiversifyOptions, diversify } from './diversify.ts';

const GENRES = Array.from({ length: 16 }, (_, g) => `g${g}`);

function catalogueOf(genres: string[][]) {
  const ids = genres.map((_, i) => `m${i}`);
  return buildCatalogueIndex(
    ids,
    genres.map((gs, i) => ({
      movieId: `m${i}`,
      title: `M ${i}`,
      genres: gs,
      certification: null,
      adult: false,
    })),
  );
}

function poolOf(scores: number[]) {
  const items = Int32Array.from(scores.keys()).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
  );
  return { items, scores: Float32Array.from(items, (i) => scores[i] as number) };
}

const catalogues = fc.array(
  fc.tuple(
    fc.uniqueArray(fc.constantFrom(...GENRES), { maxLength: 3 }),
    fc.float({ min: 0, max: 5, noNaN: true }),
  ),
  {
    minLength: 1,
    maxLength: 80,
  },
);

describe('the genre re-rank', () => {
  it('reaches min(10, genres in the pool) distinct genres in 20 whenever the pool holds 20 items', () => {
    fc.assert(
      fc.property(catalogues, (rows) => {
        const catalogue = catalogueOf(rows.map((r) => r[0]));
        const list = diversify(poolOf(rows.map((r) => r[1])), catalogue, defaultDiversifyOptions);
        const union = new Set(rows.flatMap((r) => r[0]));
        const got = new Set(list.items.flatMap((i) => catalogue.movies[i]?.genres ?? []));
        expect(list.items.length).toBe(Math.min(20, rows.length));
        expect(new Set(list.items).size).toBe(list.items.length);
        if (rows.length >= 20) expect(got.size).toBeGreaterThanOrEqual(Math.min(10, union.size));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps head titles within the cap while other titles remain', () => {
    fc.assert(
      fc.property(catalogues, fc.double({ min: 0, max: 1, noNaN: true }), (rows, share) => {
        const catalogue = catalogueOf(rows.map((r) => r[0]));
        const popularity = rows.map((r) => r[1]);
        const mask = buildHeadMask(popularity, 0.3);
        const maxHead = headCap(20, share);
        const list = diversify(
          poolOf(popularity),
          catalogue,
          { ...defaultDiversifyOptions, minGenres: 0 },
          { mask, maxHead },
        );
        const heads = list.items.filter((i) => mask[i] === 1).length;
        const tails = rows.length - mask.reduce((a, b) => a + b, 0);
        expect(heads).toBeLessThanOrEqual(Math.max(maxHead, list.items.length - tails));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves a list in score order when it already spans enough genres, and says why items moved', () => {
    const catalogue = catalogueOf([['a'], ['a'], ['b']]);
    expect(diversify(poolOf([3, 2, 1]), catalogue, { size: 3, minGenres: 0, genreBonus: 0 }).items).toEqual([
      0, 1, 2,
    ]);
    const moved = diversify(poolOf([3, 2.95, 2.9]), catalogue, { size: 3, minGenres: 0, genreBonus: 0.1 });
    expect(moved.items).toEqual([0, 2, 1]);
    expect(moved.reasons).toEqual([['score'], ['diversify'], ['score']]);
  });
});
