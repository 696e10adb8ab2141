import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { publishModel, refreshModelMovies } from '../store/model-store.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { defaultGuardrailSettings as settings } from './guardrail-settings.ts';
import { createModelHolder } from './model-holder.ts';
import { syntheticServingModel } from '../../test/support/synthetic-model.ts';

const scope = createTestScope('model-holder');
const redis = scope.redis();
const keys = redisKeys(scope.config.redis.keyPrefix);
const world = generateSyntheticWorld({ users: 50, movies: 120, ratings: 800, seed: 3 });
const { artifact, movies } = syntheticServingModel(world, 8);
afterAll(() => scope.cleanup());

describe('createModelHolder', () => {
  it('refreshes by the active version name: an unchanged version is kept without reading its artifact', async () => {
    const loaded: string[] = [];
    const subscriber = new Redis(scope.config.redis.url);
    const holder = createModelHolder({
      redis,
      subscriber,
      keys,
      settings,
      onLoad: (m) => loaded.push(m.version),
    });
    await publishModel(redis, keys, artifact, { movies, version: '1' });
    await holder.start();
    // With its artifact gone, version 1 could not be read again: refresh must not try.
    await redis.del(keys.model('1', 'artifact'));
    expect(await holder.refresh()).toBe(true);
    expect(holder.current()?.version).toBe('1');
    await publishModel(redis, keys, artifact, { movies, version: '2' });
    expect(await holder.refresh()).toBe(true);
    expect(holder.current()?.version).toBe('2');
    expect(loaded).toEqual(['1', '2']);
    await holder.stop();
    subscriber.disconnect();
  });

  it('rebuilds the catalogue of the version it holds when its movie metadata is refreshed', async () => {
    const subscriber = new Redis(scope.config.redis.url);
    const holder = createModelHolder({ redis, subscriber, keys, settings });
    await publishModel(redis, keys, artifact, { movies: [], version: '3' });
    await holder.start();
    const adult = movies.find((m) => m.adult) ?? { ...(movies[0] as (typeof movies)[number]), adult: true };
    const safe = movies.find((m) => !m.adult && m.certification === 'G') as (typeof movies)[number];
    const i = holder.current()?.catalogue.indexOf(adult.movieId) as number;
    const j = holder.current()?.catalogue.indexOf(safe.movieId) as number;
    // Before enrichment no title is described: a child is shown none of them (it may be adult), an adult any.
    expect(holder.current()?.masks.allowed(10, i)).toBe(false);
    expect(holder.current()?.masks.allowed(10, j)).toBe(false);
    expect(holder.current()?.masks.allowed(30, i)).toBe(true);
    await refreshModelMovies(redis, keys, '3', [...movies.filter((m) => m.movieId !== adult.movieId), adult]);
    // Described now: the G title opens to the child, the adult one stays closed.
    await expect.poll(() => holder.current()?.masks.allowed(10, j), { timeout: 5_000 }).toBe(true);
    expect(holder.current()?.masks.allowed(10, i)).toBe(false);
    expect(holder.current()?.version).toBe('3');
    expect(holder.current()?.catalogue.movies[i]?.genres).toEqual(adult.genres);
    await holder.stop();
    subscriber.disconnect();
  });

  it("holds an experiment's arm versions beside the active one, builds each once, and drops them when the experiment ends", async () => {
    const subscriber = new Redis(scope.config.redis.url);
    const errors: unknown[] = [];
    const holder = createModelHolder({ redis, subscriber, keys, settings, onError: (e) => errors.push(e) });
    await publishModel(redis, keys, artifact, { movies, version: '10' });
    await publishModel(redis, keys, artifact, { movies, version: '11' });
    await holder.start();
    expect(holder.current()?.version).toBe('11');
    await holder.hold(['10', '11', '404']);
    expect(holder.version('10')?.version).toBe('10');
    // The active version is not built twice: the arm serves the very object the holder serves.
    expect(holder.version('11')).toBe(holder.current());
    expect(holder.held().map((m) => m.version)).toEqual(['11', '10']);
    expect(String(errors[0])).toMatch(/version 404 is not stored/);
    const arm = holder.version('10');
    await holder.hold(['10']);
    expect(holder.version('10')).toBe(arm);
    await holder.hold([]);
    expect(holder.version('10')).toBeUndefined();
    expect(holder.version('11')).toBe(holder.current());
    await holder.stop();
    subscriber.disconnect();
  });
});
