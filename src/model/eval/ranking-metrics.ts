import { TopHeap } from '../heap.ts';
import type { Predictor, RatingSet } from '../ratings/rating-set.ts';
import { scoreUser, topN } from '../top-n.ts';
import { indexByUser } from '../ratings/user-index.ts';

/** How top-N lists are built and judged. */
export interface RankingOptions {
  /** List length N (the k of precision@k). */
  readonly k: number;
  /** A test rating at or above this is relevant (binary relevance). */
  readonly relevantAt: number;
  /** Genres of a dense item index, for distinct genres per list; omit when unknown. */
  readonly genresOf?: (item: number) => readonly string[];
  /** Which test users to judge (e.g. only those with training history); omitted means all. */
  readonly includeUser?: (user: number) => boolean;
  /** Sees each judged user's list, best first (`list[0..n)`); for tests that compare rankings. */
  readonly onList?: (user: number, list: Int32Array, n: number) => void;
}

/** Fills `out` (one slot per item) with a user's scores, higher first; -Infinity or NaN never lists an item. */
export type UserScorer = (user: number, out: Float32Array) => void;

/** Accuracy and exposure of the top-N lists of every test user with at least one relevant rating. */
export interface RankingMetrics {
  readonly k: number;
  readonly users: number;
  /** Share of users with at least one relevant item in their list (HR@k). */
  readonly hitRate: number;
  readonly precision: number;
  readonly recall: number;
  readonly ndcg: number;
  /** Share of the catalogue that appears in at least one list. */
  readonly coverage: number;
  /** Gini coefficient of how often each catalogue item is shown (0 equal, → 1 concentrated). */
  readonly gini: number;
  /** Mean number of distinct genres in a list; NaN without genres. */
  readonly genresPerList: number;
}

/** Gini coefficient of non-negative counts: Σ(2i − n − 1)·x_i / (n·Σx) over counts sorted ascending. */
export function gini(counts: ArrayLike<number>): number {
  const sorted = Float64Array.from(counts).sort();
  const n = sorted.length;
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += sorted[i] as number;
    weighted += (2 * (i + 1) - n - 1) * (sorted[i] as number);
  }
  return total === 0 ? 0 : weighted / (n * total);
}

/**
 * Builds each test user's top-k over all items except those they rated in training, and scores the
 * lists against their relevant test ratings: precision, recall and NDCG@k, plus catalogue coverage,
 * exposure Gini and genres per list.
 */
export function rankingMetrics(
  predictor: Predictor,
  train: RatingSet,
  test: RatingSet,
  options: RankingOptions,
): RankingMetrics {
  return scorerRankingMetrics((user, out) => scoreUser(predictor, user, out), train, test, options);
}

/** {@link rankingMetrics} for any scoring function: a ranker that is not a rating predictor. */
export function scorerRankingMetrics(
  scorer: UserScorer,
  train: RatingSet,
  test: RatingSet,
  options: RankingOptions,
): RankingMetrics {
  const { k, relevantAt, genresOf, includeUser, onList } = options;
  const seen = indexByUser(train);
  const held = indexByUser(test);
  const scores = new Float32Array(train.nItems);
  const heap = new TopHeap(k);
  const list = new Int32Array(k);
  const exposure = new Float64Array(train.nItems);
  const relevant = new Set<number>();
  let users = 0;
  let hitUsers = 0;
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let genres = 0;
  for (let u = 0; u < test.nUsers; u++) {
    relevant.clear();
    for (let at = held.start[u] as number; at < (held.start[u + 1] as number); at++) {
      if ((held.ratings[at] as number) >= relevantAt) relevant.add(held.items[at] as number);
    }
    if (relevant.size === 0 || (includeUser !== undefined && !includeUser(u))) continue;
    scorer(u, scores);
    const n = topN(scores, seen.items.subarray(seen.start[u], seen.start[u + 1]), heap, list);
    onList?.(u, list, n);
    let hits = 0;
    let dcg = 0;
    let idcg = 0;
    const listGenres = new Set<string>();
    for (let r = 0; r < n; r++) {
      const item = list[r] as number;
      exposure[item]! += 1;
      if (relevant.has(item)) {
        hits++;
        dcg += 1 / Math.log2(r + 2);
      }
      if (genresOf !== undefined) for (const g of genresOf(item)) listGenres.add(g);
    }
    for (let r = 0; r < Math.min(k, relevant.size); r++) idcg += 1 / Math.log2(r + 2);
    users++;
    if (hits > 0) hitUsers++;
    precision += hits / k;
    recall += hits / relevant.size;
    ndcg += dcg / idcg;
    genres += listGenres.size;
  }
  let covered = 0;
  for (let i = 0; i < exposure.length; i++) if ((exposure[i] as number) > 0) covered++;
  return {
    k,
    users,
    hitRate: hitUsers / users,
    precision: precision / users,
    recall: recall / users,
    ndcg: ndcg / users,
    coverage: covered / train.nItems,
    gini: gini(exposure),
    genresPerList: genresOf === undefined ? NaN : genres / users,
  };
}
