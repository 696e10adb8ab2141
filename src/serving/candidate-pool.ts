import type { TopHeap } from '../model/heap.ts';
import { topN } from '../model/top-n.ts';
import type { CatalogueIndex } from '../data/catalogue-index.ts';

import type { CandidatePool } from '../guardrails/diversify.ts';

export type { CandidatePool };

/** Every SAMPLE_STEP-th score estimates the pool's cut-off; reused scratch (requests run one at a time). */
const SAMPLE_STEP = 16;
let sample = new Float32Array(0);

/** The r-th largest (1-based) of xs[0..m) by quickselect; reorders xs. */
function rthLargest(xs: Float32Array, m: number, r: number): number {
  const want = r - 1;
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
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

/** Item indices take the low 21 bits of a sort key (catalogues up to 2,097,152 items). */
const INDEX_SPAN = 2 ** 21;
/** The items at or above the cut-off, their sort keys and the keys' bucket-ordered copy; reused scratch. */
let keys = new Float64Array(0);
let passing = new Int32Array(0);
let ordered = new Float64Array(0);
/** Buckets of the distribution pass: about two passing items per bucket. */
const BUCKETS = 512;
const bucketStart = new Int32Array(BUCKETS + 1);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * One float64 per (score, item) whose ascending order is (score ascending, index descending): the
 * float32's bits made order-preserving as an unsigned integer, times 2^21, plus the reversed index.
 * Exact, since the key stays below 2^53. -0 is folded into +0, which the heap also treats as equal.
 */
function sortKey(score: number, index: number): number {
  f32[0] = score + 0;
  const bits = u32[0] as number;
  const ordered = bits >= 0x80000000 ? ~bits >>> 0 : bits + 0x80000000;
  return ordered * INDEX_SPAN + (INDEX_SPAN - 1 - index);
}

/**
 * Sorts keys[0..c) ascending into `ordered`: one counting pass into buckets by linear position
 * between the smallest and largest key (monotonic, so buckets come out in order), then insertion sort,
 * which only has to fix order within buckets. A comparison sort of ~400 random keys costs ~20 µs in
 * branch mispredictions; this costs a few.
 */
function sortKeys(c: number, low: number, high: number): Float64Array {
  if (ordered.length < c) ordered = new Float64Array(keys.length);
  const scale = (BUCKETS - 1) / (high - low || 1);
  bucketStart.fill(0);
  for (let k = 0; k < c; k++) {
    const b = Math.floor(((keys[k] as number) - low) * scale);
    bucketStart[b + 1] = (bucketStart[b + 1] as number) + 1;
  }
  for (let b = 0; b < BUCKETS; b++)
    bucketStart[b + 1] = (bucketStart[b + 1] as number) + (bucketStart[b] as number);
  for (let k = 0; k < c; k++) {
    const key = keys[k] as number;
    const b = Math.floor((key - low) * scale);
    const at = bucketStart[b] as number;
    ordered[at] = key;
    bucketStart[b] = at + 1;
  }
  for (let k = 1; k < c; k++) {
    const key = ordered[k] as number;
    let j = k - 1;
    while (j >= 0 && (ordered[j] as number) > key) {
      ordered[j + 1] = ordered[j] as number;
      j--;
    }
    ordered[j + 1] = key;
  }
  return ordered;
}

/**
 * topN (top-n.ts) with a pre-filter: a strided sample sets a score cut-off expected to pass about
 * twice the heap's capacity; the items at or above it are sorted by one numeric key each (bucketed;
 * a heap push per item cost ~40 µs per request) and the best `capacity` taken, best first,
 * ties by lower index as the heap orders them. Exact: when fewer than `capacity` items pass, the
 * plain topN scan runs instead.
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
  if (r < m && n <= INDEX_SPAN) {
    const cut = rthLargest(sample, m, r);
    if (keys.length < n) keys = new Float64Array(n);
    if (passing.length < n) passing = new Int32Array(n);
    // Collect first, key after: the scan over every item stays a bare compare.
    let c = 0;
    for (let i = 0; i < n; i++) if ((scores[i] as number) >= cut) passing[c++] = i;
    let low = Infinity;
    let high = -Infinity;
    let kept = 0;
    for (let k = 0; k < c; k++) {
      const i = passing[k] as number;
      const s = scores[i] as number;
      if (s === Infinity) continue;
      const key = sortKey(s, i);
      keys[kept++] = key;
      if (key < low) low = key;
      if (key > high) high = key;
    }
    c = kept;
    if (c >= heap.capacity) {
      const sorted = sortKeys(c, low, high);
      for (let k = 0; k < heap.capacity; k++) {
        const key = sorted[c - 1 - k] as number;
        out[k] = INDEX_SPAN - 1 - (key - Math.floor(key / INDEX_SPAN) * INDEX_SPAN);
      }
      return heap.capacity;
    }
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
