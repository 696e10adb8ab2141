/**
 * Test and bench helpers: the counters a replay must produce, computed straight from its input, and
 * the same counters read back from Redis. Used by the counting and crash tests.
 */
import type { Redis } from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import type { Config } from '../../config/load-config.ts';
import type { UserEvent } from '../../streams/events.ts';
import { topicNames } from '../../streams/topics.ts';
import type { RedisKeys } from '../../src/store/redis-keys.ts';
import { utcDay } from '../../actors/model-options.ts';
import { readMovieFactorBlob, readStoredMovie } from '../../src/state/movie-state.ts';
import { readStoredUser, readUserFactorBlob } from '../../src/state/user-state.ts';
import { vectorFromBytes } from '../../src/state/vector-bytes.ts';
import { boardWeight } from '../../src/model/ranking/popularity.ts';
import { cohortOf, GLOBAL_COHORT } from '../../src/store/popular-lists.ts';
import { capDecision } from '../../src/guardrails/rating-budget.ts';
import { STARTED_WATCHING_MINUTE } from '../../actors/user/user-actor.ts';

type Board = Record<string, Record<string, number>>;

/** Counters derived from the input alone. */
export interface Counts {
  users: Record<string, { ratings: number; watches: number }>;
  movies: Record<string, { ratings: number; watches: number; histogram: number[] }>;
  histogram: Record<string, number>;
  rated: Board;
  watched: Board;
  movieEvents: number;
}

const bump = (board: Board, day: string, movie: string) => {
  const b = (board[day] ??= {});
  b[movie] = (b[movie] ?? 0) + 1;
};

/** What every counter must be after `events` are processed exactly once. */
export function expectedCounts(events: readonly UserEvent[]): Counts {
  const c: Counts = { users: {}, movies: {}, histogram: {}, rated: {}, watched: {}, movieEvents: 0 };
  for (const e of events) {
    if (e.type !== 'rate' && e.type !== 'watch') continue;
    const u = (c.users[e.userId] ??= { ratings: 0, watches: 0 });
    const m = (c.movies[e.movieId] ??= { ratings: 0, watches: 0, histogram: [0, 0, 0, 0, 0] });
    c.movieEvents++;
    if (e.type === 'rate') {
      u.ratings++;
      m.ratings++;
      m.histogram[e.rating - 1]! += 1;
      c.histogram[String(e.rating)] = (c.histogram[String(e.rating)] ?? 0) + 1;
      bump(c.rated, utcDay(e.at), e.movieId);
    } else {
      u.watches++;
      m.watches++;
      bump(c.watched, utcDay(e.at), e.movieId);
    }
  }
  return c;
}

/** The counters a test compares between the input and Redis (without the movie-event total). */
export function countersOf(c: Omit<Counts, 'movieEvents'>): Omit<Counts, 'movieEvents'> {
  const { users, movies, histogram, rated, watched } = c;
  return { users, movies, histogram, rated, watched };
}

