/**
 * MovieActor's persistence: activation reads `movieState` and `movieFactors` in one pipeline; a flush
 * adds the movie's writes to the batch's atomic commit. q_i is raw little-endian Float32 bytes (what
 * the serving API reads); b_i is the state hash's `bias` field; the actor's other scalars are one
 * JSON field, `actor` (see StoredMovie), to keep the batch's Lua call short.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../store/redis-keys.ts';
import type { StreamModelOptions } from '../../actors/model-options.ts';
import { newMovieState, type MovieState } from '../../actors/movie/movie-actor.ts';
import { vectorBytes, vectorFromBytes } from './user-state.ts';
import type { WriteBatch } from './write-batch.ts';

/** The `actor` field of a movie's state hash. */
export type StoredMovie = Omit<MovieState, 'movieId' | 'bias' | 'vector'>;

/** Loads movie states (one pipeline); movies Redis has never seen start from their seeded vector. */
export async function loadMovies(
  redis: Redis,
  keys: RedisKeys,
  ids: readonly string[],
  o: StreamModelOptions,
): Promise<MovieState[]> {
  const pipeline = redis.pipeline();
  for (const i of ids) {
    pipeline.hmget(keys.movieState(i), 'bias', 'actor');
    pipeline.getBuffer(keys.movieFactors(i));
  }
  const replies = (await pipeline.exec()) ?? [];
  return ids.map((i, j) => {
    const [e1, hash] = replies[2 * j] ?? [];
    const [e2, bytes] = replies[2 * j + 1] ?? [];
    if (e1 ?? e2) throw e1 ?? e2;
    const [bias, actor] = hash as [string | null, string | null];
    const fresh = newMovieState(i, o);
    const vector = vectorFromBytes(bytes as Buffer | null, o.factors);
    if (actor === null && vector === null) return fresh;
    const stored = (actor === null ? {} : JSON.parse(actor)) as Partial<StoredMovie>;
    return { ...fresh, ...stored, movieId: i, bias: Number(bias ?? 0), vector: vector ?? fresh.vector };
  });
}

/** Adds the writes that persist a movie's state to the batch; q_i only when it changed. */
export function flushMovie(s: MovieState, keys: RedisKeys, w: WriteBatch, before: MovieState): void {
  if (s.vector !== before.vector) w.set(keys.movieFactors(s.movieId), vectorBytes(s.vector));
  const { movieId: _id, bias, vector: _v, ...actor } = s;
  w.hset(keys.movieState(s.movieId), { bias, actor: JSON.stringify(actor satisfies StoredMovie) });
}
