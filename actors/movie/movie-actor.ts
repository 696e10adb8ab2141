/**
 * MovieActor(i): the pure transition `(state, message) → (state, outputs)`. It owns q_i, b_i, the
 * movie's counters, its decayed popularity and its daily budget of training updates.
 */
import { capDecision } from '../../src/guardrails/rating-budget.ts';
import { isPushRating, PUSH_RULE } from '../../src/guardrails/push-ratings.ts';
import { AppendOnlySet } from '../../src/lib/append-only-set.ts';
import { sgdHalfStep } from '../../src/model/algorithms/sgd-step.ts';
import type { MovieMessage, MovieRatingMessage, MovieWatchMessage } from '../messages.ts';
import { seededVector, utcDay, type StreamModelOptions } from '../model-options.ts';
import type { MovieState } from '../../src/state/movie-state.ts';

export type { MovieState };

/** What a movie turn asks the shell to do (boards and the rating distribution). */
export type MovieOutput =
  | { readonly kind: 'popularity'; readonly score: number }
  /**
   * A rating that counts as a take-up: one unit on the popularity boards serving reads (global and
   * the rater's cohort). Ratings over the daily cap, and same-day re-ratings, add none.
   */
  | {
      readonly kind: 'popular';
      readonly cohort: string;
      readonly at: number;
      /** Whether the title was in a list last served to the rater. */
      readonly served: boolean;
    }
  | { readonly kind: 'rated'; readonly day: string }
  | { readonly kind: 'watched'; readonly day: string }
  /** A rating over the daily cap: counted on the day's `capped:<day>` board (which movies are flooded). */
  | { readonly kind: 'capped'; readonly day: string }
  /**
   * A push rating (top of the scale on a cold, poorly rated title: src/guardrails/push-ratings.ts),
   * counted on the day's `pushed:<day>` board; `flagged` when it is the day's `flagAt`-th.
   */
  | { readonly kind: 'pushed'; readonly day: string; readonly flagged: boolean }
  | { readonly kind: 'histogram'; readonly rating: number };

/** One turn's result. */
export interface MovieTurn {
  readonly state: MovieState;
  readonly outputs: readonly MovieOutput[];
}

/**
 * A movie the stream has not seen: the trained model's b_i, q_i when it knows the movie, else the
 * seeded q_i; user actors predicting with it before it is activated assume the same.
 */
export function newMovieState(movieId: string, options: StreamModelOptions): MovieState {
  const trained = options.initial?.movie(movieId);
  return {
    movieId,
    bias: trained?.bias ?? 0,
    vector: trained?.vector ?? seededVector('movie', movieId, options),
    ratings: 0,
    watches: 0,
    histogram: [0, 0, 0, 0, 0],
    capped: 0,
    rerated: 0,
    popularity: 0,
    popularityAt: 0,
    day: '',
    dayUpdates: 0,
    dayRaters: AppendOnlySet.empty(),
    version: options.version ?? '',
  };
}

/**
 * Adds one unit of popularity at `at`, decayed with the half-life. The leaderboard score is
 * log2(popularity) + popularityAt / halfLife: comparable across movies last touched at different
 * times, without rescoring every movie as time passes.
 */
export function bumpPopularity(s: MovieState, at: number, o: StreamModelOptions): MovieState {
  const h = o.popularityHalfLifeMs;
  if (s.popularity === 0) return { ...s, popularity: 1, popularityAt: at };
  if (at >= s.popularityAt) {
    return { ...s, popularity: s.popularity * 2 ** (-(at - s.popularityAt) / h) + 1, popularityAt: at };
  }
  return { ...s, popularity: s.popularity + 2 ** (-(s.popularityAt - at) / h) };
}

/** The leaderboard score of a popularity state. */
export function popularityScore(s: MovieState, o: StreamModelOptions): number {
  return Math.log2(s.popularity) + s.popularityAt / o.popularityHalfLifeMs;
}

