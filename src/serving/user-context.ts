/**
 * The per-request read of a user's state for serving, batched per event-loop turn. The layout is
 * src/state/user-state.ts's (queueUserView / userViewOf); this module only decides when reads leave.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../store/redis-keys.ts';
import {
  queueUserView,
  USER_VIEW_REPLIES,
  userViewOf,
  type Replies,
  type UserView,
} from '../state/user-state.ts';

/** What Redis holds about a user right now; every field may be missing. */
export type UserContext = UserView;

/**
 * Exclusions read per request: the user's complete history (the actors keep every movie rated or
 * watched, up to their own safety bound, which this matches).
 */
const MAX_SEEN = 20_000;

/** The reads of each user, in one pipeline; parse user j's with userViewOf(replies, USER_VIEW_REPLIES * j). */
async function readReplies(redis: Redis, keys: RedisKeys, userIds: readonly string[]): Promise<Replies> {
  const pipeline = redis.pipeline();
  for (const userId of userIds) queueUserView(pipeline, keys, userId, MAX_SEEN);
  const results = (await pipeline.exec()) as Replies | null;
  if (results === null) throw new Error('Redis pipeline was discarded');
  return results;
}

/** Reads the user's vector, bias, demographics and exclusions in one pipelined round trip. */
export async function readUserContext(redis: Redis, keys: RedisKeys, userId: string): Promise<UserContext> {
  return userViewOf(await readReplies(redis, keys, [userId]), 0);
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
            w.resolve(userViewOf(replies, USER_VIEW_REPLIES * j));
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
