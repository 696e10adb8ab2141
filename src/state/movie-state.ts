/**
 * A movie's state in Redis, owned here: the movie actor reads and flushes it, the user actor reads
 * its factors, tests read its counters, and nobody else names its keys or fields. Per movie (one
 * hash tag, one slot): `movieFactors` holds q_i as raw little-endian Float32 bytes (what the serving
 * API reads); the `movieState` hash holds `bias` (b_i) and `actor`, one JSON field with the other
 * scalars (see StoredMovie), to keep the batch's Lua call short; `movieDayRaters` is the set of
 * users the movie learned from on its cap day (`day`), grown by SADD so a flush writes only the new.
 */
import type { Redis } from 'ioredis';
import { AppendOnlySet } from '../lib/append-only-set.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import { vectorBytes, vectorFromBytes } from './vector-bytes.ts';
import type { WriteBatch } from './write-batch.ts';

/** Everything MovieActor(i) owns. Treated as immutable: a turn returns a new state. */
export interface MovieState {
  readonly movieId: string;
  readonly bias: number;
  readonly vector: Float32Array;
  readonly ratings: number;
  readonly watches: number;
  /** Ratings per star, index r − 1 (1..5 stars). */
  readonly histogram: readonly number[];
  /** Ratings counted but not learned because the day's cap was spent. */
  readonly capped: number;
  /** Re-ratings by a user already learned from that day: counted, neither learned nor charged to the cap. */
  readonly rerated: number;
  /** Decayed popularity as of `popularityAt` (epoch ms). */
  readonly popularity: number;
  readonly popularityAt: number;
  /** The UTC day `dayUpdates` counts. */
  readonly day: string;
  readonly dayUpdates: number;
  /** Push ratings (src/guardrails/push-ratings.ts) on `day`; absent in states stored before it existed. */
  readonly dayPushes?: number;
  /** The users whose rating of the movie was learned on `day` (at most the daily cap), in that order. */
  readonly dayRaters: AppendOnlySet;
  /** The published model version q_i and b_i live in ('' for seeded vectors, no model). */
  readonly version: string;
}

/** The `actor` field of a movie's state hash. */
export type StoredMovie = Omit<MovieState, 'movieId' | 'bias' | 'vector' | 'version' | 'dayRaters'>;

/** Loads movie states (one pipeline); a movie Redis has never seen is `fresh(id)`. */
export async function loadMovies(
  redis: Redis,
  keys: RedisKeys,
  ids: readonly string[],
  factors: number,
  fresh: (movieId: string) => MovieState,
): Promise<MovieState[]> {
  const pipeline = redis.pipeline();
  for (const i of ids) {
    pipeline.hmget(keys.movieState(i), 'bias', 'actor', 'v');
    pipeline.getBuffer(keys.movieFactors(i));
    pipeline.smembers(keys.movieDayRaters(i));
  }
  const replies = (await pipeline.exec()) ?? [];
  return ids.map((i, j) => {
    const [e1, hash] = replies[3 * j] ?? [];
    const [e2, bytes] = replies[3 * j + 1] ?? [];
    const [e3, raters] = replies[3 * j + 2] ?? [];
    if (e1 ?? e2 ?? e3) throw e1 ?? e2 ?? e3;
    const [bias, actor, version] = hash as [string | null, string | null, string | null];
    const start = fresh(i);
    const vector = vectorFromBytes(bytes as Buffer | null, factors);
    if (actor === null && vector === null) return start;
    const stored = (actor === null ? {} : JSON.parse(actor)) as Partial<StoredMovie>;
    return {
      ...start,
      ...stored,
      movieId: i,
      bias: Number(bias ?? 0),
      vector: vector ?? start.vector,
      dayRaters: AppendOnlySet.of(raters as string[]),
      version: version ?? '',
    };
  });
}

