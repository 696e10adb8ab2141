import type { Redis } from 'ioredis';
import type { CatalogueMovie } from '../data/catalogue-index.ts';
import { decodeArtifact, encodeArtifact, type ModelArtifact } from '../model/artifact.ts';
import type { RedisKeys } from './redis-keys.ts';

/** A model version as the API loads it: the artifact and the movie metadata it was trained over. */
export interface PublishedModel {
  readonly version: string;
  readonly artifact: ModelArtifact;
  readonly movies: readonly CatalogueMovie[];
}

/** Options of {@link publishModel}. */
export interface PublishOptions {
  /** Titles, genres, certification and adult flag of the artifact's items (default none). */
  readonly movies?: readonly CatalogueMovie[];
  /** The version name (default: the publication time, ms, so versions sort by age). */
  readonly version?: string;
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
    .exec();
  const flipped = await redis
    .multi()
    .set(keys.activeModel(), version)
    .publish(keys.modelChannel(), version)
    .exec();
  const failure = flipped?.find(([error]) => error !== null)?.[0];
  if (failure) throw failure;
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
  const [bytes, movies] = await Promise.all([
    redis.getBuffer(keys.model(version, 'artifact')),
    redis.get(keys.model(version, 'movies')),
  ]);
  if (bytes === null) return null;
  return {
    version,
    artifact: decodeArtifact(bytes),
    movies: movies === null ? [] : (JSON.parse(movies) as CatalogueMovie[]),
  };
}
