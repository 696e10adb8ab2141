/**
 * The closed-loop simulator (docs/fairness.md, "Closed loop"): simulated users with hidden true
 * tastes are served lists by Marquee's own serving code — each round a biased MF retrained on every
 * rating so far, loaded as the API loads a version (`buildServingModel`) and ranked by `rankUser`
 * (the blend with live popularity, the candidate pool, genre diversification, the popularity cap) —
 * choose by a position- and utility-driven choice model, and rate what they chose; the ratings join
 * the training data and, as the user actors add them (`takeUpBoardWeight`: the served take-up
 * weight), the popularity board the next round blends (Mansoury et al. 2020; Chaney et al. 2018).
 * The same world runs with the mitigations on and off. Deterministic for a seed.
 */
import { buildCatalogueIndex, type CatalogueMovie } from '../../src/data/catalogue-index.ts';
import { liveMaxHeadShare, withLiveHead, type LiveHeadCapOptions } from '../../src/guardrails/debias.ts';
import type { DiversifyOptions } from '../../src/guardrails/diversify.ts';
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
import { BLEND_DEFAULTS, preparePopularity, type BlendWeights } from '../../src/model/ranking/blend.ts';
import { takeUpBoardWeight } from '../../src/model/ranking/popularity.ts';
import type { RatingSet } from '../../src/model/ratings/rating-set.ts';
import { svdToArtifact } from '../../src/model/svd-artifact.ts';
import { defaultGuardrailSettings } from '../../src/serving/guardrail-settings.ts';
import { boardCounts } from '../../src/serving/popularity-holder.ts';
import { rankUser } from '../../src/serving/rank-user.ts';
import { buildServingModel } from '../../src/serving/serving-model.ts';

/** The world: organic ratings over dense users and items, and the items' metadata. */
export interface LoopWorld {
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly movies: readonly CatalogueMovie[];
  /** Organic ratings (dense indices). */
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** When each organic rating was made, seconds (what the popularity board decays from). */
  readonly timestamps: Float64Array;
}

/** Knobs of one simulation. */
export interface LoopOptions {
  readonly rounds: number;
  readonly seed: number;
  /** The live head cap's knobs; null: the static cap only. */
  readonly mitigation: LiveHeadCapOptions | null;
  /** What a served-then-rated title adds to the popularity board (SERVED_POPULARITY_WEIGHT; 1: as organic). */
  readonly servedPopularityWeight: number;
  /** Static cap (share of a list the head may take) and head size (share of the catalogue). */
  readonly maxHeadShare: number;
  readonly headShare: number;
  /** The ranking blend's weights (serving's, for users with a model vector) and the board's half-life. */
  readonly blend: BlendWeights;
  readonly halfLifeDays: number;
  /** Simulated days between rounds (the board decays over them), and the simulated users' age. */
  readonly roundDays: number;
  readonly age: number;
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

/** Defaults: 20 rounds, Marquee's serving settings, a Chaney-like attention decay; mitigations off. */
export const LOOP_DEFAULTS: LoopOptions = {
  rounds: 20,
  seed: 1,
  mitigation: null,
  servedPopularityWeight: 1,
  maxHeadShare: 0.5,
  headShare: 0.02,
  blend: BLEND_DEFAULTS.weights,
  halfLifeDays: BLEND_DEFAULTS.halfLifeDays,
  roundDays: 1,
  age: 30,
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

const DAY_MS = 86_400_000;

/** Runs the loop; `truth` is shared between runs so mitigation on and off face the same users. */
export function runClosedLoop(world: LoopWorld, truth: SvdModel, options: LoopOptions): RoundMetrics[] {
  const random = createRandom(options.seed);
  const nItems = world.itemIds.length;
  const catalogue = buildCatalogueIndex(world.itemIds, world.movies);
  const organic = starsOf(world.ratings);
  const organicCounts = new Float64Array(nItems);
  for (const i of world.items) organicCounts[i]! += 1;
  // The popularity board as the user actors write it (growing weights; organic take-ups weigh 1),
  // and the simulated clock: a round every roundDays after the last organic rating.
  const board = {
    popularityHalfLifeMs: options.halfLifeDays * DAY_MS,
    servedPopularityWeight: options.servedPopularityWeight,
  };
  const weights = new Float64Array(nItems);
  let lastMs = 0;
  world.items.forEach((i, k) => {
    const atMs = (world.timestamps[k] as number) * 1000;
    weights[i]! += takeUpBoardWeight(atMs, false, board);
    lastMs = Math.max(lastMs, atMs);
  });
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
    const nowMs = lastMs + round * options.roundDays * DAY_MS;
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
    if (options.mitigation !== null)
      cap = liveMaxHeadShare(options.maxHeadShare, lastHeadShare, cap, options.mitigation);
    const settings = {
      ...defaultGuardrailSettings,
      diversify: options.diversify,
      debias: { headShare: options.headShare, maxHeadShare: cap },
      poolSize: options.poolSize,
    };
    // The round's version as the API loads it, and the board as its popularity holder reads it.
    const serving = buildServingModel(`r${round}`, svdToArtifact(model), world.movies, settings);
    const flat: string[] = [];
    weights.forEach((w, i) => w > 0 && flat.push(world.itemIds[i] as string, String(w)));
    const live = boardCounts(catalogue, nItems, flat, nowMs, board.popularityHalfLifeMs);
    const stream = {
      weights: options.blend,
      popularity: preparePopularity(live),
      cohort: null,
      headMask: withLiveHead(serving.headMask, live, (i) => serving.model.knowsItem(i)),
    };
    const mask = stream.headMask;
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
    const { factors, userBias, userFactors } = model.data;
    for (const u of order.slice(0, Math.min(order.length, options.usersPerRound))) {
      const input = {
        vector: userFactors,
        offset: u * factors,
        bias: userBias[u] as number,
        age: options.age,
        seen: [...(seen[u] as Set<number>)].map((i) => world.itemIds[i] as string),
      };
      const list = rankUser(serving, settings, input, options.diversify.size, stream).items;
      let weighted = 0;
      let weightSum = 0;
      list.forEach((i, k) => {
        exposure[i]! += 1;
        const truthRating = truth.predict(u, i);
        const a = attention[k] as number;
        weighted += a * truthRating;
        weightSum += a;
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
          // The title was in the list the user was just served: a served take-up.
          weights[i]! += takeUpBoardWeight(nowMs, true, board);
        }
      });
      if (weightSum > 0) {
        satisfaction += weighted / weightSum;
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
