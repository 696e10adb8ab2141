/**
 * A user's state in Redis, owned here: the actor reads and flushes it, serving, the demo and the
 * tests read it, and nobody else names its keys or fields. Per user (one hash tag, one slot):
 * - `userFactors`: p_u as raw little-endian Float32 bytes (what the serving API reads);
 * - `userState` hash: `bias` (b_u), `actor` (one JSON field, {ratings, watches, served, folded,
 *   pending}: two fields instead of seven halve the arguments of the batch's Lua call, the stream's
 *   largest cost), and the profile fields `age` and `gender`;
 * - `userHistory`: sorted set of movies rated or watched (score: last time, ms), bounded by the actor;
 * - `userServed`: hash arm → JSON list, the last list served per A/B arm.
 * A user known only from served lists (no rating, watch or profile: anyone can ask for a list for
 * any id) keeps `userState` and `userServed` for {@link PASSING_USER_TTL_MS} after their last event;
 * their first rating, watch or profile makes the keys permanent.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisKeys } from '../store/redis-keys.ts';
import {
  vectorBytes,
  vectorFromBase64,
  vectorFromBytes,
  vectorToBase64,
  anyVectorFromBytes,
} from './vector-bytes.ts';
import type { WriteBatch } from './write-batch.ts';

/** A rating kept until the user is folded in, with the movie's factors as the actor read them. */
export interface PendingRating {
  readonly movieId: string;
  readonly rating: number;
  readonly movieBias: number;
  readonly movieVector: Float32Array;
}

/** Everything UserActor(u) owns. Treated as immutable: a turn returns a new state. */
export interface UserState {
  readonly userId: string;
  readonly bias: number;
  readonly vector: Float32Array;
  readonly ratings: number;
  readonly watches: number;
  readonly served: number;
  /** Whether the fold-in has run (or was never wanted). */
  readonly folded: boolean;
  readonly pending: readonly PendingRating[];
  /** The last list served per A/B arm (`default` when the event names none). */
  readonly lastServed: Readonly<Record<string, readonly string[]>>;
  /** The published model version p_u and b_u live in ('' for seeded vectors, no model). */
  readonly version: string;
  /** Demographics from the metadata source (profile events); null until known. */
  readonly age: number | null;
  readonly gender: string | null;
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

function finite(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/**
 * Loads user states (one pipeline). A user Redis has never seen is `fresh(id)`; stored fields
 * override it, so a state written before a field existed still loads.
 */
export async function loadUsers(
  redis: Redis,
  keys: RedisKeys,
  ids: readonly string[],
  factors: number,
  fresh: (userId: string) => UserState,
): Promise<UserState[]> {
  const pipeline = redis.pipeline();
  for (const u of ids) {
    pipeline.hmget(keys.userState(u), 'bias', 'actor', 'v', 'age', 'gender');
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
    const [bias, actor, version, age, gender] = hash as [
      string | null,
      string | null,
      string | null,
      string | null,
      string | null,
    ];
    const vector = vectorFromBytes(bytes as Buffer | null, factors);
    const start = fresh(u);
    const profile = { age: finite(age), gender: gender === null || gender === '' ? null : gender };
    if (actor === null && vector === null) return { ...start, ...profile };
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
      vector: vector ?? start.vector,
      ratings: h.ratings ?? 0,
      watches: h.watches ?? 0,
      served: h.served ?? 0,
      folded: h.folded ?? start.folded,
      pending: decodePending(h.pending),
      lastServed,
      version: version ?? '',
      ...profile,
    };
  });
}

/**
 * How long the state of a user known only from served lists lives after their last event: long
 * enough that a rating of a title in the list still finds it (online evaluation), short enough that
 * `/recommend/<any id>` cannot grow Redis without bound.
 */
export const PASSING_USER_TTL_MS = 7 * 86_400_000;

