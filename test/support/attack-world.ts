/**
 * The victim of the attack simulations (bench/sim-extraction.ts, bench/sim-poisoning.ts): a rating
 * log over fixed users and movies goes through the retrain's own training-set step (the daily
 * per-movie cap, the latest rating per pair), biased MF is fitted with the retrain's parameters,
 * and lists come from serving's own ranking (`buildServingModel`, `rankUser`: guard, blend with the
 * decayed popularity, diversification, popularity cap). The popularity is the stream's: every logged
 * rating goes through the movie actor's own transition and board additions, so what its daily cap
 * keeps off the boards stays off here. Deterministic for a seed. Nothing here re-implements a defence:
 * the cap is `buildTrainingSet`'s and the movie actor's.
 */
import type { CatalogueMovie } from '../../src/data/catalogue-index.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { buildTrainingSet, type RatingColumns } from '../../src/jobs/retrain/training-set.ts';
import { fitSvd, SVD_DEFAULTS, type SvdParams } from '../../src/model/algorithms/svd.ts';
import type { SvdModel } from '../../src/model/algorithms/svd-model.ts';
import { BLEND_DEFAULTS, preparePopularity } from '../../src/model/ranking/blend.ts';
import { countFromBoard } from '../../src/model/ranking/popularity.ts';
import { GLOBAL_COHORT } from '../../src/store/popular-lists.ts';
import { STREAM_MODEL_DEFAULTS } from '../../actors/model-options.ts';
import { newMovieState, receiveMovieMessage, type MovieState } from '../../actors/movie/movie-actor.ts';
import { BoardAdditions } from '../../actors/popular-boards.ts';
import { svdToArtifact } from '../../src/model/svd-artifact.ts';
import { defaultGuardrailSettings, type GuardrailSettings } from '../../src/serving/guardrail-settings.ts';
import { rankUser, type RankStream } from '../../src/serving/rank-user.ts';
import { buildServingModel, type ServingModel } from '../../src/serving/serving-model.ts';

const DAY_MS = 86_400_000;

/** A rating log over dense indices of a fixed universe of users and movies (times in epoch ms, sorted). */
export interface RatingLog extends RatingColumns {
  readonly movies: readonly CatalogueMovie[];
}

/** One rating to add to a log. */
export interface LoggedRating {
  readonly user: number;
  readonly item: number;
  readonly rating: number;
  readonly at: number;
}

/** The dataset's ratings split: each user's last `heldOut` ratings by time are the test set. */
export interface SplitWorld {
  readonly train: RatingLog;
  /** Held-out items per user index (empty for users with `heldOut` or fewer ratings). */
  readonly test: readonly (readonly number[])[];
  /** The time of the latest training rating (epoch ms). */
  readonly end: number;
}

/** Builds the universe (dataset users, `extraUsers` more ids, every movie) and the per-user split. */
export function splitWorld(
  dataset: Dataset,
  heldOut: number,
  extraUsers: readonly string[] = [],
): SplitWorld {
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const index = (m: Map<string, number>, id: string) => m.get(id) ?? (m.set(id, m.size), m.size - 1);
  const rows = [...dataset.ratings].sort((a, b) => a.timestamp - b.timestamp);
  for (const r of rows) index(userIndex, r.userId);
  for (const id of extraUsers) index(userIndex, id);
  for (const m of dataset.movies) index(itemIndex, m.movieId);
  const perUser = new Map<number, number>();
  for (const r of rows)
    perUser.set(userIndex.get(r.userId) as number, (perUser.get(userIndex.get(r.userId) as number) ?? 0) + 1);
  const fromEnd = new Map<number, number>();
  const test: number[][] = Array.from({ length: userIndex.size }, () => []);
  const keep: boolean[] = new Array<boolean>(rows.length).fill(true);
  for (let k = rows.length - 1; k >= 0; k--) {
    const r = rows[k]!;
    const u = userIndex.get(r.userId) as number;
    const seen = fromEnd.get(u) ?? 0;
    if ((perUser.get(u) ?? 0) > heldOut && seen < heldOut) {
      test[u]!.push(itemIndex.get(r.movieId) as number);
      fromEnd.set(u, seen + 1);
      keep[k] = false;
    }
  }
  const kept = rows.filter((_, k) => keep[k]);
  const train: RatingLog = {
    users: Int32Array.from(kept, (r) => userIndex.get(r.userId) as number),
    items: Int32Array.from(kept, (r) => itemIndex.get(r.movieId) as number),
    ratings: Float32Array.from(kept, (r) => r.rating),
    times: Float64Array.from(kept, (r) => r.timestamp * 1000),
    userIds: [...userIndex.keys()],
    itemIds: [...itemIndex.keys()],
    movies: dataset.movies.map(({ movieId, title, genres, certification, adult }) => ({
      movieId,
      title,
      genres,
      certification,
      adult,
    })),
  };
  return { train, test, end: kept.length === 0 ? 0 : kept[kept.length - 1]!.timestamp * 1000 };
}

