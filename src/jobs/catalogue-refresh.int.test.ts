import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { syntheticServingModel } from '../../test/support/synthetic-model.ts';
import type { MovieRecord } from '../data/dataset.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { boardWeight } from '../model/ranking/popularity.ts';
import { createFallbackList } from '../serving/fallback-list.ts';
import { defaultGuardrailSettings as settings } from '../serving/guardrail-settings.ts';
import { createModelHolder } from '../serving/model-holder.ts';
import { createPopularityHolder } from '../serving/popularity-holder.ts';
import { createRecommender } from '../serving/recommender.ts';
import { loadModelVersion, publishModel } from '../store/model-store.ts';
import { GLOBAL_COHORT } from '../store/popular-lists.ts';
import { upsertMovies } from '../store/postgres/reference-data.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { readSafeList } from '../store/popular-lists.ts';
import { refreshCatalogue, refreshSafeList } from './catalogue-refresh.ts';

const scope = createTestScope('catalogue-refresh');
const redis = scope.redis();
const keys = redisKeys(scope.config.redis.keyPrefix);
const world = generateSyntheticWorld({ users: 60, movies: 150, ratings: 1_000, seed: 21 });
const { artifact, movies } = syntheticServingModel(world, 8);
const HALF_LIFE = 365 * 86_400_000;
/** Two titles the model never trained: one the board ranks first, one nobody watched. */
const fresh: MovieRecord = {
  movieId: 'fresh+title+2026',
  title: 'Fresh Title',
  genres: ['Drama'],
  year: 2026,
  certification: 'PG',
  adult: false,
  sourceId: 'fresh',
};
const unwatched: MovieRecord = {
  ...fresh,
  movieId: 'unwatched+2026',
  title: 'Unwatched',
  sourceId: 'unwatched',
};
let pool: pg.Pool;

beforeAll(async () => {
  pool = await scope.postgres();
  await upsertMovies(pool, [...world.movies, fresh, unwatched], 'test');
  await publishModel(redis, keys, artifact, { movies, version: '1' });
});
afterAll(() => scope.cleanup());

describe('the safe list, against real Redis and Postgres', () => {
  it('keeps the live board’s most popular titles every age may see, in board order, and never empties a stored list', async () => {
    const board = keys.popularFor(GLOBAL_COHORT);
    const pg13 = world.movies.find((m) => m.certification === 'PG-13' && !m.adult) as MovieRecord;
    const adult = world.movies.find((m) => m.adult) as MovieRecord;
    const safe = world.movies.filter(
      (m) => !m.adult && (m.certification === 'G' || m.certification === 'PG'),
    );
    const [a, b, c] = safe as [MovieRecord, MovieRecord, MovieRecord];
    // Most popular first: an adult title, a PG-13 one, an undescribed one, then three safe ones.
    const ranked = [adult.movieId, pg13.movieId, 'nobody+described+this', a.movieId, b.movieId, c.movieId];
    await redis.zadd(board, ...ranked.flatMap((id, k) => [100 - k, id]));
    expect(await refreshSafeList(redis, keys, pool)).toBe(3);
    expect(await readSafeList(redis, keys)).toEqual([a.movieId, b.movieId, c.movieId]);
    // A board of nothing described leaves the stored list alone.
    await redis.del(board);
    await redis.zadd(board, 5, 'nobody+described+this');
    expect(await refreshSafeList(redis, keys, pool)).toBe(0);
    expect(await readSafeList(redis, keys)).toEqual([a.movieId, b.movieId, c.movieId]);
    await redis.del(board);
  });
});

describe('a title new since the last retrain, against real Redis and Postgres', () => {
  it('enters the served catalogue once the worker refreshes it, and lists through its live popularity alone', async () => {
    const now = Date.now();
    const bump = (movieId: string, times: number) =>
      redis.zincrby(keys.popularFor(GLOBAL_COHORT), times * boardWeight(now, HALF_LIFE), movieId);
    await bump(fresh.movieId, 500);
    await bump('never+described+2026', 400);
    for (const [k, m] of world.movies.slice(0, 40).entries()) await bump(m.movieId, 40 - k);

    const subscriber = new Redis(scope.config.redis.url);
    const models = createModelHolder({ redis, subscriber, keys, settings });
    await models.start();
    const popularity = createPopularityHolder({ redis, keys, models, halfLifeMs: HALF_LIFE });
    const recommend = createRecommender({
      redis,
      keys,
      models,
      settings,
      fallback: createFallbackList(),
      popularity,
      demographics: async () => ({ age: 30, gender: 'F' }),
    });
    try {
      const nItems = models.current()?.model.nItems;
      expect(nItems).toBe(artifact.itemIds.length);
      await popularity.refresh();
      const before = await recommend('new-user-1', 20);
      expect(before.source).toBe('cold');
      expect(before.items.map((i) => i.movieId)).not.toContain(fresh.movieId);

      const refreshed = await refreshCatalogue(redis, keys, pool);
      expect(refreshed).toMatchObject({ version: '1', added: 1, trained: artifact.itemIds.length });
      // Stored after the model's own titles; the unwatched title is not on the board and the hot
      // undescribed one has no certification for the guard: neither is added.
      const stored = (await loadModelVersion(redis, keys, '1'))?.movies.map((m) => m.movieId) ?? [];
      expect(stored.at(-1)).toBe(fresh.movieId);
      expect(stored).not.toContain(unwatched.movieId);
      expect(stored).not.toContain('never+described+2026');
      // A second refresh with nothing new republishes nothing.
      expect(await refreshCatalogue(redis, keys, pool)).toBeNull();

      await expect
        .poll(() => models.current()?.catalogue.indexOf(fresh.movieId), { timeout: 5_000 })
        .toBe(artifact.itemIds.length);
      const serving = models.current();
      expect(serving?.version).toBe('1');
      expect(serving?.model.knowsItem(artifact.itemIds.length)).toBe(false);
      await popularity.refresh();
      // The hottest title on the board counts toward the popularity cap's head, untrained or not.
      expect(popularity.headMask(serving as NonNullable<typeof serving>)[artifact.itemIds.length]).toBe(1);
      expect(serving?.headMask[artifact.itemIds.length]).toBe(0);
      const after = await recommend('new-user-1', 20);
      expect(after.items[0]?.movieId).toBe(fresh.movieId);
      expect(after.items[0]?.movie?.title).toBe('Fresh Title');
      // A user with a vector gets it too: the model's score of an untrained title counts as average.
      const known = world.users[0]?.userId as string;
      const personal = await recommend(known, 20);
      expect(personal.source).toBe('personal');
      expect(personal.items.map((i) => i.movieId)).toContain(fresh.movieId);

      // One new title leaves the board and another rises: as many titles, not the same ones.
      await redis.zrem(keys.popularFor(GLOBAL_COHORT), fresh.movieId);
      await bump(unwatched.movieId, 300);
      expect(await refreshCatalogue(redis, keys, pool)).toMatchObject({ added: 1 });
      const swapped = (await loadModelVersion(redis, keys, '1'))?.movies.map((m) => m.movieId) ?? [];
      expect(swapped.at(-1)).toBe(unwatched.movieId);
      expect(swapped).not.toContain(fresh.movieId);
    } finally {
      await popularity.stop();
      await models.stop();
      subscriber.disconnect();
    }
  });
});
