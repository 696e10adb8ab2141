import { describe, expect, it } from 'vitest';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { TopHeap } from '../model/heap.ts';
import { BLEND_DEFAULTS, preparePopularity, type BlendConfig } from '../model/ranking/blend.ts';
import { boardWeight } from '../model/ranking/popularity.ts';
import { blendRanker } from '../model/ranking/rankers.ts';
import { svdColdScorer } from '../model/ranking/ranking-report.ts';
import type { UserIndex } from '../model/ratings/user-index.ts';
import { topN } from '../model/top-n.ts';
import { syntheticServingModel } from '../../test/support/synthetic-model.ts';
import { defaultGuardrailSettings, type GuardrailSettings } from './guardrail-settings.ts';
import { boardCounts } from './popularity-holder.ts';
import { rankUser } from './rank-user.ts';
import { buildServingModel } from './serving-model.ts';

/**
 * The blend's online/offline identity: serving's ranking path (rankUser: the WebAssembly scorer, the
 * blend over the age class's titles minus what the user saw, the candidate pool) and the offline
 * evaluation's scoring (blendRanker, then topN over the same exclusions, as scorerRankingMetrics
 * does) give the same top 20 for the same model scores, popularity and exclusions. Diversification
 * and the popularity cap are turned off here: they re-rank after the blend and are not part of it.
 */
const settings: GuardrailSettings = {
  ...defaultGuardrailSettings,
  diversify: { ...defaultGuardrailSettings.diversify, minGenres: 0, genreBonus: 0 },
  debias: { ...defaultGuardrailSettings.debias, maxHeadShare: 1 },
};
const world = generateSyntheticWorld({ users: 300, movies: 3000, ratings: 20_000, seed: 21 });
const { artifact, movies } = syntheticServingModel(world, 16);
const serving = buildServingModel('1', artifact, movies, settings);
const n = serving.model.nItems;
const { userFactors, userBias, factors } = serving.model.data;
const K = 20;
const HALF_LIFE = 365 * 86_400_000;
const NOW = Date.UTC(2026, 10, 1);

/** A stream board as ZRANGE … WITHSCORES returns it, turned into counts as the holder does. */
function liveCounts(weight: (i: number) => number): Float32Array {
  const board: string[] = [];
  serving.catalogue.itemIds.forEach((id, i) => {
    const events = Math.round(weight(i));
    if (events > 0) board.push(id, String(events * boardWeight(NOW - (i % 50) * 86_400_000, HALF_LIFE)));
  });
  return boardCounts(serving.catalogue, n, board, NOW, HALF_LIFE);
}
const globalCounts = liveCounts((i) => (world.popularity[i] as number) * 2e5);
const cohortCounts = liveCounts((i) => (i % 7 === 0 ? 40 : 0) + ((i * 31) % 13));

const seenBy = new Map<string, string[]>();
for (const r of world.ratings) seenBy.set(r.userId, [...(seenBy.get(r.userId) ?? []), r.movieId]);
const AGES = [null, 9, 14, 17, 30, 45];

/** 60 requests: users with a vector (their trained p_u) and without, every age class, their histories. */
const requests = Array.from({ length: 60 }, (_, j) => {
  const userId = world.users[j]?.userId as string;
  const u = serving.userIndex.get(userId);
  return {
    vector: j % 3 === 2 || u === undefined ? null : u,
    age: AGES[j % AGES.length] ?? null,
    seen: seenBy.get(userId) ?? [],
  };
});

function served(config: BlendConfig, cohort: boolean): number[][] {
  const popularity = preparePopularity(globalCounts);
  const cohortTerm = cohort ? preparePopularity(cohortCounts) : null;
  return requests.map(({ vector, age, seen }) => {
    const input =
      vector === null
        ? { vector: null, offset: 0, bias: 0, age, seen }
        : { vector: userFactors, offset: vector * factors, bias: userBias[vector] as number, age, seen };
    const weights = vector === null ? config.coldWeights : config.weights;
    return rankUser(serving, settings, input, K, { weights, popularity, cohort: cohortTerm }).items;
  });
}

function offline(config: BlendConfig, cohort: boolean): number[][] {
  // Exclusions as the evaluation takes them: one list per user, here what they saw and what their age forbids.
  const lists = requests.map(({ age, seen }) => [
    ...seen.map((id) => serving.catalogue.indexOf(id) as number),
    ...serving.masks.forbiddenFor(age),
  ]);
  const start = Int32Array.from([0, ...lists.map((_, j) => lists.slice(0, j + 1).flat().length)]);
  const index: UserIndex = { start, items: Int32Array.from(lists.flat()), ratings: new Float32Array(0) };
  const cohortTerm = preparePopularity(cohortCounts);
  const ranker = blendRanker('blend', {
    // The same model scores: serving's scorer for the user's trained vector (no exclusion set).
    model: (j, out) => {
      const u = requests[j]?.vector ?? null;
      if (u === null) return false;
      out.set(serving.scorer.score(userFactors, u * factors, userBias[u] as number));
      return true;
    },
    coldModel: svdColdScorer(serving.model),
    popularity: globalCounts,
    cohortOf: cohort ? () => cohortTerm : null,
    config,
    seen: index,
  });
  const scores = new Float32Array(n);
  const heap = new TopHeap(K);
  const list = new Int32Array(K);
  return requests.map((_, j) => {
    ranker.score(j, scores);
    const count = topN(scores, index.items.subarray(index.start[j], index.start[j + 1]), heap, list);
    return Array.from(list.subarray(0, count));
  });
}

describe('the blend online and offline', () => {
  it('gives the same top 20 through serving and through the offline evaluation, with the defaults', () => {
    expect(requests.filter((r) => r.vector !== null).length).toBeGreaterThan(30);
    const online = served(BLEND_DEFAULTS, false);
    expect(online.every((list) => list.length === K)).toBe(true);
    expect(online).toEqual(offline(BLEND_DEFAULTS, false));
  });

  it('does so with a cohort term and other weights too', () => {
    const config: BlendConfig = {
      halfLifeDays: 365,
      weights: { model: 1, popularity: 0.4, cohort: 0.6 },
      coldWeights: { model: 0.5, popularity: 0.5, cohort: 1 },
    };
    const online = served(config, true);
    expect(online).toEqual(offline(config, true));
    // The cohort term moves lists: it is not a no-op that would make the identity trivial.
    expect(online).not.toEqual(served(config, false));
  });
});
