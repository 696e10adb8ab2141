/**
 * UserActor's persistence: activation reads `userState`, `userFactors` and `userServed` in one
 * pipeline; a flush adds the user's writes to the batch's atomic commit. p_u is raw little-endian
 * Float32 bytes (what the serving API reads); b_u is the state hash's `bias` field; the actor's other
 * scalars are one JSON field, `actor` ({ratings, watches, served, folded, pending}): two fields
 * instead of seven halve the arguments of the batch's Lua call, the stream's largest cost.
 * Other roles' fields in the same hash (age, gender) are left alone.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../store/redis-keys.ts';
import { vectorFromBase64, vectorToBase64 } from '../../actors/messages.ts';
import type { StreamModelOptions } from '../../actors/model-options.ts';
import { newUserState, type PendingRating, type UserState } from '../../actors/user/user-actor.ts';
import type { WriteBatch } from './write-batch.ts';

/** Float32 vector → its bytes, without copying. */
export function vectorBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Bytes → a fresh Float32 vector of length k, or null when the stored blob has another length. */
export function vectorFromBytes(bytes: Buffer | null, k: number): Float32Array | null {
  if (bytes === null || bytes.length !== k * 4) return null;
  const out = new Float32Array(k);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The `actor` field of a user's state hash. */
export interface StoredUser {
  ratings: number;
  watches: number;
  served: number;
  folded: boolean;
  pending: string;
}

type Wire = { m: string; r: number; b: number; q: string };

function decodePending(text: string | undefined): PendingRating[] {
  if (text === undefined || text === '') return [];
  return (JSON.parse(text) as Wire[]).map((p) => ({
    movieId: p.m,
    rating: p.r,
    movieBias: p.b,
    movieVector: vectorFromBase64(p.q) ?? new Float32Array(0),
  }));
}

function encodePending(pending: readonly PendingRating[]): string {
  const wire: Wire[] = pending.map((p) => ({
    m: p.movieId,
    r: p.rating,
    b: p.movieBias,
    q: vectorToBase64(p.movieVector),
  }));
  return JSON.stringify(wire);
}

/** Loads user states (one pipeline); users Redis has never seen start fresh. */
export async function loadUsers(
  redis: Redis,
  keys: RedisKeys,
  ids: readonly string[],
  o: StreamModelOptions,
): Promise<UserState[]> {
  const pipeline = redis.pipeline();
  for (const u of ids) {
    pipeline.hmget(keys.userState(u), 'bias', 'actor');
    pipeline.getBuffer(keys.userFactors(u));
    pipeline.hgetall(keys.userServed(u));
  }
  const replies = (await pipeline.exec()) ?? [];
  return ids.map((u, j) => {
    const [e1, hash] = replies[3 * j] ?? [];
    const [e2, bytes] = replies[3 * j + 1] ?? [];
    const [e3, served] = replies[3 * j + 2] ?? [];
    const error = e1 ?? e2 ?? e3;
    if (error) throw error;
    const [bias, actor] = hash as [string | null, string | null];
    const vector = vectorFromBytes(bytes as Buffer | null, o.factors);
    const fresh = newUserState(u, o);
    if (actor === null && vector === null) return fresh;
    const h = (actor === null ? {} : JSON.parse(actor)) as Partial<StoredUser>;
    const lastServed = Object.fromEntries(
      Object.entries(served as Record<string, string>).map(([arm, json]) => [
        arm,
        JSON.parse(json) as string[],
      ]),
    );
    return {
      userId: u,
      bias: Number(bias ?? 0),
      vector: vector ?? fresh.vector,
      ratings: h.ratings ?? 0,
      watches: h.watches ?? 0,
      served: h.served ?? 0,
      folded: h.folded ?? fresh.folded,
      pending: decodePending(h.pending),
      lastServed,
    };
  });
}

/**
 * Adds the writes that persist a user's state to the batch. p_u is written only when it changed
 * (a turn that learns makes a new vector): watches and served lists leave it alone, and an unwritten
 * seeded vector is re-derived from the id on the next activation.
 */
export function flushUser(s: UserState, keys: RedisKeys, w: WriteBatch, before: UserState): void {
  if (s.vector !== before.vector) w.set(keys.userFactors(s.userId), vectorBytes(s.vector));
  const actor: StoredUser = {
    ratings: s.ratings,
    watches: s.watches,
    served: s.served,
    folded: s.folded,
    pending: s.pending.length === 0 ? '' : encodePending(s.pending),
  };
  w.hset(keys.userState(s.userId), { bias: s.bias, actor: JSON.stringify(actor) });
  // Served lists change only on served events (a new object then): rewriting them every batch for
  // every user who was ever served one was most of the batch's bytes on course-like streams.
  const served = Object.entries(s.lastServed);
  if (served.length > 0 && s.lastServed !== before.lastServed) {
    w.hset(
      keys.userServed(s.userId),
      Object.fromEntries(served.map(([arm, items]) => [arm, JSON.stringify(items)])),
    );
  }
}