/** True for a user Marquee knows only from served lists: nothing of theirs would be missed. */
function isPassing(s: UserState): boolean {
  return s.ratings === 0 && s.watches === 0 && s.age === null && s.gender === null;
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
  w.hset(keys.userState(s.userId), { bias: s.bias, actor: JSON.stringify(actor), v: s.version });
  // Demographics change once or twice in a user's life: written only then.
  if (s.age !== before.age || s.gender !== before.gender)
    w.hset(keys.userState(s.userId), { age: s.age ?? '', gender: s.gender ?? '' });
  // Served lists change only on served events (a new object then): rewriting them every batch for
  // every user who was ever served one was most of the batch's bytes on course-like streams.
  const served = Object.entries(s.lastServed);
  if (served.length > 0 && s.lastServed !== before.lastServed) {
    w.hset(
      keys.userServed(s.userId),
      Object.fromEntries(served.map(([arm, items]) => [arm, JSON.stringify(items)])),
    );
  }
  if (isPassing(s)) {
    w.pexpire(keys.userState(s.userId), PASSING_USER_TTL_MS);
    if (served.length > 0) w.pexpire(keys.userServed(s.userId), PASSING_USER_TTL_MS);
  } else if (isPassing(before)) {
    w.persist(keys.userState(s.userId));
    if (served.length > 0) w.persist(keys.userServed(s.userId));
  }
}

/** Score-member pairs per ZADD in the commit script (it unpacks a write's arguments onto Lua's stack, ≈ 8,000 slots). */
const HISTORY_PAIRS_PER_WRITE = 500;

/**
 * Adds a batch's history entries of one user (ZADD's score-member pairs: time, movie) to the batch,
 * and trims the history to `keep` when the user's events may exceed it (one entry per rating or
 * watch, so no trim is needed below the bound).
 */
export function flushHistory(
  keys: RedisKeys,
  w: WriteBatch,
  userId: string,
  scoreMembers: readonly (number | string)[],
  events: number,
  keep: number,
): void {
  for (let k = 0; k < scoreMembers.length; k += HISTORY_PAIRS_PER_WRITE * 2)
    w.zadd(keys.userHistory(userId), ...scoreMembers.slice(k, k + HISTORY_PAIRS_PER_WRITE * 2));
  if (events > keep) w.zkeepTop(keys.userHistory(userId), keep);
}

/** A rating kept for a version change (the user actor's RecentRating). */
export interface StoredRecent {
  readonly movieId: string;
  readonly rating: number;
  readonly at: number;
  readonly source: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly index: number;
  };
}

/**
 * Ratings kept per user for a version change: enough to cover the ratings a retrain can miss (those
 * that arrive while it trains, seconds to minutes); older ones are in the next model anyway.
 */
export const RECENT_MAX = 50;

/** Adds a batch's ratings of one user to their recent list (kept to RECENT_MAX). */
export function flushRecent(
  keys: RedisKeys,
  w: WriteBatch,
  userId: string,
  ratings: readonly StoredRecent[],
): void {
  if (ratings.length === 0) return;
  const from = Math.max(0, ratings.length - RECENT_MAX);
  w.rpush(
    keys.userRecent(userId),
    ...ratings
      .slice(from)
      .map((r) =>
        JSON.stringify([
          r.movieId,
          r.rating,
          r.at,
          r.source.topic,
          r.source.partition,
          r.source.offset,
          r.source.index,
        ]),
      ),
  );
  w.ltrimLast(keys.userRecent(userId), RECENT_MAX);
}

/** The recent ratings of `ids`, oldest first (one pipeline); unreadable entries are skipped. */
export async function readRecent(
  redis: Redis,
  keys: RedisKeys,
  ids: readonly string[],
): Promise<Map<string, StoredRecent[]>> {
  const pipeline = redis.pipeline();
  for (const u of ids) pipeline.lrange(keys.userRecent(u), 0, -1);
  const replies = (await pipeline.exec()) ?? [];
  const out = new Map<string, StoredRecent[]>();
  ids.forEach((u, j) => {
    const [error, lines] = replies[j] ?? [];
    if (error) throw error;
    const recent: StoredRecent[] = [];
    for (const line of lines as string[]) {
      const e = JSON.parse(line) as unknown;
      if (!Array.isArray(e) || e.length !== 7) continue;
      const [movieId, rating, at, topic, partition, offset, index] = e as [
        string,
        number,
        number,
        string,
        number,
        number,
        number,
      ];
      recent.push({ movieId, rating, at, source: { topic, partition, offset, index } });
    }
    out.set(u, recent);
  });
  return out;
}

/** What serving reads about a user; every field may be missing. */
export interface UserView {
  /** Live p_u from the stream actors, when present. */
  readonly vector: Float32Array | null;
  /** Live b_u, when present. */
  readonly bias: number | null;
  /** The model version p_u and b_u live in ('' for seeded vectors; null when never written). */
  readonly version: string | null;
  readonly age: number | null;
  readonly gender: string | null;
  /** Movies watched or rated, most recent first (the exclusions). */
  readonly seen: string[];
}