/** The same counters read from Redis, plus how many actors lack a finite stored vector they should have. */
export async function readCounts(
  redis: Redis,
  keys: RedisKeys,
  expected: Counts,
  factors: number,
): Promise<Omit<Counts, 'movieEvents'> & { nonFinite: number; capped: number }> {
  const got = {
    users: {},
    movies: {},
    histogram: {},
    rated: {},
    watched: {},
    nonFinite: 0,
    capped: 0,
  } as Omit<Counts, 'movieEvents'> & { nonFinite: number; capped: number };
  // A stored vector must be a finite k-vector; an actor that learned from a rating must have one.
  const finite = (b: Buffer | null, learned: number) =>
    b === null ? learned === 0 : vectorFromBytes(b, factors)?.every(Number.isFinite) === true;
  for (const u of Object.keys(expected.users)) {
    const actor = (await readStoredUser(redis, keys, u)) ?? {};
    got.users[u] = { ratings: actor.ratings ?? 0, watches: actor.watches ?? 0 };
    if (!finite(await readUserFactorBlob(redis, keys, u), actor.ratings ?? 0)) got.nonFinite++;
  }
  for (const m of Object.keys(expected.movies)) {
    const h = (await readStoredMovie(redis, keys, m)) ?? { ratings: 0, watches: 0, histogram: [], capped: 0 };
    got.movies[m] = { ratings: h.ratings, watches: h.watches, histogram: [...h.histogram] };
    got.capped += h.capped;
    if (!finite(await readMovieFactorBlob(redis, keys, m), h.ratings - h.capped)) got.nonFinite++;
  }
  const histogram = await redis.hgetall(keys.ratingHistogram());
  got.histogram = Object.fromEntries(Object.entries(histogram).map(([r, n]) => [r, Number(n)]));
  for (const [name, board] of [
    ['rated', got.rated],
    ['watched', got.watched],
  ] as const) {
    const days = Object.keys(name === 'rated' ? expected.rated : expected.watched);
    for (const day of days) {
      const flat = await redis.zrange(keys.leaderboard(`${name}:${day}`), 0, -1, 'WITHSCORES');
      const b: Record<string, number> = {};
      for (let j = 0; j < flat.length; j += 2) b[flat[j] as string] = Number(flat[j + 1]);
      board[day] = b;
    }
  }
  return got;
}

/** The sum of a group's committed next offsets in Redis over the topic's partitions. */
export async function committedTotal(
  redis: Redis,
  keys: RedisKeys,
  group: string,
  topic: string,
  partitions: number,
): Promise<number> {
  let total = 0;
  for (let p = 0; p < partitions; p++)
    total += Number((await redis.get(keys.partitionOffset(group, topic, p))) ?? 0);
  return total;
}

/**
 * How many records an actor group's Redis offsets are behind `topic`'s log ends. With `markers`, the
 * topic was written in transactions (ingest) and each partition's log ends with a commit marker, which
 * no consumer is handed: one offset short of the end is then the end.
 */
export async function recordsBehind(
  admin: Admin,
  redis: Redis,
  keys: RedisKeys,
  group: string,
  topic: string,
  markers: boolean,
): Promise<number> {
  let lag = 0;
  for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
    const end = Number(high) - (markers && Number(high) > 0 ? 1 : 0);
    const done = Number((await redis.get(keys.partitionOffset(group, topic, partition))) ?? 0);
    lag += Math.max(0, end - done);
  }
  return lag;
}

