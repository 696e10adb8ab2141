import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { mayWatch } from '../guardrails/age-policy.ts';
import { cohortOf, GLOBAL_COHORT } from '../store/popular-lists.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { writeUserFixture } from '../state/user-state.ts';
import { createFallbackList } from './fallback-list.ts';
import { defaultGuardrailSettings as settings } from './guardrail-settings.ts';
import { createRecommender, type DemographicsSource } from './recommender.ts';
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

function recommenderWith(demographics?: DemographicsSource) {
  return createRecommender({
    redis,
    keys,
    models: { current: () => serving },
    settings,
    fallback: createFallbackList(),
    ...(demographics && { demographics }),
    demographicsBudgetMs: 100,
  });
}

describe('cold start', () => {
  it("fetches an unseen user's demographics on first request and serves their cohort's popular list", async () => {
    const asked: string[] = [];
    const rec = await recommenderWith(async (id) => (asked.push(id), { age: 30, gender: 'F' }))('900001', 20);
    expect(asked).toEqual(['900001']);
    expect(rec.source).toBe('cold');
    expect(rec.items.slice(0, 20).map((i) => i.movieId)).toEqual(
      adultOnly.slice(0, 20).map((m) => m.movieId),
    );
    expect(rec.items.every((i) => i.reasons[0] === 'popular')).toBe(true);
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
    const rec = await recommenderWith(async () => ({ age: 9, gender: 'F' }))('900003', 20);
    expect(rec.items).toHaveLength(20);
    for (const item of rec.items) expect(mayWatch(settings.agePolicy, 9, byId.get(item.movieId)!)).toBe(true);
  });

  it('leaves out what the user already watched', async () => {
    const first = kidSafe[0]!.movieId;
    await writeUserFixture(redis, keys, '900004', { seen: [[1, first]] });
    const rec = await recommenderWith()('900004', 20);
    expect(rec.items.map((i) => i.movieId)).not.toContain(first);
  });
});