/** Replies a queued user view takes in its pipeline. */
export const USER_VIEW_REPLIES = 3;

/** Queues the reads of a user's view (at most `maxSeen` exclusions); decode with userViewOf. */
export function queueUserView(
  pipeline: ChainableCommander,
  keys: RedisKeys,
  userId: string,
  maxSeen: number,
): void {
  pipeline
    .getBuffer(keys.userFactors(userId))
    .hmget(keys.userState(userId), 'bias', 'age', 'gender', 'v')
    .zrevrange(keys.userHistory(userId), 0, maxSeen - 1);
}

/** Pipeline replies as ioredis gives them. */
export type Replies = [error: Error | null, result: unknown][];

/** The user view whose replies start at `at` (queued by queueUserView); throws a failed read's error. */
export function userViewOf(results: Replies, at: number): UserView {
  for (let k = at; k < at + USER_VIEW_REPLIES; k++) {
    const error = results[k]?.[0];
    if (error) throw error;
  }
  const [bias, age, gender, version] = (results[at + 1]?.[1] ?? []) as (string | null)[];
  return {
    vector: anyVectorFromBytes(results[at]?.[1] as Buffer | null),
    bias: finite(bias),
    version: version ?? null,
    age: finite(age),
    gender: gender ?? null,
    seen: (results[at + 2]?.[1] ?? []) as string[],
  };
}

/** A user's live factors and bias (null when the stream has not written them). */
export async function readUserFactors(
  redis: Redis,
  keys: RedisKeys,
  userId: string,
): Promise<{ vector: Float32Array | null; bias: number | null }> {
  const [bytes, bias] = await Promise.all([
    redis.getBuffer(keys.userFactors(userId)),
    redis.hget(keys.userState(userId), 'bias'),
  ]);
  return { vector: anyVectorFromBytes(bytes), bias: finite(bias) };
}

/** A user's stored actor scalars (ratings, watches, …), or null when the actor never flushed. */
export async function readStoredUser(
  redis: Redis,
  keys: RedisKeys,
  userId: string,
): Promise<Partial<StoredUser> | null> {
  const actor = await redis.hget(keys.userState(userId), 'actor');
  return actor === null ? null : (JSON.parse(actor) as Partial<StoredUser>);
}

/** What a fixture may put in a user's state (tests and benchmarks; the stream writes the real thing). */
export interface UserFixture {
  readonly vector?: Float32Array;
  readonly bias?: number;
  /** The model version of `vector` and `bias`. */
  readonly version?: string;
  readonly age?: number | null;
  readonly gender?: string | null;
  /** History entries: [time ms, movie id]. */
  readonly seen?: readonly (readonly [number, string])[];
}

/** Queues writes of a user fixture on a pipeline or client (a test's or benchmark's set-up). */
export function queueUserFixture(
  target: ChainableCommander,
  keys: RedisKeys,
  userId: string,
  f: UserFixture,
): void {
  if (f.vector !== undefined) target.set(keys.userFactors(userId), Buffer.from(vectorBytes(f.vector)));
  const fields: string[] = [];
  if (f.bias !== undefined) fields.push('bias', String(f.bias));
  if (f.version !== undefined) fields.push('v', f.version);
  if (f.age !== undefined) fields.push('age', f.age === null ? '' : String(f.age));
  if (f.gender !== undefined) fields.push('gender', f.gender ?? '');
  if (fields.length > 0) target.hset(keys.userState(userId), ...fields);
  if (f.seen !== undefined && f.seen.length > 0)
    target.zadd(keys.userHistory(userId), ...f.seen.flatMap(([at, movieId]) => [at, movieId]));
}

/** Writes a user fixture now. */
export async function writeUserFixture(
  redis: Redis,
  keys: RedisKeys,
  userId: string,
  f: UserFixture,
): Promise<void> {
  const pipeline = redis.pipeline();
  queueUserFixture(pipeline, keys, userId, f);
  const replies = (await pipeline.exec()) ?? [];
  for (const [error] of replies) if (error) throw error;
}

/** The raw stored p_u blob (null when absent): for checks that a stored vector is whole and finite. */
export function readUserFactorBlob(redis: Redis, keys: RedisKeys, userId: string): Promise<Buffer | null> {
  return redis.getBuffer(keys.userFactors(userId));
}

/** The model version a user's stored vector lives in ('' seeded; null when never written). */
export function readUserVersion(redis: Redis, keys: RedisKeys, userId: string): Promise<string | null> {
  return redis.hget(keys.userState(userId), 'v');
}
