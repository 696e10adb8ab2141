import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { ageClass, mayWatch } from '../guardrails/age-policy.ts';
import { cohortOf, GLOBAL_COHORT } from '../store/popular-lists.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { writeUserFixture } from '../state/user-state.ts';
import { createFallbackList } from './fallback-list.ts';
import { defaultGuardrailSettings as settings } from './guardrail-settings.ts';
import { BLEND_DEFAULTS, type BlendConfig } from '../model/ranking/blend.ts';
import { createPopularityHolder } from './popularity-holder.ts';
import {
  createRecommender,
  type DemographicsSource,
  type Recommendation,
  type RecommenderDeps,
} from './recommender.ts';
import { buildServingModel } from './serving-model.ts';
import { syntheticServingModel } from '../../test/support/synthetic-model.ts';

const scope = createTestScope('recommender');
const redis = scope.redis();
const keys = redisKeys(scope.config.redis.keyPrefix);
const world = generateSyntheticWorld({ users: 200, movies: 400, ratings: 3000, seed: 11 });
const { artifact, movies } = syntheticServingModel(world, 8);
const serving = buildServingModel('1', artifact, movies, settings);
const byId = new Map(movies.map((m) => [m.movieId, m]));
const adultOnly = movies.filter((m) => m.certification === 'R' || m.certification === 'NC-17' || m.adult);
const kidSafe = movies.filter((m) => mayWatch(settings.agePolicy, 0, m));

beforeAll(async () => {
  // The 25-34 women's list is all R/NC-17; the global list starts with adult titles too.
  await redis.zadd(
    keys.popularFor(cohortOf(30, 'F')),
    ...adultOnly.slice(0, 30).flatMap((m, k) => [100 - k, m.movieId]),
  );
  const global = [...adultOnly.slice(30, 40), ...kidSafe.slice(0, 30)];
  await redis.zadd(keys.popularFor(GLOBAL_COHORT), ...global.flatMap((m, k) => [100 - k, m.movieId]));
});
afterAll(() => scope.cleanup());

/** A popularity holder over this file's boards, read once. */
async function holder() {
  const h = createPopularityHolder({ redis, keys, models: { current: () => serving } });
  await h.refresh();
  return h;
}

function recommenderWith(
  demographics?: DemographicsSource,
  extra: Pick<RecommenderDeps, 'popularity' | 'blend'> = {},
) {
  return createRecommender({
    redis,
    keys,
    models: { current: () => serving },
    settings,
    fallback: createFallbackList(),
    ...(demographics && { demographics }),
    demographicsBudgetMs: 100,
    ...extra,
  });
}

const ids = (rec: Recommendation) => rec.items.map((i) => i.movieId);