/** The log with `extra` ratings appended (they must not be earlier than the log's last). */
export function appendRatings(log: RatingLog, extra: readonly LoggedRating[]): RatingLog {
  const cat = <T extends Int32Array | Float32Array | Float64Array>(
    a: T,
    b: ArrayLike<number>,
    make: (n: number) => T,
  ): T => {
    const out = make(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    ...log,
    users: cat(
      log.users,
      extra.map((r) => r.user),
      (n) => new Int32Array(n),
    ),
    items: cat(
      log.items,
      extra.map((r) => r.item),
      (n) => new Int32Array(n),
    ),
    ratings: cat(
      log.ratings,
      extra.map((r) => r.rating),
      (n) => new Float32Array(n),
    ),
    times: cat(
      log.times,
      extra.map((r) => r.at),
      (n) => new Float64Array(n),
    ),
  };
}

/** Knobs of a victim. */
export interface VictimOptions {
  /** Training updates per movie per UTC day (the retrain's and the actors' cap; Infinity: off). */
  readonly dailyCap: number;
  /** SVD parameters over the retrain's defaults (Surprise's: 100 factors, 20 epochs). */
  readonly svd?: Partial<SvdParams>;
  /** Decayed popularity as of this time (epoch ms; default the log's last rating). */
  readonly now?: number;
  readonly settings?: GuardrailSettings;
}

/** A trained, servable victim and the ranking inputs of each user. */
export interface Victim {
  readonly model: SvdModel;
  readonly serving: ServingModel;
  readonly stream: RankStream;
  /** Ratings the cap left out of training. */
  readonly capped: number;
  /** Title-days the movie actors flagged as pushed below the cap (src/guardrails/push-ratings.ts). */
  readonly pushedTitleDays: number;
  /** A user's list as serving ranks it (adult, seen = every movie in the log for them), as item indices. */
  list(user: number, limit?: number): number[];
  /** The list of a user the stream folded in (`vector` null: a cold user), with what they have seen. */
  listFor(
    user: { bias: number; vector: Float32Array | null },
    seen: readonly number[],
    limit?: number,
  ): number[];
  /** Movies a user rated in the log. */
  seen(user: number): readonly number[];
}

/** Trains the victim on `log` as the retrain would and prepares serving over it. */
export function buildVictim(log: RatingLog, options: VictimOptions): Victim {
  const settings = options.settings ?? defaultGuardrailSettings;
  const { set, capped } = buildTrainingSet(
    log,
    Number.isFinite(options.dailyCap) ? options.dailyCap : 2 ** 31 - 1,
  );
  const params = { ...SVD_DEFAULTS, ...options.svd };
  const model = fitSvd(set, { ...params, simd: params.factors % 4 === 0 });
  const serving = buildServingModel('sim', svdToArtifact(model), log.movies, settings);
  const now = options.now ?? (log.times.length === 0 ? 0 : (log.times[log.times.length - 1] as number));
  const { popularity: counts, pushedTitleDays } = streamPass(log, options.dailyCap, now);
  const stream: RankStream = {
    weights: BLEND_DEFAULTS.weights,
    popularity: preparePopularity(counts),
    cohort: null,
  };
  const seen: number[][] = Array.from({ length: log.userIds.length }, () => []);
  const rank = (
    vector: Float32Array | null,
    offset: number,
    bias: number,
    seenItems: readonly number[],
    limit: number,
  ) => [
    ...rankUser(
      serving,
      settings,
      { vector, offset, bias, age: 30, seen: seenItems.map((i) => log.itemIds[i] as string) },
      limit,
      vector !== null ? stream : { ...stream, weights: BLEND_DEFAULTS.coldWeights },
    ).items,
  ];
  for (let k = 0; k < log.users.length; k++) seen[log.users[k] as number]!.push(log.items[k] as number);
  return {
    model,
    serving,
    stream,
    capped,
    pushedTitleDays,
    seen: (user) => seen[user] ?? [],
    list(user, limit = 20) {
      const known = model.knowsUser(user);
      const { factors } = model.data;
      return rank(
        known ? model.data.userFactors : null,
        user * factors,
        known ? (model.data.userBias[user] as number) : 0,
        seen[user] ?? [],
        limit,
      );
    },
    listFor: (user, seenItems, limit = 20) => rank(user.vector, 0, user.bias, seenItems, limit),
  };
}

/**
 * The decayed popularity serving reads from the global board (`popular:all`) after the stream has
 * taken in `log` (in time order): each rating is the movie half of a rating message, received by the
 * movie actor's own transition under `dailyCap`, and what it counts goes through the movie stage's
 * board additions; the board is read back as decayed counts as of `now`, as serving reads it. Only the
 * SGD half step is idle here (a zero error in one factor): the victim's model is the retrain's.
 */
export function streamPopularity(log: RatingLog, dailyCap: number, now: number): Float32Array {
  return streamPass(log, dailyCap, now).popularity;
}

/** What the movie actors make of `log`: the popularity serving reads, and the title-days they flag as pushed. */
export function streamPass(
  log: RatingLog,
  dailyCap: number,
  now: number,
): { popularity: Float32Array; pushedTitleDays: number } {
  const options = {
    ...STREAM_MODEL_DEFAULTS,
    factors: 1,
    dailyCap: Number.isFinite(dailyCap) ? dailyCap : 2 ** 31 - 1,
    popularityHalfLifeMs: BLEND_DEFAULTS.halfLifeDays * DAY_MS,
  };
  const p = new Float32Array(1);
  const movies = new Map<number, MovieState>();
  const boards = new BoardAdditions();
  let pushedTitleDays = 0;
  for (let k = 0; k < log.items.length; k++) {
    const item = log.items[k] as number;
    const movieId = log.itemIds[item] as string;
    const state = movies.get(item) ?? newMovieState(movieId, options);
    const turn = receiveMovieMessage(
      state,
      {
        type: 'rate',
        v: state.version,
        movieId,
        userId: log.userIds[log.users[k] as number] as string,
        rating: log.ratings[k] as number,
        err: 0,
        p,
        at: log.times[k] as number,
        eventId: String(k),
        source: { topic: 'log', partition: 0, offset: k, index: 0 },
        cohort: GLOBAL_COHORT,
        served: false,
      },
      options,
    );
    for (const out of turn.outputs) {
      if (out.kind === 'popular') boards.addTakeUp({ movieId, ...out }, options);
      if (out.kind === 'pushed' && out.flagged) pushedTitleDays++;
    }
    movies.set(item, turn.state);
  }
  const board = boards.boards.get(GLOBAL_COHORT) ?? new Map<string, number>();
  const counts = new Float32Array(log.itemIds.length);
  log.itemIds.forEach((id, i) => {
    const score = board.get(id);
    if (score !== undefined) counts[i] = countFromBoard(score, now, options.popularityHalfLifeMs);
  });
  return { popularity: counts, pushedTitleDays };
}

/** Share of `b` found in `a`, over `k` (Agr@k of two top-k lists). */
export function agreement(a: readonly number[], b: readonly number[], k = 20): number {
  const set = new Set(a.slice(0, k));
  let n = 0;
  for (const i of b.slice(0, k)) if (set.has(i)) n++;
  return n / k;
}

/** Share of users (with held-out items) whose list holds at least one of them: HR@k. */
export function hitRate(
  lists: ReadonlyMap<number, readonly number[]>,
  test: readonly (readonly number[])[],
): number {
  let users = 0;
  let hits = 0;
  for (const [u, list] of lists) {
    const held = test[u] ?? [];
    if (held.length === 0) continue;
    users++;
    if (list.some((i) => held.includes(i))) hits++;
  }
  return users === 0 ? NaN : hits / users;
}
