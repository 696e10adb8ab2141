/**
 * The closed-loop simulator (docs/fairness.md, "Closed loop"): simulated users with hidden true
 * tastes are served lists by Marquee's ranking pieces (biased MF retrained each round, a popularity
 * term, the candidate pool, genre diversification and the popularity cap), choose by a position-
 * and utility-driven choice model, and rate what they chose; the ratings join the training data for
 * the next round (Mansoury et al. 2020; Chaney et al. 2018). The same world runs with the live head
 * cap on and off. Deterministic for a seed.
 */
import { buildCatalogueIndex, type CatalogueMovie } from '../../src/data/catalogue-index.ts';
import {
  buildHeadMask,
  headCap,
  liveMaxHeadShare,
  type LiveHeadCapOptions,
} from '../../src/guardrails/debias.ts';
import { diversify, type DiversifyOptions } from '../../src/guardrails/diversify.ts';
import { createRandom } from '../../src/lib/random.ts';
import { fitSvd, SVD_DEFAULTS, type SvdParams } from '../../src/model/algorithms/svd.ts';
import type { SvdModel } from '../../src/model/algorithms/svd-model.ts';
import {
  averageRecommendedPopularity,
  coverage,
  gini,
  maskedExposureShare,
  ratingSkew,
  type StarCounts,
} from '../../src/model/eval/feedback-metrics.ts';
import { TopHeap } from '../../src/model/heap.ts';
import type { RatingSet } from '../../src/model/ratings/rating-set.ts';
import { buildCandidatePool } from '../../src/serving/candidate-pool.ts';

/** The world: organic ratings over dense users and items, and the items' metadata. */
export interface LoopWorld {
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly movies: readonly CatalogueMovie[];
  /** Organic ratings (dense indices). */
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
}

/** Knobs of one simulation. */
export interface LoopOptions {
  readonly rounds: number;
  readonly seed: number;
  /** The live head cap's knobs; null: the static cap only (mitigation off). */
  readonly mitigation: LiveHeadCapOptions | null;
  /** Static cap (share of a list the head may take) and head size (share of the catalogue). */
  readonly maxHeadShare: number;
  readonly headShare: number;
  /** Stars added at the most popular title by the popularity term (log-scaled counts). */
  readonly popularityWeight: number;
  readonly diversify: DiversifyOptions;
  readonly poolSize: number;
  /** Factors and epochs of the recommender's retrain each round, and of the hidden true tastes. */
  readonly model: Pick<SvdParams, 'factors' | 'epochs'>;
  readonly truth: Pick<SvdParams, 'factors' | 'epochs'>;
  /** Attention at list position k is (k + 1)^−attention. */
  readonly attention: number;
  /** Acceptance odds: σ(sharpness · (true rating − midpoint)). */
  readonly sharpness: number;
  readonly midpoint: number;
  /** Noise of a simulated rating around the true one (stars, σ). */
  readonly ratingNoise: number;
  /** Users served per round (all when larger than the world). */
  readonly usersPerRound: number;
}

/** Defaults: 20 rounds, Marquee's serving settings, a Chaney-like attention decay. */
export const LOOP_DEFAULTS: LoopOptions = {
  rounds: 20,
  seed: 1,
  mitigation: null,
  maxHeadShare: 0.5,
  headShare: 0.02,
  popularityWeight: 1,
  diversify: { size: 20, minGenres: 10, genreBonus: 0.1 },
  poolSize: 200,
  model: { factors: 20, epochs: 10 },
  truth: { factors: 20, epochs: 25 },
  attention: 0.8,
  sharpness: 2,
  midpoint: 3.5,
  ratingNoise: 0.3,
  usersPerRound: Infinity,
};