describe('cold start', () => {
  it("fetches an unseen user's demographics on first request and ranks by the blend within their age", async () => {
    const asked: string[] = [];
    const rec = await recommenderWith(async (id) => (asked.push(id), { age: 30, gender: 'F' }))('900001', 20);
    expect(asked).toEqual(['900001']);
    expect(rec.source).toBe('cold');
    expect(rec.items).toHaveLength(20);
    for (const item of rec.items) {
      expect(mayWatch(settings.agePolicy, 30, byId.get(item.movieId)!)).toBe(true);
      expect(item.score).not.toBeNull();
      expect(item.reasons.length).toBeGreaterThan(0);
    }
  });

  it('serves a list safe for every age when demographics do not arrive within the budget', async () => {
    const slow: DemographicsSource = () =>
      new Promise((r) => setTimeout(() => r({ age: 30, gender: 'F' }), 1000));
    const started = performance.now();
    const rec = await recommenderWith(slow)('900002', 20);
    expect(performance.now() - started).toBeLessThan(400);
    expect(rec.items).toHaveLength(20);
    for (const item of rec.items) expect(mayWatch(settings.agePolicy, 0, byId.get(item.movieId)!)).toBe(true);
  });

  it("keeps a child's cold list within the age policy even when the cohort list is not", async () => {
    const popularity = await holder();
    const rec = await recommenderWith(async () => ({ age: 9, gender: 'F' }), { popularity })('900003', 20);
    expect(rec.items).toHaveLength(20);
    for (const item of rec.items) expect(mayWatch(settings.agePolicy, 9, byId.get(item.movieId)!)).toBe(true);
  });

  it('leaves out what the user already watched', async () => {
    const popularity = await holder();
    const recommend = recommenderWith(undefined, { popularity });
    const first = ids(await recommend('900004', 20))[0] as string;
    await writeUserFixture(redis, keys, '900005', { seen: [[1, first]] });
    const rec = await recommend('900005', 20);
    expect(rec.items).toHaveLength(20);
    expect(ids(rec)).not.toContain(first);
  });

  it('ranks by μ + b_i alone before any popularity is known', async () => {
    const rec = await recommenderWith(async () => ({ age: 30, gender: 'F' }))('900006', 20);
    const { mu, itemBias } = serving.model.data;
    const best = serving.candidateBases[ageClass(settings.agePolicy, 30)]!.items.reduce((a, b) =>
      (itemBias[b] as number) > (itemBias[a] as number) ? b : a,
    );
    expect(ids(rec)[0]).toBe(serving.catalogue.itemIds[best]);
    expect(rec.items[0]?.score).toBeCloseTo(mu + (itemBias[best] as number), 4);
  });

  it("lifts a movie the user's cohort watches into a cold user's list, and not into another cohort's", async () => {
    // BLEND_DEFAULTS weights the cohort 0 (tuned on data without demographics); here it counts.
    const blend: BlendConfig = {
      ...BLEND_DEFAULTS,
      coldWeights: { ...BLEND_DEFAULTS.coldWeights, cohort: 1 },
    };
    const popularity = await holder();
    const women30 = recommenderWith(async () => ({ age: 30, gender: 'F' }), { popularity, blend });
    const men30 = recommenderWith(async () => ({ age: 30, gender: 'M' }), { popularity, blend });
    const before = await women30('900007', 20);
    // The lowest-quality title adults may see, absent from every board so far.
    const { itemBias } = serving.model.data;
    const rising = serving.candidateBases[ageClass(settings.agePolicy, 30)]!.items.reduce((a, b) =>
      (itemBias[b] as number) < (itemBias[a] as number) ? b : a,
    );
    const risingId = serving.catalogue.itemIds[rising] as string;
    expect(ids(before)).not.toContain(risingId);
    await redis.zadd(keys.popularFor(cohortOf(30, 'F')), 5000, risingId);
    popularity.cohort(serving, cohortOf(30, 'M')); // ask for the men's cohort too, so it is read
    await popularity.refresh();
    const after = await women30('900008', 20);
    expect(ids(after)).toContain(risingId);
    expect(ids(await men30('900009', 20))).not.toContain(risingId);
    await redis.zrem(keys.popularFor(cohortOf(30, 'F')), risingId);
  });

  it('lifts a movie everyone watches with the default weights (the global board)', async () => {
    const popularity = await holder();
    const recommend = recommenderWith(async () => ({ age: 30, gender: 'M' }), { popularity });
    const { itemBias } = serving.model.data;
    const rising = serving.candidateBases[ageClass(settings.agePolicy, 30)]!.items.reduce((a, b) =>
      (itemBias[b] as number) < (itemBias[a] as number) ? b : a,
    );
    const risingId = serving.catalogue.itemIds[rising] as string;
    expect(ids(await recommend('900010', 20))).not.toContain(risingId);
    await redis.zadd(keys.popularFor(GLOBAL_COHORT), 5000, risingId);
    await popularity.refresh();
    expect(ids(await recommend('900011', 20))).toContain(risingId);
    await redis.zrem(keys.popularFor(GLOBAL_COHORT), risingId);
  });
});
