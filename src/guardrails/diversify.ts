import type { CatalogueIndex } from '../data/catalogue-index.ts';

/** Which step put an item where it is: its own score, the genre re-rank, or the popularity cap. */
/** Candidates for re-ranking, best first (src/serving/candidate-pool.ts builds them). */
export interface CandidatePool {
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

export type RankReason = 'score' | 'diversify' | 'debias';

/** Options of the greedy re-rank. */
export interface DiversifyOptions {
  /** List length. */
  readonly size: number;
  /** Distinct genres to reach when the pool allows (forced in the last slots if not yet reached). */
  readonly minGenres: number;
  /** Score (stars) an item gains for bringing a genre the list does not have yet. */
  readonly genreBonus: number;
}

/** 20 items, at least 10 genres, a 0.1-star bonus per new genre. */
export const defaultDiversifyOptions: DiversifyOptions = { size: 20, minGenres: 10, genreBonus: 0.1 };

/** The popularity cap applied during the re-rank (see debias.ts). */
export interface HeadLimit {
  readonly mask: Uint8Array;
  readonly maxHead: number;
}

/** A re-ranked list: pool positions' items, their model scores, and why each is there. */
export interface RankedList {
  readonly items: number[];
  readonly scores: number[];
  readonly reasons: RankReason[][];
}

/**
 * Greedy re-rank: each slot takes the item maximising score + bonus·[brings a new genre], among items
 * the head cap still admits. When the slots left are no more than the genres still missing, the slot
 * must bring a new genre: each such slot adds at least one, so the list reaches min(minGenres, genres
 * in the pool) whenever the pool holds `size` items. The cap gives way only when nothing else is left.
 */
export function diversify(
  pool: CandidatePool,
  catalogue: CatalogueIndex,
  options: DiversifyOptions,
  head?: HeadLimit,
): RankedList {
  const { genreStart, genreCodes } = catalogue;
  const covered = new Set<number>();
  const picked = new Uint8Array(pool.items.length);
  const out: RankedList = { items: [], scores: [], reasons: [] };
  let headCount = 0;
  const newGenres = (item: number): number => {
    let n = 0;
    for (let g = genreStart[item] as number; g < (genreStart[item + 1] as number); g++)
      if (!covered.has(genreCodes[g] as number)) n++;
    return n;
  };
  const admitted = (item: number): boolean =>
    head === undefined || head.mask[item] !== 1 || headCount < head.maxHead;
  const pick = (onlyAdmitted: boolean, onlyNew: boolean): number => {
    let best = -1;
    let bestValue = -Infinity;
    for (let p = 0; p < pool.items.length; p++) {
      const score = pool.scores[p] as number;
      // The pool is sorted by score, so once even the bonus cannot beat the best, nothing later can.
      if (score + options.genreBonus <= bestValue) break;
      const item = pool.items[p] as number;
      if (picked[p] === 1 || (onlyAdmitted && !admitted(item))) continue;
      const fresh = newGenres(item);
      if (onlyNew && fresh === 0) continue;
      const value = score + (fresh > 0 ? options.genreBonus : 0);
      if (value > bestValue) [best, bestValue] = [p, value];
    }
    return best;
  };
  const size = Math.min(options.size, pool.items.length);
  let firstFree = 0;
  for (let slot = 0; slot < size; slot++) {
    const forced = options.minGenres - covered.size >= size - slot;
    let best = forced ? pick(true, true) : -1;
    if (best < 0 && forced) best = pick(false, true);
    if (best < 0) best = pick(true, false);
    if (best < 0) best = pick(false, false);
    while (picked[firstFree] === 1) firstFree++;
    const item = pool.items[best] as number;
    const top = pool.items[firstFree] as number;
    out.reasons.push(best === firstFree ? ['score'] : admitted(top) ? ['diversify'] : ['debias']);
    picked[best] = 1;
    if (head?.mask[item] === 1) headCount++;
    for (let g = genreStart[item] as number; g < (genreStart[item + 1] as number); g++)
      covered.add(genreCodes[g] as number);
    out.items.push(item);
    out.scores.push(pool.scores[best] as number);
  }
  return out;
}
