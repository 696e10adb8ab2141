import type { RatingScale, RatingSet } from '../../src/model/ratings/rating-set.ts';
import { createRandom } from '../../src/lib/random.ts';

/**
 * Small hand-made and planted rating sets for trainer tests; no I/O, deterministic given a seed.
 */

/** A rating as [user, item, rating] with dense indices. */
export type Triple = readonly [number, number, number];

/** Builds a RatingSet from triples; ids are the indices as strings. */
export function ratingSetFrom(
  triples: readonly Triple[],
  scale: RatingScale = { min: 1, max: 5 },
  size?: { nUsers: number; nItems: number },
): RatingSet {
  const nUsers = size?.nUsers ?? Math.max(-1, ...triples.map((t) => t[0])) + 1;
  const nItems = size?.nItems ?? Math.max(-1, ...triples.map((t) => t[1])) + 1;
  return {
    users: Int32Array.from(triples, (t) => t[0]),
    items: Int32Array.from(triples, (t) => t[1]),
    ratings: Float32Array.from(triples, (t) => t[2]),
    timestamps: new Float64Array(triples.length),
    nUsers,
    nItems,
    userIds: Array.from({ length: nUsers }, (_, u) => String(u)),
    itemIds: Array.from({ length: nItems }, (_, i) => String(i)),
    scale,
  };
}

/** A planted data set split into train and held-out test triples. */
export interface Planted {
  readonly train: RatingSet;
  readonly test: readonly Triple[];
}

/**
 * Ratings r = 1 + 8·p_u·q_i / rank + N(0, 0.1²), clipped to 1..5, with `rank` factors uniform in
 * [0, 1) (so r averages about 3); each (u, i) is observed with probability `density`, and a fifth of
 * those are held out.
 */
export function plantedLowRank(
  nUsers: number,
  nItems: number,
  rank: number,
  density: number,
  seed: number,
): Planted {
  const random = createRandom(seed);
  const p = Array.from({ length: nUsers * rank }, () => random.next());
  const q = Array.from({ length: nItems * rank }, () => random.next());
  const train: Triple[] = [];
  const test: Triple[] = [];
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nItems; i++) {
      if (random.next() >= density) continue;
      let dot = 0;
      for (let f = 0; f < rank; f++) dot += (p[u * rank + f] as number) * (q[i * rank + f] as number);
      const rating = Math.min(5, Math.max(1, 1 + (4 * dot) / (rank * 0.5) + random.normal(0, 0.1)));
      (random.next() < 0.2 ? test : train).push([u, i, rating]);
    }
  }
  return { train: ratingSetFrom(train, { min: 1, max: 5 }, { nUsers, nItems }), test };
}

/** Root mean squared error of `predict` over triples. */
export function rmseOn(test: readonly Triple[], predict: (user: number, item: number) => number): number {
  let sum = 0;
  for (const [u, i, r] of test) sum += (predict(u, i) - r) ** 2;
  return Math.sqrt(sum / test.length);
}
