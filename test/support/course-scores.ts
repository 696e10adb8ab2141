/**
 * How the course check judges the lists Marquee served (pure): the contract (valid, in time), the
 * guardrails (already seen, adult titles to minors, genres per list) and ranking quality on the
 * held-out future — hit rate, precision and recall @k — beside popularity lists built from the same
 * played data, for users with history and new users apart.
 */
import type { RatingRecord, WatchRecord } from '../../src/data/dataset.ts';
import { createRandom } from '../../src/lib/random.ts';
import { countHeldOutFavourites } from '../../src/model/ranking/held-out-favourites.ts';
import { DAY_SECONDS } from '../../src/model/ranking/popularity.ts';
import type { RecommendAnswer } from './recommend-calls.ts';

/** Per-user sets of movie ids. */
export type UserSets = ReadonlyMap<string, ReadonlySet<string>>;

/** Every movie each user rated or watched. */
export function seenSets(ratings: readonly RatingRecord[], watches: readonly WatchRecord[]): UserSets {
  const seen = new Map<string, Set<string>>();
  for (const r of [...ratings, ...watches]) {
    let set = seen.get(r.userId);
    if (set === undefined) seen.set(r.userId, (set = new Set()));
    set.add(r.movieId);
  }
  return seen;
}

/** Each user's held-out movies rated at least `relevantAt` (users with none are absent). */
export function relevantSets(heldOut: readonly RatingRecord[], relevantAt: number): UserSets {
  return seenSets(
    heldOut.filter((r) => r.rating >= relevantAt),
    [],
  );
}

/** The `q` quantile (0..1) of `values` by nearest rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** What the served answers show against the contract and the guardrails. */
export interface ServedSummary {
  readonly calls: number;
  readonly valid: number;
  readonly status200: number;
  readonly timedOut: number;
  readonly empty: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Answers carrying X-User-Vector-Version (a personal list). */
  readonly personalized: number;
  readonly slots: number;
  /** Slots holding a movie the user had rated or watched, and the users they went to. */
  readonly seenSlots: number;
  readonly seenUsers: number;
  readonly minors: number;
  /** Slots holding an adult title served to a minor, and the minors they went to. */
  readonly adultToMinorSlots: number;
  readonly adultToMinorUsers: number;
  /** Non-empty lists, and those spanning at least 10 genres. */
  readonly lists: number;
  readonly tenGenreLists: number;
}

/** What {@link summariseServed} checks answers against. */
export interface ServedFacts {
  readonly seen: UserSets;
  /** User id → age, from the metadata service. */
  readonly ageOf: (userId: string) => number | null;
  readonly isAdult: (movieId: string) => boolean;
  readonly genresOf: (movieId: string) => readonly string[];
}

/** Counts the contract, guardrail and genre figures over `answers`. */
export function summariseServed(answers: readonly RecommendAnswer[], facts: ServedFacts): ServedSummary {
  const latencies = answers.filter((a) => !a.timedOut && a.status !== 0).map((a) => a.ms);
  let seenSlots = 0;
  let seenUsers = 0;
  let minors = 0;
  let adultSlots = 0;
  let adultUsers = 0;
  let lists = 0;
  let tenGenreLists = 0;
  let slots = 0;
  for (const a of answers) {
    const seen = facts.seen.get(a.userId);
    const repeats = a.ids.filter((id) => seen?.has(id) === true).length;
    seenSlots += repeats;
    if (repeats > 0) seenUsers++;
    slots += a.ids.length;
    const age = facts.ageOf(a.userId);
    if (age !== null && age < 18) {
      minors++;
      const adult = a.ids.filter((id) => facts.isAdult(id)).length;
      adultSlots += adult;
      if (adult > 0) adultUsers++;
    }
    if (a.ids.length > 0) {
      lists++;
      if (new Set(a.ids.flatMap((id) => facts.genresOf(id))).size >= 10) tenGenreLists++;
    }
  }
  return {
    calls: answers.length,
    valid: answers.filter((a) => a.valid).length,
    status200: answers.filter((a) => a.status === 200).length,
    timedOut: answers.filter((a) => a.timedOut).length,
    empty: answers.filter((a) => a.status === 200 && a.ids.length === 0).length,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies.length === 0 ? NaN : Math.max(...latencies),
    personalized: answers.filter((a) => a.userVectorVersion !== null).length,
    slots,
    seenSlots,
    seenUsers,
    minors,
    adultToMinorSlots: adultSlots,
    adultToMinorUsers: adultUsers,
    lists,
    tenGenreLists,
  };
}

/** Hit rate, precision and recall @k of some lists over some users. */
export interface RankingScore {
  readonly users: number;
  readonly hitRate: number;
  readonly precision: number;
  readonly recall: number;
}

