/**
 * The closed-loop simulator (docs/fairness.md, "Closed loop"): simulated users with hidden true
 * tastes are served lists by Marquee's own serving code — each round a biased MF retrained on every
 * rating so far, loaded as the API loads a version (`buildServingModel`) and ranked by `rankUser`
 * (the blend with live popularity, the candidate pool, genre diversification, the popularity cap) —
 * choose by a position- and utility-driven choice model, and rate what they chose; the ratings join
 * the training data and, as the stream adds them (`takeUpBoardWeight`: the served take-up
 * weight), the popularity board the next round blends (Mansoury et al. 2020; Chaney et al. 2018).
 * The same world runs with the mitigations on and off. Deterministic for a seed.
 */
import { buildCatalogueIndex } from '../../src/data/catalogue-index.ts';
import { liveMaxHeadShare, withLiveHead } from '../../src/guardrails/debias.ts';
import { createRandom } from '../../src/lib/random.ts';
import { fitSvd, SVD_DEFAULTS } from '../../src/model/algorithms/svd.ts';
import type { SvdModel } from '../../src/model/algorithms/svd-model.ts';
import {
  averageRecommendedPopularity,
  coverage,
  gini,
  maskedExposureShare,
  ratingSkew,
  type StarCounts,
} from '../../src/model/eval/feedback-metrics.ts';
import { preparePopularity } from '../../src/model/ranking/blend.ts';
import { takeUpBoardWeight } from '../../src/model/ranking/popularity.ts';
import type { RatingSet } from '../../src/model/ratings/rating-set.ts';
import { svdToArtifact } from '../../src/model/svd-artifact.ts';
import { defaultGuardrailSettings } from '../../src/serving/guardrail-settings.ts';
import { boardCounts } from '../../src/serving/popularity-holder.ts';
import { rankUser } from '../../src/serving/rank-user.ts';
import { buildServingModel, type ServingModel } from '../../src/serving/serving-model.ts';
import type { Recommendation } from '../../src/serving/recommender.ts';
import { servedList } from '../../src/api/routes/course-recommend.ts';
import type { GuardedRanking } from '../../src/serving/rank-user.ts';
import type { LoopOptions, LoopWorld, RoundMetrics } from './closed-loop-options.ts';

export {
  drift,
  LOOP_DEFAULTS,
  type LoopOptions,
  type LoopWorld,
  type RoundMetrics,
} from './closed-loop-options.ts';

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

/** A ranking as the recommender hands it to the routes (what `servedList` draws rank noise from). */
function recommendation(serving: ServingModel, ranked: GuardedRanking): Recommendation {
  return {
    items: ranked.items.map((i, k) => ({
      movieId: serving.catalogue.itemIds[i] as string,
      score: ranked.scores[k] as number,
      reasons: [],
      movie: serving.catalogue.movies[i],
    })),
    source: 'personal',
    modelVersion: serving.version,
    arm: 'default',
  };
}

/** Runs the loop; `truth` is shared between runs so mitigation on and off face the same users. */
export async function runClosedLoop(
  world: LoopWorld,
  truth: SvdModel,
  options: LoopOptions,
): Promise<RoundMetrics[]> {
  const random = createRandom(options.seed);
  const nItems = world.itemIds.length;
  const catalogue = buildCatalogueIndex(world.itemIds, world.movies);
  const organic = starsOf(world.ratings);
  const organicCounts = new Float64Array(nItems);
  for (const i of world.items) organicCounts[i]! += 1;
  // The popularity board as the stream writes it (growing weights; organic take-ups weigh 1),
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
      // The list the course route serves: the ranking, then its rank noise (servedList).
      const drawn = await servedList(
        {
          recommend: async (_userId, limit) =>
            recommendation(serving, rankUser(serving, settings, input, limit, stream)),
          served: { record: () => undefined },
          rankNoise: {
            secret: `closed-loop:${options.seed}`,
            options: options.rankNoise,
            minGenres: options.diversify.minGenres,
          },
          now: () => nowMs,
        },
        world.userIds[u] as string,
        options.diversify.size,
      );
      const list = drawn.items.map((item) => serving.catalogue.indexOf(item.movieId) as number);
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