/** Adds the writes that persist a movie's state to the batch; q_i only when it changed. */
export function flushMovie(s: MovieState, keys: RedisKeys, w: WriteBatch, before: MovieState): void {
  if (s.vector !== before.vector) w.set(keys.movieFactors(s.movieId), vectorBytes(s.vector));
  if (s.dayRaters !== before.dayRaters) {
    const key = keys.movieDayRaters(s.movieId);
    // A new cap day starts from an empty set; the same day only adds (a set never loses a rater).
    const fresh = s.day !== before.day;
    if (fresh) w.del(key);
    const added = fresh ? [...s.dayRaters] : s.dayRaters.addedSince(before.dayRaters);
    if (added.length > 0) w.sadd(key, ...added);
  }
  const { movieId: _id, bias, vector: _v, version, dayRaters: _r, ...actor } = s;
  w.hset(keys.movieState(s.movieId), {
    bias,
    actor: JSON.stringify(actor satisfies StoredMovie),
    v: version,
  });
}

/** A movie's bias and factors as the user actor reads them (never written by it). */
export interface MovieFactors {
  readonly bias: number;
  readonly vector: Float32Array;
}

/**
 * The current bias and factors of `ids` in model version `version` (one pipeline). A movie not
 * written yet, or written in another version, reads as `fresh(id)`: its actor will move onto
 * exactly that (trained or seeded) state at its next message, so no step mixes two versions.
 */
export async function readMovieFactors(
  redis: Redis,
  keys: RedisKeys,
  ids: readonly string[],
  factors: number,
  version: string,
  fresh: (movieId: string) => MovieFactors,
): Promise<Map<string, MovieFactors>> {
  const pipeline = redis.pipeline();
  for (const i of ids) {
    pipeline.hmget(keys.movieState(i), 'bias', 'v');
    pipeline.getBuffer(keys.movieFactors(i));
  }
  const replies = (await pipeline.exec()) ?? [];
  const views = new Map<string, MovieFactors>();
  ids.forEach((i, j) => {
    const [e1, hash] = replies[2 * j] ?? [];
    const [e2, bytes] = replies[2 * j + 1] ?? [];
    if (e1 ?? e2) throw e1 ?? e2;
    const [storedBias, storedVersion] = hash as [string | null, string | null];
    const current = (storedVersion ?? '') === version;
    const bias = current ? storedBias : null;
    const stored = current ? vectorFromBytes(bytes as Buffer | null, factors) : null;
    const start = stored === null || bias == null ? fresh(i) : undefined;
    views.set(i, {
      bias: bias == null ? (start?.bias ?? 0) : Number(bias),
      vector: stored ?? (start?.vector as Float32Array),
    });
  });
  return views;
}

/** A movie's stored actor scalars (the `actor` field of its state hash), or null. */
export async function readStoredMovie(
  redis: Redis,
  keys: RedisKeys,
  movieId: string,
): Promise<StoredMovie | null> {
  const actor = await redis.hget(keys.movieState(movieId), 'actor');
  return actor === null ? null : (JSON.parse(actor) as StoredMovie);
}

/** A movie's live factors, or null when the stream has not written them (tests). */
export async function readMovieVector(
  redis: Redis,
  keys: RedisKeys,
  movieId: string,
  factors: number,
): Promise<Float32Array | null> {
  return vectorFromBytes(await redis.getBuffer(keys.movieFactors(movieId)), factors);
}

/** The raw stored q_i blob (null when absent): for checks that a stored vector is whole and finite. */
export function readMovieFactorBlob(redis: Redis, keys: RedisKeys, movieId: string): Promise<Buffer | null> {
  return redis.getBuffer(keys.movieFactors(movieId));
}

/** The model version a movie's stored vector lives in ('' seeded; null when never written). */
export function readMovieVersion(redis: Redis, keys: RedisKeys, movieId: string): Promise<string | null> {
  return redis.hget(keys.movieState(movieId), 'v');
}

/** The users a movie learned from on its current cap day (tests and attack simulations). */
export async function readMovieDayRaters(
  redis: Redis,
  keys: RedisKeys,
  movieId: string,
): Promise<Set<string>> {
  return new Set(await redis.smembers(keys.movieDayRaters(movieId)));
}
