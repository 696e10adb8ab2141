/**
 * UserActor(u): the pure transition `(state, event, view) → (state, outputs)`. It owns p_u, b_u, the
 * user's counts and last served lists; it reads the movie's current q_i, b_i (a read-only view the
 * task fetched) and hands the movie half of each SGD step to the movie actor as a message.
 */
import type { RateEvent, ServedEvent, UserEvent, WatchEvent } from '../../streams/events.ts';
import { dotAt, sgdHalfStep } from '../../src/model/algorithms/sgd-step.ts';
import { foldInDual } from './fold-in-dual.ts';
import { isAfter, type MovieMessage, type Position, type SourceRef } from '../messages.ts';
import { seededVector, type StreamModelOptions } from '../model-options.ts';
import type { MovieFactors } from '../../src/state/movie-state.ts';
import type { PendingRating, UserState } from '../../src/state/user-state.ts';
import { cohortOf } from '../../src/store/popular-lists.ts';

export type { PendingRating, UserState };

/** A movie's factors as the user actor reads them: never written by it. */
export type MovieView = MovieFactors;

/** Watch lines at or before this minute mark the start of a view (what popularity counts). */
export const STARTED_WATCHING_MINUTE = 1;

/** What a user turn asks the shell to do. */
export type UserOutput =
  | { readonly kind: 'movie'; readonly message: MovieMessage }
  | { readonly kind: 'history'; readonly movieId: string; readonly at: number }
  /**
   * The user started watching a movie: one count on the popularity boards. A rating's count is the
   * movie actor's (it travels in the movie message: only the movie knows whether it is over its cap).
   */
  | { readonly kind: 'popular'; readonly movieId: string; readonly at: number; readonly served: boolean }
  /** A rating, and whether its title was in a list last served to the user (the rating-skew monitor). */
  | { readonly kind: 'rating'; readonly rating: number; readonly served: boolean };

/** One turn's result. */
export interface UserTurn {
  readonly state: UserState;
  readonly outputs: readonly UserOutput[];
}

/**
 * A user the stream has not seen: the trained model's b_u, p_u when it knows the user (no fold-in
 * needed), else a seeded p_u and zero bias, waiting for fold-in.
 */
export function newUserState(userId: string, options: StreamModelOptions): UserState {
  const trained = options.initial?.user(userId);
  if (trained !== undefined) {
    return { ...newUserState(userId, { ...options, initial: undefined }), ...trained, folded: true };
  }
  return {
    userId,
    bias: 0,
    vector: seededVector('user', userId, options),
    ratings: 0,
    watches: 0,
    served: 0,
    folded: options.foldInAfter <= 0,
    pending: [],
    lastServed: {},
    version: options.version ?? '',
    age: null,
    gender: null,
  };
}

/** r̂ before clipping: μ + b_u + b_i + p_u·q_i. */
export function estimate(user: UserState, movie: MovieView, options: StreamModelOptions): number {
  return options.mu + user.bias + movie.bias + dotAt(user.vector, 0, movie.vector, 0, options.factors);
}

/** Ridge regression of (b_u, p_u) against the pending ratings' movie factors (the dual of src/model/algorithms/fold-in.ts). */
export function foldIn(
  pending: readonly PendingRating[],
  options: StreamModelOptions,
): { bias: number; vector: Float32Array } {
  const rows = pending.map((p) => ({ vector: p.movieVector, target: p.rating - options.mu - p.movieBias }));
  return foldInDual(rows, options.factors, options.foldInLambda);
}

/** Whether `movieId` was in a list last served to the user (any arm): a served, not organic, take-up. */
export function inLastServed(s: UserState, movieId: string): boolean {
  // Runs on every rating and view: for-in walks the object's cached keys and allocates nothing, where
  // Object.values(...).some(...) built an array and a closure per event. lastServed is a plain object
  // (literal, spread or fromEntries), so for-in sees exactly its own arms.
  const served = s.lastServed;
  for (const arm in served) if (served[arm]!.includes(movieId)) return true;
  return false;
}

