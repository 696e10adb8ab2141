/**
 * MovieActor's persistence: activation reads `movieState` and `movieFactors` in one pipeline; a flush
 * adds the movie's writes to the batch's atomic commit. q_i is raw little-endian Float32 bytes (what
 * the serving API reads); b_i is the state hash's `bias` field; the histogram is fields `r1`..`r5`.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../src/store/redis-keys.ts';
import type { StreamModelOptions } from './model-options.ts';
import { newMovieState, type MovieState } from './movie-actor.ts';
import { vectorBytes, vectorFromBytes } from './user-store.ts';
import type { WriteBatch } from './write-batch.ts';

const STARS = [1, 2, 3, 4, 5] as const;

/** Loads movie states (one pipeline); movies Redis has never seen start from their seeded vector. */
export async function loadMovies(
  redis: Redis,
  keys: RedisKeys,
  ids: readonly string[],
  o: StreamModelOptions,
): Promise<MovieState[]> {
  const pipeline = redis.pipeline();
  for (const i of ids) {
    pipeline.hgetall(keys.movieState(i));
    pipeline.getBuffer(keys.movieFactors(i));
  }
  const replies = (await pipeline.exec()) ?? [];
  return ids.map((i, j) => {
    const [e1, hash] = replies[2 * j] ?? [];
    const [e2, bytes] = replies[2 * j + 1] ?? [];
    if (e1 ?? e2) throw e1 ?? e2;
    const h = hash as Record<string, string>;
    const fresh = newMovieState(i, o);
    const vector = vectorFromBytes(bytes as Buffer | null, o.factors);
    if (h.ratings === undefined && vector === null) return fresh;
    return {
      movieId: i,
      bias: Number(h.bias ?? 0),
      vector: vector ?? fresh.vector,
      ratings: Number(h.ratings ?? 0),
      watches: Number(h.watches ?? 0),
      histogram: STARS.map((r) => Number(h[`r${r}`] ?? 0)),
      capped: Number(h.capped ?? 0),
      popularity: Number(h.popularity ?? 0),
      popularityAt: Number(h.popularityAt ?? 0),
      day: h.day ?? '',
      dayUpdates: Number(h.dayUpdates ?? 0),
    };
  });
}

/** Adds the writes that persist a movie's state to the batch. */
export function flushMovie(s: MovieState, keys: RedisKeys, w: WriteBatch): void {
  w.set(keys.movieFactors(s.movieId), vectorBytes(s.vector));
  w.hset(keys.movieState(s.movieId), {
    bias: s.bias,
    ratings: s.ratings,
    watches: s.watches,
    ...Object.fromEntries(STARS.map((r) => [`r${r}`, s.histogram[r - 1] ?? 0])),
    capped: s.capped,
    popularity: s.popularity,
    popularityAt: s.popularityAt,
    day: s.day,
    dayUpdates: s.dayUpdates,
  });
}