function rate(s: MovieState, m: MovieRatingMessage, o: StreamModelOptions): MovieTurn {
  const day = utcDay(m.at);
  // Ratings reach a movie in arrival order, from partitions that lag by different amounts: one for
  // a day before the movie's current day arrives late. Judged against an empty set of that day's
  // raters (the movie keeps only its current day's), it takes a slot in no day and leaves the
  // current day's raters and pushes as they are — switching days back and forth would wipe the cap.
  const late = s.day !== '' && day < s.day;
  const raters = day === s.day ? s.dayRaters : AppendOnlySet.empty();
  const decision = capDecision(raters, m.userId, o.dailyCap);
  let next: MovieState = late ? { ...s } : { ...s, day, dayRaters: raters, dayUpdates: raters.size };
  if (decision === 'learn') {
    // O(1): the set is persistent (src/lib/append-only-set.ts); `s` keeps the raters it had.
    const dayRaters = raters.add(m.userId);
    if (!late) next = { ...next, dayRaters, dayUpdates: dayRaters.size };
    // The rater takes a slot whatever version the user's half of the step was taken in: the retrain
    // learns this rating and charges it alike (src/jobs/retrain/training-set.ts). A step, though,
    // only in this version: another's p_u and error mean nothing against this q_i (the user side
    // moved on, or soon will).
    if (m.v === s.version) {
      const vector = new Float32Array(s.vector);
      const bias = sgdHalfStep(vector, 0, m.p, 0, o.factors, s.bias, m.err, o);
      next = { ...next, vector, bias };
    }
  } else if (decision === 'again') {
    // A re-rating the same day: it replaces the earlier one in the log (the retrain learns the
    // latest), and takes neither a second step nor a second slot (src/guardrails/rating-budget.ts).
    next = { ...next, rerated: s.rerated + 1 };
  } else {
    // Rating-poison defence: a flood of ratings on one movie in one day is counted, not learned.
    next = { ...next, capped: s.capped + 1 };
  }
  const star = Math.min(5, Math.max(1, Math.round(m.rating)));
  const histogram = s.histogram.map((c, j) => (j === star - 1 ? c + 1 : c));
  const capped = next.capped > s.capped;
  next = { ...next, ratings: s.ratings + 1, histogram };
  const outputs: MovieOutput[] = [
    { kind: 'rated', day },
    { kind: 'histogram', rating: star },
  ];
  if (capped) outputs.push({ kind: 'capped', day });
  // Detection of a push below the cap: judged on the ratings before this one, learned or capped; a
  // re-rating is the same account again, not another one pushing.
  const pushes = day === s.day ? (s.dayPushes ?? 0) : 0;
  if (late) {
    // Not judged for a push: the day it belongs to is no longer kept.
  } else if (decision !== 'again' && isPushRating(m.rating, s.histogram)) {
    next = { ...next, dayPushes: pushes + 1 };
    outputs.push({ kind: 'pushed', day, flagged: pushes + 1 === PUSH_RULE.flagAt });
  } else if (pushes !== (s.dayPushes ?? 0)) next = { ...next, dayPushes: pushes };
  // Popularity counts a rater once a day and within the cap: a flood over the cap would otherwise
  // push the title through the ranking blend, which weighs popularity most, though the model
  // learned nothing from it (docs/threat-model.md, S2); a re-rating is no second take-up.
  if (decision === 'learn') {
    next = bumpPopularity(next, m.at, o);
    outputs.push({ kind: 'popularity', score: popularityScore(next, o) });
    if (m.cohort !== undefined)
      outputs.push({ kind: 'popular', cohort: m.cohort, at: m.at, served: m.served ?? false });
  }
  return { state: next, outputs };
}

function watch(s: MovieState, m: MovieWatchMessage, o: StreamModelOptions): MovieTurn {
  const next = bumpPopularity({ ...s, watches: s.watches + 1 }, m.at, o);
  return {
    state: next,
    outputs: [
      { kind: 'popularity', score: popularityScore(next, o) },
      { kind: 'watched', day: utcDay(m.at) },
    ],
  };
}

/** MovieActor's receive: the movie half of the SGD step (unless capped) and the counters. */
export function receiveMovieMessage(
  state: MovieState,
  message: MovieMessage,
  options: StreamModelOptions,
): MovieTurn {
  return message.type === 'rate' ? rate(state, message, options) : watch(state, message, options);
}

/**
 * Moves a movie onto another model version: q_i and b_i restart from that version's trained vectors
 * (seeded when it does not know the movie); counters, popularity and the day's budget carry over.
 */
export function rebaseMovie(old: MovieState, options: StreamModelOptions): MovieState {
  const fresh = newMovieState(old.movieId, options);
  return { ...old, bias: fresh.bias, vector: fresh.vector, version: fresh.version };
}
