import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { preparePopularity } from '../model/ranking/blend.ts';
import { boardWeight, countFromBoard } from '../model/ranking/popularity.ts';
import { cohortOf, GLOBAL_COHORT } from '../store/popular-lists.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { syntheticServingModel } from '../../test/support/synthetic-model.ts';
import { defaultGuardrailSettings as settings } from './guardrail-settings.ts';
import { boardCounts, createPopularityHolder } from './popularity-holder.ts';
import { buildServingModel } from './serving-model.ts';

const scope = createTestScope('popularity-holder');
const redis = scope.redis();
const keys = redisKeys(scope.config.redis.keyPrefix);
const world = generateSyntheticWorld({ users: 50, movies: 120, ratings: 800, seed: 5 });
const { artifact, movies } = syntheticServingModel(world, 8);
const v1 = buildServingModel('1', artifact, movies, settings);
afterAll(() => scope.cleanup());

const HALF_LIFE = 365 * 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

/** Adds events to a board exactly as the stream's user stage does: ZINCRBY by the event's board weight. */
async function events(cohort: string, movieId: string, times: readonly number[]): Promise<void> {
  for (const at of times) await redis.zincrby(keys.popularFor(cohort), boardWeight(at, HALF_LIFE), movieId);
}

describe('boardCounts', () => {
  it("turns a board's scores into decayed counts per item index, skipping members the catalogue lacks", () => {
    const ids = v1.catalogue.itemIds;
    const board = [ids[3] as string, '2048', 'not-a-movie', '99', ids[7] as string, '512'];
    const counts = boardCounts(v1.catalogue, v1.model.nItems, board, T0, HALF_LIFE);
    expect(counts).toHaveLength(v1.model.nItems);
    expect(counts[3]).toBeCloseTo(countFromBoard(2048, T0, HALF_LIFE), 4);
    expect(counts[7]).toBeCloseTo(countFromBoard(512, T0, HALF_LIFE), 4);
    expect(counts.reduce((a, b) => a + b, 0)).toBeCloseTo((counts[3] as number) + (counts[7] as number), 4);
  });
});

describe('createPopularityHolder against real Redis', () => {
  let now = T0;
  const errors: unknown[] = [];
  let serving = v1;
  const holder = createPopularityHolder({
    redis,
    keys,
    models: { current: () => serving },
    halfLifeMs: HALF_LIFE,
    cohortTtlMs: 60_000,
    now: () => now,
    onError: (e) => errors.push(e),
  });
  const ids = v1.catalogue.itemIds;

  it('holds nothing before its first refresh, then the global board as decayed counts aligned to the model', async () => {
    // Movie 5: three events today; movie 9: two events a half-life ago (each now worth ½).
    await events(GLOBAL_COHORT, ids[5] as string, [T0, T0, T0]);
    await events(GLOBAL_COHORT, ids[9] as string, [T0 - HALF_LIFE, T0 - HALF_LIFE]);
    expect(holder.global(v1)).toBeNull();
    await holder.refresh();
    const term = holder.global(v1);
    const counts = new Float32Array(v1.model.nItems);
    counts[5] = 3;
    counts[9] = 1;
    const expected = preparePopularity(counts);
    expect(term?.values).toHaveLength(v1.model.nItems);
    for (let i = 0; i < v1.model.nItems; i++)
      expect(term?.values[i], `item ${i}`).toBeCloseTo(expected?.values[i] as number, 4);
    expect(errors).toEqual([]);
  });

  it('reads a cohort lazily: the first ask starts the read, later asks get it, and it lapses when nobody asks', async () => {
    const cohort = cohortOf(30, 'F');
    await events(cohort, ids[11] as string, [T0, T0]);
    expect(holder.cohort(v1, cohort)).toBeNull();
    await holder.refresh(); // the read the first ask started, or the next periodic one
    const term = holder.cohort(v1, cohort);
    expect(term).not.toBeNull();
    const top = term?.values.indexOf(Math.max(...(term?.values ?? [])));
    expect(top).toBe(11);
    expect(holder.cohort(v1, GLOBAL_COHORT)).toBeNull();
    now += 61_000;
    await holder.refresh();
    expect(holder.cohort(v1, cohort)).toBeNull();
    await holder.refresh();
    expect(holder.cohort(v1, cohort)).not.toBeNull();
  });

  it('serves nothing aligned to an old version after a model swap until it has read the boards again', async () => {
    serving = buildServingModel('2', artifact, movies, settings);
    expect(holder.global(serving)).toBeNull();
    await holder.refresh();
    expect(holder.global(serving)).not.toBeNull();
    expect(holder.global(v1)).toBeNull();
  });

  it('keeps what it holds, reports the error and never throws when Redis is unreachable', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    down.on('error', () => undefined);
    const failed: unknown[] = [];
    const broken = createPopularityHolder({
      redis: down,
      keys,
      models: { current: () => v1 },
      onError: (e) => failed.push(e),
    });
    await expect(broken.refresh()).resolves.toBeUndefined();
    expect(failed.length).toBeGreaterThan(0);
    expect(broken.global(v1)).toBeNull();
    down.disconnect();
  });
});
