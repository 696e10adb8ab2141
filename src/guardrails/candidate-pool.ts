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
 * allowed item of every genre the top items lack, so diversification can reach genres the head of
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
  const { genreStart, genreCodes, genreNames } = catalogue;
  const bestItem = new Int32Array(genreNames.length).fill(-1);
  const bestScore = new Float32Array(genreNames.length).fill(-Infinity);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s === -Infinity) continue;
    for (let g = genreStart[i] as number; g < (genreStart[i + 1] as number); g++) {
      const code = genreCodes[g] as number;
      if (s > (bestScore[code] as number)) {
        bestScore[code] = s;
        bestItem[code] = i;
      }
    }
  }
  const chosen = new Set(top.subarray(0, n));
  for (const i of bestItem) if (i >= 0) chosen.add(i);
  const items = Int32Array.from(chosen).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
  );
  return { items, scores: Float32Array.from(items, (i) => scores[i] as number) };
}
