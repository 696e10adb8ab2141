import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../store/redis-keys.ts';

/** What Redis holds about a user right now; every field may be missing. */
export interface UserContext {
  /** Live p_u from the stream actors (raw little-endian Float32), when present. */
  readonly vector: Float32Array | null;
  /** Live b_u, when present. */
  readonly bias: number | null;
  readonly age: number | null;
  readonly gender: string | null;
  /** Movies watched or rated, most recent first (the exclusions). */
  readonly seen: string[];
}

/** Exclusions read per request; the actors bound the history, this bounds the read. */
const MAX_SEEN = 2000;

function finite(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Reads the user's vector, bias, demographics and exclusions in one pipelined round trip. */
export async function readUserContext(redis: Redis, keys: RedisKeys, userId: string): Promise<UserContext> {
  const results = await redis
    .pipeline()
    .getBuffer(keys.userFactors(userId))
    .hmget(keys.userState(userId), 'bias', 'age', 'gender')
    .zrevrange(keys.userHistory(userId), 0, MAX_SEEN - 1)
    .exec();
  if (results === null) throw new Error('Redis pipeline was discarded');
  for (const [error] of results) if (error) throw error;
  const bytes = results[0]?.[1] as Buffer | null;
  const [bias, age, gender] = (results[1]?.[1] ?? []) as (string | null)[];
  const vector =
    bytes === null || bytes.length === 0 || bytes.length % 4 !== 0
      ? null
      : new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return {
    vector,
    bias: finite(bias),
    age: finite(age),
    gender: gender ?? null,
    seen: (results[2]?.[1] ?? []) as string[],
  };
}
