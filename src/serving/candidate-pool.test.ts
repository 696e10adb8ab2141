import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopHeap } from '../model/heap.ts';
import { topN } from '../model/top-n.ts';
import { buildCandidatePool } from './candidate-pool.ts';
import { buildCatalogueIndex } from '../data/catalogue-index.ts';

const scoreArb = fc.oneof(
  { weight: 8, arbitrary: fc.float({ min: -5, max: 5, noNaN: true }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 6 }).map((x) => x / 2) }, // ties
  { weight: 1, arbitrary: fc.constantFrom(-Infinity, Infinity, Number.NaN) },
);

describe('the candidate pool head', () => {
  it('is exactly topN of the guarded scores, ties and non-finite scores included (sampled cut-off)', () => {
    fc.assert(
      fc.property(
        fc.array(scoreArb, { minLength: 1, maxLength: 6000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        (values, capacity, forbiddenShare) => {
          const n = values.length;
          const ids = values.map((_, i) => `m${i}`);
          const catalogue = buildCatalogueIndex(
            ids,
            ids.map((movieId, i) => ({
              movieId,
              title: movieId,
              genres: [`g${i % 5}`],
              certification: null,
              adult: false,
            })),
          );
          const forbidden = Int32Array.from(ids.keys()).filter(
            (i) => ((i * 2654435761) % 1000) / 1000 < forbiddenShare,
          );
          const seen = [3, 7, n - 1, n + 5, -1];
          const reference = Float32Array.from(values);
          for (const i of forbidden) reference[i] = -Infinity;
          const expected = new Int32Array(capacity);
          const m = topN(reference, seen, new TopHeap(capacity), expected);
          const pool = buildCandidatePool(
            Float32Array.from(values),
            forbidden,
            seen,
            catalogue,
            new TopHeap(capacity),
          );
          expect(Array.from(pool.items.subarray(0, m))).toEqual(Array.from(expected.subarray(0, m)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
