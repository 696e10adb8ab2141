import type { RatingRows } from '../ratings/rating-rows.ts';

/**
 * Shrunk Pearson-baseline similarity (Koren 2010, eq. 2; Surprise's `pearson_baseline`) between the
 * rows of one side (items, for item-based kNN), computed once and stored sparsely.
 *
 * Why sparse, and why only positive values: kNN-baseline uses only neighbours with similarity > 0
 * (Surprise picks the k most similar among the items the user rated, then drops those ≤ 0), so
 * keeping just the positive entries changes no prediction. Pairs with a single common rater always
 * shrink to 0 ((n − 1)/(n − 1 + shrinkage) = 0), and most pairs share no rater, so on
 * ml-latest-small (9.7k items, 80% train split) 3.2 M entries (25 MB) replace a 9.7k² matrix
 * (378 MB as Float32; Surprise holds five such float64 matrices), and the design keeps working
 * where a dense matrix would not fit (ml-25m: 59k items, 14 GB as Float32).
 *
 * Cost: row x is accumulated in dense scratch arrays (length = number of rows) by walking every
 * rater of x and every row that rater rated: Σ_y n_y² steps overall (61 M on ml-latest-small),
 * O(rows) scratch memory, nothing allocated per pair.
 */

/** Row-compressed similarities: row x's neighbours are `neighbors[offsets[x] .. offsets[x + 1] - 1]`. */
export interface SparseSimilarity {
  readonly offsets: Int32Array;
  readonly neighbors: Int32Array;
  readonly values: Float32Array;
  readonly nRows: number;
}

/** Options of the shrunk Pearson-baseline similarity; defaults are Surprise's. */
export interface SimilarityOptions {
  /** Shrinks a similarity by (n − 1)/(n − 1 + shrinkage), n = common raters. Surprise: 100. */
  readonly shrinkage: number;
  /** Fewer common raters than this gives similarity 0. Surprise: 1. */
  readonly minSupport: number;
}

/**
 * Similarities between the rows of `xRows` (e.g. items → users), with `yRows` the transposed
 * grouping (users → items). `xResid`/`yResid` hold r − (μ + b_u + b_i) aligned with each grouping's
 * entries. Keeps entries > 0 only; every row's similarity to itself is 1, as in Surprise.
 */
export function pearsonBaselineSimilarity(
  xRows: RatingRows,
  xResid: Float64Array,
  yRows: RatingRows,
  yResid: Float64Array,
  options: SimilarityOptions,
): SparseSimilarity {
  const nX = xRows.nRows;
  const freq = new Int32Array(nX);
  const prods = new Float64Array(nX);
  const sqX = new Float64Array(nX);
  const sqY = new Float64Array(nX);
  const touched = new Int32Array(nX);
  const offsets = new Int32Array(nX + 1);
  let neighbors = new Int32Array(Math.max(1024, 8 * nX));
  let values = new Float32Array(neighbors.length);
  let size = 0;
  for (let x = 0; x < nX; x++) {
    let nTouched = 0;
    const xEnd = xRows.offsets[x + 1] as number;
    for (let e = xRows.offsets[x] as number; e < xEnd; e++) {
      const y = xRows.cols[e] as number;
      const dx = xResid[e] as number;
      const yEnd = yRows.offsets[y + 1] as number;
      for (let t = yRows.offsets[y] as number; t < yEnd; t++) {
        const j = yRows.cols[t] as number;
        const dj = yResid[t] as number;
        if (freq[j] === 0) touched[nTouched++] = j;
        freq[j] = (freq[j] as number) + 1;
        prods[j] = (prods[j] as number) + dx * dj;
        sqX[j] = (sqX[j] as number) + dx * dx;
        sqY[j] = (sqY[j] as number) + dj * dj;
      }
    }
    if (size + nTouched > neighbors.length) {
      const capacity = Math.max(2 * neighbors.length, size + nTouched);
      neighbors = grow(neighbors, new Int32Array(capacity));
      values = grow(values, new Float32Array(capacity));
    }
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t] as number;
      const sim =
        j === x
          ? 1
          : shrunkPearson(freq[j] as number, prods[j] as number, sqX[j] as number, sqY[j] as number, options);
      if (sim > 0) {
        neighbors[size] = j;
        values[size] = sim;
        size++;
      }
      freq[j] = 0;
      prods[j] = 0;
      sqX[j] = 0;
      sqY[j] = 0;
    }
    offsets[x + 1] = size;
  }
  return { offsets, neighbors: neighbors.slice(0, size), values: values.slice(0, size), nRows: nX };
}

/** Surprise's formula for one pair; 0 where it would divide by zero (no spread among common raters). */
export function shrunkPearson(
  freq: number,
  prods: number,
  sqX: number,
  sqY: number,
  options: SimilarityOptions,
): number {
  if (freq < options.minSupport) return 0;
  const norm = Math.sqrt(sqX * sqY);
  if (norm === 0) return 0;
  return (prods / norm) * ((freq - 1) / (freq - 1 + options.shrinkage));
}

function grow<T extends Int32Array | Float32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