/**
 * Scores `listOf(user)` against each judged user's relevant held-out movies: precision is hits / k
 * (a short list is not rewarded), recall hits / relevant, hit rate the share of users with a hit.
 */
export function scoreLists(
  users: readonly string[],
  listOf: (userId: string) => readonly string[],
  relevant: UserSets,
  k: number,
): RankingScore {
  const per = userScores(users, listOf, relevant, k);
  const mean = (pick: (u: UserScore) => number) =>
    per.length === 0 ? NaN : per.reduce((sum, u) => sum + pick(u), 0) / per.length;
  return {
    users: per.length,
    hitRate: mean((u) => u.hit),
    precision: mean((u) => u.precision),
    recall: mean((u) => u.recall),
  };
}

/** One judged user's scores: hit (0 or 1), precision (hits / k), recall (hits / relevant). */
export interface UserScore {
  readonly userId: string;
  readonly hit: number;
  readonly precision: number;
  readonly recall: number;
}

/** Per-user scores of `listOf(user)` for every user with at least one relevant held-out movie, in `users` order. */
export function userScores(
  users: readonly string[],
  listOf: (userId: string) => readonly string[],
  relevant: UserSets,
  k: number,
): UserScore[] {
  const out: UserScore[] = [];
  for (const userId of users) {
    const wanted = relevant.get(userId);
    if (wanted === undefined || wanted.size === 0) continue;
    const hits = listOf(userId)
      .slice(0, k)
      .filter((id) => wanted.has(id)).length;
    out.push({ userId, hit: hits > 0 ? 1 : 0, precision: hits / k, recall: hits / wanted.size });
  }
  return out;
}

/**
 * A 95 % percentile-bootstrap interval of mean(a) / mean(b) over paired per-user values (users
 * resampled with replacement, the pairs kept together): how far the ratio of two rankings' scores
 * could move with another draw of the same number of users. Seeded, so a report is reproducible.
 */
export function pairedRatioInterval(
  a: readonly number[],
  b: readonly number[],
  resamples = 2_000,
  seed = 1,
): { low: number; high: number } {
  if (a.length !== b.length) throw new RangeError('paired values need equal lengths');
  const n = a.length;
  if (n === 0) return { low: NaN, high: NaN };
  const random = createRandom(seed);
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sa = 0;
    let sb = 0;
    for (let k = 0; k < n; k++) {
      const u = random.int(n);
      sa += a[u] as number;
      sb += b[u] as number;
    }
    ratios[r] = sb > 0 ? sa / sb : NaN;
  }
  const finite = [...ratios].filter(Number.isFinite).sort((x, y) => x - y);
  return { low: quantile(finite, 0.025), high: quantile(finite, 0.975) };
}

/** Movies by the number of played ratings, most first (ties by id, so the order is stable). */
export function globalPopularity(ratings: readonly RatingRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const r of ratings) counts.set(r.movieId, (counts.get(r.movieId) ?? 0) + 1);
  return rankByScore(counts);
}

/** Movies by Σ 2^(−(asOf − t)/halfLife) over their played ratings, most first: popularity as of the cut-off. */
export function decayedPopularityRanking(
  ratings: readonly RatingRecord[],
  asOf: number,
  halfLifeDays: number,
): string[] {
  const scores = new Map<string, number>();
  const halfLife = halfLifeDays * DAY_SECONDS;
  for (const r of ratings) {
    if (r.timestamp > asOf) continue;
    scores.set(r.movieId, (scores.get(r.movieId) ?? 0) + 2 ** (-(asOf - r.timestamp) / halfLife));
  }
  return rankByScore(scores);
}

/**
 * Movies by the number of held-out ratings ≥ `relevantAt`, most first (src/model/ranking/
 * held-out-favourites.ts counts them): the one-list ceiling the served lists are read against.
 */
export function heldOutFavourites(heldOut: readonly RatingRecord[], relevantAt: number): string[] {
  const ids = [...new Set(heldOut.map((r) => r.movieId))];
  const index = new Map(ids.map((id, i) => [id, i] as const));
  const items = heldOut.map((r) => index.get(r.movieId) as number);
  const ratings = heldOut.map((r) => r.rating);
  const counts = countHeldOutFavourites(items, ratings, relevantAt, new Float32Array(ids.length));
  return rankByScore(
    new Map(ids.map((id, i) => [id, counts[i] as number] as const).filter(([, n]) => n > 0)),
  );
}

function rankByScore(scores: ReadonlyMap<string, number>): string[] {
  return [...scores]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([id]) => id);
}

/** A user's top-k of a ranking, skipping what the user has seen (as serving must). */
export function topUnseen(
  ranking: readonly string[],
  seen: ReadonlySet<string> | undefined,
  k: number,
): string[] {
  const list: string[] = [];
  for (const id of ranking) {
    if (list.length === k) break;
    if (seen?.has(id) !== true) list.push(id);
  }
  return list;
}
