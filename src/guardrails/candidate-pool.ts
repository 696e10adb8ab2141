import type { TopHeap } from '../model/heap.ts';
import { topN } from '../model/top-n.ts';
import type { CatalogueIndex } from './catalogue-index.ts';

/** Candidates for re-ranking, best first. */
export interface CandidatePool {
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/**
 * The guard and the candidate pool in one pass: forbidden and already-seen items are set to
 * -Infinity in `scores` (which is overwritten), then the heap's top items are taken, plus the best
 * allowed item of every genre the top items lack (scanning only that genre's items), so diversification can reach genres the head of
 * the ranking never shows. `heap.capacity` bounds the head of the pool.
 */
export function buildCandidatePool(
  scores: Float32Array,
  forbidden: ArrayLike<number>,
  seen: ArrayLike<number>,
  catalogue: CatalogueIndex,
  heap: TopHeap,
): CandidatePool {
  for (let k = 0; k < forbidden.length; k++) scores[forbidden[k] as number] = -Infinity;
  const top = new Int32Array(heap.capacity);
  const n = topN(scores, seen, heap, top);
  const { genreStart, genreCodes, genreNames, genreItemStart, genreItems } = catalogue;
  const covered = new Uint8Array(genreNames.length);
  for (let k = 0; k < n; k++) {
    const i = top[k] as number;
    for (let g = genreStart[i] as number; g < (genreStart[i + 1] as number); g++)
      covered[genreCodes[g] as number] = 1;
  }
  // Genres the head of the ranking lacks are rare (small genres): scan only their items.
  const extra: number[] = [];
  for (let code = 0; code < genreNames.length; code++) {
    if (covered[code] === 1) continue;
    let best = -1;
    let bestScore = -Infinity;
    for (let k = genreItemStart[code] as number; k < (genreItemStart[code + 1] as number); k++) {
      const i = genreItems[k] as number;
      const s = scores[i] as number;
      if (s > bestScore) [best, bestScore] = [i, s];
    }
    if (best >= 0 && !extra.includes(best)) extra.push(best);
  }
  extra.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const items = new Int32Array(n + extra.length);
  items.set(top.subarray(0, n));
  items.set(extra, n);
  return { items, scores: Float32Array.from(items, (i) => scores[i] as number) };
}
