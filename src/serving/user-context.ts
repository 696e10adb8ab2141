import type { Redis } from 'ioredis';
import type { RedisKeys } from '../store/redis-keys.ts';

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

type Replies = [error: Error | null, result: unknown][];

function contextOf(results: Replies, at: number): UserContext {
  for (let k = at; k < at + 3; k++) {
    const error = results[k]?.[0];
    if (error) throw error;
  }
  const bytes = results[at]?.[1] as Buffer | null;
  const [bias, age, gender] = (results[at + 1]?.[1] ?? []) as (string | null)[];
  const vector =
    bytes === null || bytes.length === 0 || bytes.length % 4 !== 0
      ? null
      : new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return {
    vector,
    bias: finite(bias),
    age: finite(age),
    gender: gender ?? null,
    seen: (results[at + 2]?.[1] ?? []) as string[],
  };
}

/** The three reads of each user, in one pipeline; parse user j's with contextOf(replies, 3 * j). */
async function readReplies(redis: Redis, keys: RedisKeys, userIds: readonly string[]): Promise<Replies> {
  const pipeline = redis.pipeline();
  for (const userId of userIds)
    pipeline
      .getBuffer(keys.userFactors(userId))
      .hmget(keys.userState(userId), 'bias', 'age', 'gender')
      .zrevrange(keys.userHistory(userId), 0, MAX_SEEN - 1);
  const results = (await pipeline.exec()) as Replies | null;
  if (results === null) throw new Error('Redis pipeline was discarded');
  return results;
}

/** Reads the user's vector, bias, demographics and exclusions in one pipelined round trip. */
export async function readUserContext(redis: Redis, keys: RedisKeys, userId: string): Promise<UserContext> {
  return contextOf(await readReplies(redis, keys, [userId]), 0);
}

/** A request waiting for its user's context. */
interface Waiting {
  readonly userId: string;
  resolve(context: UserContext): void;
  reject(error: unknown): void;
}

/**
 * readUserContext, batched: the reads of every request that arrives before the event loop's check
 * phase (setImmediate) leave in one pipeline, one socket write and one reply read for all of them.
 * A write to a loopback socket cost ≈ 50 µs of kernel time per request on these machines; when
 * requests queue up (the tail), they share it. A lone request waits only for the current I/O phase.
 * A user whose replies failed rejects alone.
 */
export function createUserContextReader(
  redis: Redis,
  keys: RedisKeys,
): (userId: string) => Promise<UserContext> {
  let waiting: Waiting[] = [];
  function send() {
    const batch = waiting;
    waiting = [];
    readReplies(
      redis,
      keys,
      batch.map((w) => w.userId),
    ).then(
      (replies) =>
        batch.forEach((w, j) => {
          try {
            w.resolve(contextOf(replies, 3 * j));
          } catch (error) {
            w.reject(error);
          }
        }),
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    );
  }
  return (userId) =>
    new Promise((resolve, reject) => {
      if (waiting.length === 0) setImmediate(send);
      waiting.push({ userId, resolve, reject });
    });
}
