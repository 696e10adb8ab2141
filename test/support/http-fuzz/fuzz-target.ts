/** The `marquee api` process a fuzz run aims at, with a small published model. */
import { Redis } from 'ioredis';
import { generateSyntheticWorld } from '../../../src/data/synthetic-world.ts';
import { publishModel } from '../../../src/store/model-store.ts';
import { redisKeys } from '../../../src/store/redis-keys.ts';
import type { TestScope } from '../../isolation.ts';
import { spawnApi, type ApiProcess } from '../api-process.ts';
import { syntheticServingModel } from '../synthetic-model.ts';
import type { FuzzAuth } from './fuzz-tokens.ts';
import type { OpenApiDocument } from './openapi-document.ts';

/** A `marquee api` process to fuzz, in a test scope with a small published model. */
export interface FuzzTarget {
  readonly api: ApiProcess;
  readonly port: number;
  readonly auth: FuzzAuth;
  /** The API's /openapi.json, as it serves it. */
  readonly doc: OpenApiDocument;
}

/**
 * Publishes a small synthetic model in `scope` and starts `marquee api` on it (per-IP throttling out
 * of the way, no rating quota, so requests reach the routes rather than the limiters).
 */
export async function startFuzzTarget(scope: TestScope): Promise<FuzzTarget> {
  const auth = { secret: 'fuzz-secret-that-is-at-least-32-characters' };
  for (const name of ['served', 'user-events']) await scope.createTopic(name, 1);
  // The schema as `marquee up` leaves it (migrated), so the experiment reports read real, empty tables.
  await scope.postgres();
  const redis = new Redis(scope.config.redis.url);
  try {
    const world = generateSyntheticWorld({ users: 100, movies: 300, ratings: 2_000, seed: 5 });
    const { artifact, movies } = syntheticServingModel(world, 8);
    await publishModel(redis, redisKeys(scope.config.redis.keyPrefix), artifact, { movies, version: '1' });
  } finally {
    redis.disconnect();
  }
  const api = spawnApi({ ...scope.env, JWT_SECRET: auth.secret, RATING_QUOTA: '0' }, [
    '--rate-limit',
    '1000000',
  ]);
  const port = await api.ready;
  const doc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as OpenApiDocument;
  return { api, port, auth, doc };
}
