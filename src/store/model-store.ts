import type { Redis } from 'ioredis';
import type { CatalogueMovie } from '../data/catalogue-index.ts';
import { decodeArtifact, encodeArtifact, type ModelArtifact } from '../model/artifact.ts';
import type { RedisKeys } from './redis-keys.ts';
import type { Watermark } from './postgres/rating-log.ts';

/** A model version as the API loads it: the artifact and the movie metadata it was trained over. */
export interface PublishedModel {
  readonly version: string;
  readonly artifact: ModelArtifact;
  readonly movies: readonly CatalogueMovie[];
  /** Per user-events partition, the last rating the model trained on (empty: unknown, e.g. a file). */
  readonly watermark: Watermark;
}

/** Options of {@link publishModel}. */
export interface PublishOptions {
  /** Titles, genres, certification and adult flag of the artifact's items (default none). */
  readonly movies?: readonly CatalogueMovie[];
  /** The version name (default: the publication time, ms, so versions sort by age). */
  readonly version?: string;
  /** Per user-events partition, the last rating trained on: the actors replay what came after. */
  readonly watermark?: Watermark;
}

/** Throws the first error of a MULTI's replies (exec resolves even when a command failed). */
function throwFirstError(replies: [error: Error | null, result: unknown][] | null): void {
  const failure = replies?.find(([error]) => error !== null)?.[0];
  if (failure) throw failure;
}

/** Points `model:active` at `version` and announces it, in one MULTI. */
async function flipActive(redis: Redis, keys: RedisKeys, version: string): Promise<void> {
  throwFirstError(
    await redis.multi().set(keys.activeModel(), version).publish(keys.modelChannel(), version).exec(),
  );
}

/**
 * Stores an artifact under a new version, then flips the active version and announces it in one
 * MULTI: a reader that sees the new version finds its parts already written, and no subscriber hears
 * of a version that is not active. Old versions stay (a retrain job decides their retention).
 */
export async function publishModel(
  redis: Redis,
  keys: RedisKeys,
  artifact: ModelArtifact,
  options: PublishOptions = {},
): Promise<string> {
  const version = options.version ?? String(Date.now());
  await redis
    .multi()
    .set(keys.model(version, 'artifact'), Buffer.from(encodeArtifact(artifact)))
    .set(keys.model(version, 'movies'), JSON.stringify(options.movies ?? []))
    .set(keys.model(version, 'watermark'), JSON.stringify(options.watermark ?? {}))
    .exec();
  await flipActive(redis, keys, version);
  return version;
}

/** The active model, or null when none was ever published. Throws ArtifactError on a corrupt one. */
export async function loadActiveModel(redis: Redis, keys: RedisKeys): Promise<PublishedModel | null> {
  const version = await redis.get(keys.activeModel());
  return version === null ? null : loadModelVersion(redis, keys, version);
}

/** One stored version, or null when its parts are missing. */
export async function loadModelVersion(
  redis: Redis,
  keys: RedisKeys,
  version: string,
): Promise<PublishedModel | null> {
  const [bytes, movies, watermark] = await Promise.all([
    redis.getBuffer(keys.model(version, 'artifact')),
    redis.get(keys.model(version, 'movies')),
    redis.get(keys.model(version, 'watermark')),
  ]);
  if (bytes === null) return null;
  return {
    version,
    artifact: decodeArtifact(bytes),
    movies: movies === null ? [] : (JSON.parse(movies) as CatalogueMovie[]),
    watermark: watermark === null ? {} : (JSON.parse(watermark) as Watermark),
  };
}

/** The suffix of a notice that a version's movie metadata was refreshed (same factors). */
export const MOVIES_REFRESHED = '#movies';

/**
 * Replaces a stored version's movie metadata (more of its titles got metadata since it was
 * published) and tells the serving processes to rebuild their catalogue: the metadata decides the
 * age guard and genres, and a model trained before enrichment caught up would otherwise serve
 * titles as unknown (not adult, no genres) until the next retrain.
 */
export async function refreshModelMovies(
  redis: Redis,
  keys: RedisKeys,
  version: string,
  movies: readonly CatalogueMovie[],
): Promise<void> {
  const done = await redis
    .multi()
    .set(keys.model(version, 'movies'), JSON.stringify(movies))
    .publish(keys.modelChannel(), `${version}${MOVIES_REFRESHED}`)
    .exec();
  throwFirstError(done);
}

/** The active version's name, or null when none was ever published. */
export function readActiveVersion(redis: Redis, keys: RedisKeys): Promise<string | null> {
  return redis.get(keys.activeModel());
}

/** The encoded artifact of a stored version, or null. */
export function readArtifactBytes(redis: Redis, keys: RedisKeys, version: string): Promise<Buffer | null> {
  return redis.getBuffer(keys.model(version, 'artifact'));
}

/**
 * Makes a stored version active again (a rollback) and announces it. Throws when its artifact is gone
 * (retention deleted it): an active pointer must never name a version nobody can load.
 */
export async function activateModelVersion(redis: Redis, keys: RedisKeys, version: string): Promise<void> {
  if ((await redis.exists(keys.model(version, 'artifact'))) === 0)
    throw new Error(`model version ${version} is not stored (deleted by retention, or never published)`);
  await flipActive(redis, keys, version);
}

/** Deletes a stored version's parts; refuses the active one. */
export async function deleteModelVersion(redis: Redis, keys: RedisKeys, version: string): Promise<void> {
  if ((await redis.get(keys.activeModel())) === version) throw new Error(`version ${version} is active`);
  await redis.del(
    keys.model(version, 'artifact'),
    keys.model(version, 'movies'),
    keys.model(version, 'watermark'),
  );
}
