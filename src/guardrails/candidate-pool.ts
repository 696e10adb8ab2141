import type { TopHeap } from '../model/heap.ts';
import { topN } from '../model/top-n.ts';
import type { CatalogueIndex } from './catalogue-index.ts';

/** Candidates for re-ranking, best first. */
export interface CandidatePool {
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/** Every SAMPLE_STEP-th score estimates the pool's cut-off; reused scratch (requests run one at a time). */
const SAMPLE_STEP = 16;
let sample = new Float32Array(0);

/** The r-th largest (1-based) of xs[0..m) by quickselect; reorders xs. */
function rthLargest(xs: Float32Array, m: number, r: number): number {
  const want = r - 1;
  let [lo, hi] = [0, m - 1];
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1] as number;
    let [i, j] = [lo, hi];
    while (i <= j) {
      while ((xs[i] as number) > pivot) i++;
      while ((xs[j] as number) < pivot) j--;
      if (i <= j) {
        const t = xs[i] as number;
        xs[i++] = xs[j] as number;
        xs[j--] = t;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return xs[want] as number;
  }
  return xs[want] as number;
}

/**
 * topN (top-n.ts) with a pre-filter: a strided sample sets a score cut-off expected to pass about
 * twice the heap's capacity, and only items at or above it go through the heap. Exact: when fewer
 * than `capacity` items pass, the plain topN scan runs instead.
 */
function selectTop(scores: Float32Array, seen: ArrayLike<number>, heap: TopHeap, out: Int32Array): number {
  const n = scores.length;
  for (let k = 0; k < seen.length; k++) {
    const i = seen[k] as number;
    if (i >= 0 && i < n) scores[i] = -Infinity;
  }
  if (sample.length * SAMPLE_STEP < n) sample = new Float32Array(Math.ceil(n / SAMPLE_STEP));
  let m = 0;
  for (let i = 0; i < n; i += SAMPLE_STEP) {
    const s = scores[i] as number;
    if (Number.isFinite(s)) sample[m++] = s;
  }
  // Each sampled finite score stands for about SAMPLE_STEP finite items (guarded ones are -Infinity).
  const r = Math.ceil((2 * heap.capacity) / SAMPLE_STEP) + 4;
  if (r < m) {
    const cut = rthLargest(sample, m, r);
    heap.clear();
    for (let i = 0; i < n; i++) {
      const s = scores[i] as number;
      if (s >= cut) heap.push(i, s);
    }
    if (heap.size === heap.capacity) return heap.drainDescending(out);
  }
  return topN(scores, [], heap, out);
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
  const n = selectTop(scores, seen, heap, top);
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
  // A plain loop: Float32Array.from with a map function goes through the iterator protocol (~14 µs).
  const pooled = new Float32Array(items.length);
  for (let k = 0; k < items.length; k++) pooled[k] = scores[items[k] as number] as number;
  return { items, scores: pooled };
}