function rate(
  s: UserState,
  e: RateEvent,
  movie: MovieView,
  source: SourceRef,
  o: StreamModelOptions,
): UserTurn {
  const err = e.rating - estimate(s, movie, o);
  const served = inLastServed(s, e.movieId);
  let vector: Float32Array = new Float32Array(s.vector);
  let bias = sgdHalfStep(vector, 0, movie.vector, 0, o.factors, s.bias, err, o);
  let folded = s.folded;
  let pending = s.pending;
  if (!folded) {
    const kept = { movieId: e.movieId, rating: e.rating, movieBias: movie.bias };
    pending = [...pending, { ...kept, movieVector: new Float32Array(movie.vector) }];
    if (pending.length >= o.foldInAfter) {
      ({ bias, vector } = foldIn(pending, o));
      folded = true;
      pending = [];
    }
  }
  const outputs: UserOutput[] = [
    {
      kind: 'movie',
      message: {
        type: 'rate',
        v: s.version,
        movieId: e.movieId,
        userId: s.userId,
        rating: e.rating,
        err,
        p: s.vector,
        at: e.at,
        eventId: e.eventId,
        source,
        // The rating's popularity is counted by the movie actor, which knows its daily cap.
        cohort: cohortOf(s.age, s.gender),
        served,
      },
    },
    { kind: 'history', movieId: e.movieId, at: e.at },
    // Online evaluation per A/B arm is the stage's (online-eval.ts: every rating of an exposed user,
    // by the arm's model); here only whether the title was in a list last served (rating skew).
    { kind: 'rating', rating: e.rating, served },
  ];
  return { state: { ...s, bias, vector, folded, pending, ratings: s.ratings + 1 }, outputs };
}

function watch(s: UserState, e: WatchEvent, source: SourceRef): UserTurn {
  const message: MovieMessage = {
    type: 'watch',
    movieId: e.movieId,
    userId: s.userId,
    at: e.at,
    eventId: e.eventId,
    source,
  };
  return {
    state: { ...s, watches: s.watches + 1 },
    outputs: [
      { kind: 'movie', message },
      { kind: 'history', movieId: e.movieId, at: e.at },
      // A watch line is one minute of video: a view counts once, at its first minutes.
      ...(e.minute <= STARTED_WATCHING_MINUTE
        ? [{ kind: 'popular' as const, movieId: e.movieId, at: e.at, served: inLastServed(s, e.movieId) }]
        : []),
    ],
  };
}

function served(s: UserState, e: ServedEvent): UserTurn {
  const state = { ...s, served: s.served + 1 };
  if (e.status !== 200 || e.items.length === 0) return { state, outputs: [] };
  // Exposure (board:served) is counted once, by the API when it serves; the actor keeps the list.
  const lastServed = { ...s.lastServed, [e.arm ?? 'default']: e.items };
  return { state: { ...state, lastServed }, outputs: [] };
}

/**
 * UserActor's receive. A rating needs `movie` (the movie's current factors); the SGD half step
 * uses the pre-step error, and the emitted message carries the pre-step p_u (the old state's
 * vector: the new state got a copy), so the movie half is the same step Surprise would take.
 */
export function receiveUserEvent(
  state: UserState,
  event: UserEvent,
  movie: MovieView | undefined,
  source: SourceRef,
  options: StreamModelOptions,
): UserTurn {
  switch (event.type) {
    case 'rate':
      if (movie === undefined) throw new Error(`a rating of ${event.movieId} needs the movie's factors`);
      return rate(state, event, movie, source, options);
    case 'watch':
      return watch(state, event, source);
    case 'served':
      return served(state, event);
    case 'rebase':
      // The stage moved the state onto the active version before this turn (rebaseUser).
      return { state, outputs: [] };
    case 'profile':
      return { state: { ...state, age: event.age, gender: event.gender }, outputs: [] };
  }
}

/** A rating the user actor keeps for a version change: what it rated, and where the rating was read. */
export interface RecentRating {
  readonly movieId: string;
  readonly rating: number;
  readonly at: number;
  readonly source: SourceRef;
}

/**
 * Moves a user onto another model version: p_u and b_u restart from that version's trained vectors
 * (or seeded and waiting for fold-in when it does not know the user), then every rating in `recent`
 * after the version's training watermark is learned again against the movies' factors in that
 * version (`movieOf`), in order — so no rating the retrain missed is lost. Counters and served lists
 * carry over; pending fold-in ratings of the old version are dropped (their movie vectors belong to
 * it) and rebuilt by the replay.
 */
export function rebaseUser(
  old: UserState,
  recent: readonly RecentRating[],
  after: Position | undefined,
  movieOf: (movieId: string) => MovieView,
  options: StreamModelOptions,
): UserState {
  let state = newUserState(old.userId, options);
  for (const r of recent) {
    if (after !== undefined && !isAfter(r.source, after)) continue;
    const event: RateEvent = {
      type: 'rate',
      userId: old.userId,
      movieId: r.movieId,
      rating: r.rating,
      at: r.at,
      eventId: '',
    };
    state = rate(state, event, movieOf(r.movieId), r.source, options).state;
  }
  return {
    ...state,
    ratings: old.ratings,
    watches: old.watches,
    served: old.served,
    lastServed: old.lastServed,
    age: old.age,
    gender: old.gender,
  };
}