/** What one round measured. */
export interface RoundMetrics {
  readonly round: number;
  /** Share of the catalogue in any list this round. */
  readonly coverage: number;
  /** Gini of this round's exposure over the catalogue. */
  readonly gini: number;
  /** Mean training-rating count of a recommended slot (ARP), counts as of this round's training data. */
  readonly avgPopularity: number;
  /** The same with the organic counts only: what the loop recommends, without what it added to the counts. */
  readonly avgOrganicPopularity: number;
  /**
   * ARP over the catalogue's mean count this round: every round adds ratings, so ARP in counts grows
   * even when what is served stays as popular relative to the rest; this ratio grows only when
   * exposure concentrates on what is (or became) more popular than the catalogue — reinforcement.
   */
  readonly relPopularity: number;
  /** Share of this round's exposure on the cap's head. */
  readonly headShare: number;
  /** The cap in force this round. */
  readonly cap: number;
  /** Mean of this round's (served) ratings minus the organic mean, and the earth mover's distance. */
  readonly skewGap: number;
  readonly skewDistance: number;
  /** Attention-weighted mean true rating of the lists served (what users got), stars. */
  readonly satisfaction: number;
  /** Titles chosen and rated this round. */
  readonly accepted: number;
}

/** The hidden true tastes: a biased MF fitted to every organic rating. */
export function trueTastes(world: LoopWorld, options: Pick<LoopOptions, 'truth' | 'seed'>): SvdModel {
  return fitSvd(ratingSet(world, world.users, world.items, world.ratings), {
    ...SVD_DEFAULTS,
    ...options.truth,
    seed: options.seed + 1000,
    simd: options.truth.factors % 4 === 0,
  });
}

function ratingSet(world: LoopWorld, users: Int32Array, items: Int32Array, ratings: Float32Array): RatingSet {
  return {
    users,
    items,
    ratings,
    timestamps: new Float64Array(users.length),
    nUsers: world.userIds.length,
    nItems: world.itemIds.length,
    userIds: world.userIds,
    itemIds: world.itemIds,
    scale: { min: 0.5, max: 5 },
  };
}

const starsOf = (ratings: ArrayLike<number>): StarCounts => {
  const c = [0, 0, 0, 0, 0];
  for (let k = 0; k < ratings.length; k++) {
    const s = Math.min(5, Math.max(1, Math.round(ratings[k] as number)));
    c[s - 1]! += 1;
  }
  return c as unknown as StarCounts;
};