/** Lines an ingest consumer group has committed on `topic`, over its partitions. */
export async function linesIngested(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

/**
 * Waits until both actor groups have processed every record now in their topics (or throws on
 * timeout): the user group's Redis offsets reach user-events' log ends, then — its movie events being
 * in Kafka before it commits — the movie group's reach movie-events' log ends. When user-events was
 * written in transactions (by ingest), each partition's log ends with a commit marker, which no
 * consumer is handed: one offset short of the end is then the end.
 */
export async function waitForCaughtUp(
  kafka: Kafka,
  redis: Redis,
  keys: RedisKeys,
  config: Config,
  timeoutMs: number,
  options: { transactionalInput?: boolean } = {},
): Promise<void> {
  const topics = topicNames(config);
  const p = config.kafka.topicPrefix;
  const admin = kafka.admin();
  await admin.connect();
  const behind = (group: string, topic: string, markers: boolean) =>
    recordsBehind(admin, redis, keys, group, topic, markers);
  const deadline = Date.now() + timeoutMs;
  let user = -1;
  let movie = -1;
  try {
    while (Date.now() < deadline) {
      user = await behind(`${p}user-actors`, topics.userEvents, options.transactionalInput === true);
      movie = user > 0 ? -1 : await behind(`${p}movie-actors`, topics.movieEvents, false);
      if (user === 0 && movie === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
  throw new Error(
    `stream did not catch up in ${timeoutMs} ms: user actors ${user} records behind, movie actors ${movie < 0 ? 'not checked' : `${movie} records behind`}`,
  );
}

/**
 * The popularity boards (`popular:<cohort>`) `events` must produce, per cohort and movie: Σ
 * boardWeight(t) over its started views (a watch at minute ≤ STARTED_WATCHING_MINUTE) and its counted
 * ratings — a rater's first rating of the movie on a UTC day, while the day has fewer than `dailyCap`
 * raters (the movie actor's rule, src/guardrails/rating-budget.ts). Each take-up adds to the global board
 * and to the cohort of the user's last profile before it. When the cap binds, which raters it lets in
 * depends on the order the movie actor sees them: give such raters equal weights to compare. A take-up
 * of a title in one of the user's last served lists (per arm, lists served with status 200) weighs
 * `servedWeight` (SERVED_POPULARITY_WEIGHT), and none at all when that is 0.
 */
export function expectedBoards(
  events: readonly UserEvent[],
  halfLifeMs: number,
  dailyCap = Infinity,
  servedWeight = 1,
): Map<string, Map<string, number>> {
  const boards = new Map<string, Map<string, number>>();
  const lastServed = new Map<string, Map<string, readonly string[]>>();
  const add = (cohort: string, movieId: string, at: number, weight: number) => {
    const board = boards.get(cohort) ?? new Map<string, number>();
    boards.set(cohort, board.set(movieId, (board.get(movieId) ?? 0) + weight * boardWeight(at, halfLifeMs)));
  };
  const cohorts = new Map<string, string>();
  const raters = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.type === 'profile') cohorts.set(e.userId, cohortOf(e.age, e.gender));
    if (e.type === 'served' && e.status === 200 && e.items.length > 0) {
      const lists = lastServed.get(e.userId) ?? new Map<string, readonly string[]>();
      lastServed.set(e.userId, lists.set(e.arm ?? 'default', e.items));
    }
    let counted = e.type === 'watch' && e.minute <= STARTED_WATCHING_MINUTE;
    if (e.type === 'rate') {
      const day = `${e.movieId} ${utcDay(e.at)}`;
      const learned = raters.get(day) ?? new Set<string>();
      raters.set(day, learned);
      counted = capDecision(learned, e.userId, dailyCap) === 'learn';
      if (counted) learned.add(e.userId);
    }
    if (!counted || (e.type !== 'rate' && e.type !== 'watch')) continue;
    const cohort = cohorts.get(e.userId) ?? GLOBAL_COHORT;
    const lists = [...(lastServed.get(e.userId)?.values() ?? [])];
    const weight = lists.some((items) => items.includes(e.movieId)) ? servedWeight : 1;
    if (weight === 0) continue;
    add(GLOBAL_COHORT, e.movieId, e.at, weight);
    if (cohort !== GLOBAL_COHORT) add(cohort, e.movieId, e.at, weight);
  }
  return boards;
}

/** The global popularity board (`popular:all`) `events` must produce (expectedBoards, no cap binding). */
export function expectedGlobalBoard(events: readonly UserEvent[], halfLifeMs: number): Map<string, number> {
  return expectedBoards(events, halfLifeMs).get(GLOBAL_COHORT) ?? new Map();
}

/**
 * Movies whose score on a popularity board (`popular:all` unless `cohort` is given) differs from
 * `expected` by more than float rounding (a relative 1e-9: an event counted twice or lost moves a score
 * by ≥ 1e-4 of itself in these replays).
 */
export async function globalBoardMismatches(
  redis: Redis,
  keys: RedisKeys,
  expected: ReadonlyMap<string, number>,
  cohort = GLOBAL_COHORT,
): Promise<string[]> {
  const flat = await redis.zrange(keys.popularFor(cohort), 0, -1, 'WITHSCORES');
  const got = new Map<string, number>();
  for (let j = 0; j < flat.length; j += 2) got.set(flat[j] as string, Number(flat[j + 1]));
  const wrong: string[] = [];
  for (const movie of new Set([...expected.keys(), ...got.keys()])) {
    const want = expected.get(movie) ?? 0;
    const have = got.get(movie) ?? 0;
    if (Math.abs(have - want) > 1e-9 * Math.max(want, have)) wrong.push(`${movie}: ${have} ≠ ${want}`);
  }
  return wrong;
}