/** Runs the loop; `truth` is shared between runs so mitigation on and off face the same users. */
export function runClosedLoop(world: LoopWorld, truth: SvdModel, options: LoopOptions): RoundMetrics[] {
  const random = createRandom(options.seed);
  const nItems = world.itemIds.length;
  const catalogue = buildCatalogueIndex(world.itemIds, world.movies);
  const heap = new TopHeap(options.poolSize);
  const organic = starsOf(world.ratings);
  const organicCounts = new Float64Array(nItems);
  for (const i of world.items) organicCounts[i]! += 1;
  // The training data grows each round: organic ratings first, then the simulated ones.
  let users = Array.from(world.users);
  let items = Array.from(world.items);
  let ratings = Array.from(world.ratings);
  const seen = Array.from({ length: world.userIds.length }, () => new Set<number>());
  for (let k = 0; k < users.length; k++) seen[users[k] as number]?.add(items[k] as number);
  const attention = Array.from({ length: options.diversify.size }, (_, k) => (k + 1) ** -options.attention);
  const order = Array.from({ length: world.userIds.length }, (_, u) => u);
  let cap = options.maxHeadShare;
  let lastHeadShare = NaN;
  const out: RoundMetrics[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const model = fitSvd(
      ratingSet(world, Int32Array.from(users), Int32Array.from(items), Float32Array.from(ratings)),
      {
        ...SVD_DEFAULTS,
        ...options.model,
        seed: options.seed + round,
        simd: options.model.factors % 4 === 0,
      },
    );
    const counts = model.data.itemCounts;
    const mask = buildHeadMask(counts, options.headShare);
    if (options.mitigation !== null)
      cap = liveMaxHeadShare(options.maxHeadShare, lastHeadShare, cap, options.mitigation);
    const maxCount = Math.log1p(Math.max(...counts));
    const popularity = Float32Array.from(
      counts,
      (c) => (options.popularityWeight * Math.log1p(c)) / maxCount,
    );
    const exposure = new Float64Array(nItems);
    const newUsers: number[] = [];
    const newItems: number[] = [];
    const newRatings: number[] = [];
    let satisfaction = 0;
    let served = 0;
    // A fresh seeded order each round: which users are served when usersPerRound < all.
    for (let k = order.length - 1; k > 0; k--) {
      const j = random.int(k + 1);
      [order[k], order[j]] = [order[j] as number, order[k] as number];
    }
    const { factors, mu, userBias, itemBias, userFactors, itemFactors } = model.data;
    const scores = new Float32Array(nItems);
    for (const u of order.slice(0, Math.min(order.length, options.usersPerRound))) {
      for (let i = 0; i < nItems; i++) {
        let s = mu + (userBias[u] as number) + (itemBias[i] as number);
        for (let f = 0; f < factors; f++)
          s += (userFactors[u * factors + f] as number) * (itemFactors[i * factors + f] as number);
        scores[i] = s + (popularity[i] as number);
      }
      const pool = buildCandidatePool(scores, [], [...(seen[u] as Set<number>)], catalogue, heap);
      const list = diversify(pool, catalogue, options.diversify, {
        mask,
        maxHead: headCap(options.diversify.size, cap),
      }).items;
      let weighted = 0;
      let weights = 0;
      list.forEach((i, k) => {
        exposure[i]! += 1;
        const truthRating = truth.predict(u, i);
        const a = attention[k] as number;
        weighted += a * truthRating;
        weights += a;
        const accept = a / (1 + Math.exp(-options.sharpness * (truthRating - options.midpoint)));
        if (random.next() < accept) {
          const r = Math.min(
            5,
            Math.max(0.5, Math.round(2 * (truthRating + random.normal(0, options.ratingNoise))) / 2),
          );
          newUsers.push(u);
          newItems.push(i);
          newRatings.push(r);
          seen[u]?.add(i);
        }
      });
      if (weights > 0) {
        satisfaction += weighted / weights;
        served++;
      }
    }
    const skew = ratingSkew(starsOf(newRatings), organic);
    lastHeadShare = maskedExposureShare(exposure, mask);
    out.push({
      round,
      coverage: coverage(exposure, nItems),
      gini: gini(exposure),
      avgPopularity: averageRecommendedPopularity(exposure, counts),
      avgOrganicPopularity: averageRecommendedPopularity(exposure, organicCounts),
      relPopularity:
        averageRecommendedPopularity(exposure, counts) / (counts.reduce((a, b) => a + b, 0) / nItems),
      headShare: lastHeadShare,
      cap,
      skewGap: skew.meanGap,
      skewDistance: skew.wasserstein,
      satisfaction: served === 0 ? NaN : satisfaction / served,
      accepted: newRatings.length,
    });
    users = users.concat(newUsers);
    items = items.concat(newItems);
    ratings = ratings.concat(newRatings);
  }
  return out;
}

/** Relative change from the first round to the last, per metric (for the targets). */
export function drift(rounds: readonly RoundMetrics[]) {
  const first = rounds[0] as RoundMetrics;
  const last = rounds[rounds.length - 1] as RoundMetrics;
  return {
    coverageDrop: 1 - last.coverage / first.coverage,
    giniRise: last.gini - first.gini,
    popularityLift: last.avgPopularity / first.avgPopularity - 1,
    organicPopularityLift: last.avgOrganicPopularity / first.avgOrganicPopularity - 1,
    relativePopularityLift: last.relPopularity / first.relPopularity - 1,
    satisfaction: last.satisfaction,
  };
}
