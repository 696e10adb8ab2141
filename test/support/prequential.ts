/**
 * Prequential evaluation (predict each rating, then learn from it) of the incremental model, computed
 * in memory over a time-ordered event list: the yardstick the stream is measured against. Two
 * sequential passes: the model core's `sgdStep` (plain SGD, no fold-in), and the actors' own pure
 * transitions applied one rating at a time (fold-in and cap included, no staleness).
 */
import type { UserEvent } from '../../streams/events.ts';
import { sgdStep, type FactorState } from '../../src/model/algorithms/sgd-step.ts';
import { clip, seededVector, type StreamModelOptions } from '../../actors/model-options.ts';
import { newMovieState, receiveMovieMessage, type MovieState } from '../../actors/movie/movie-actor.ts';
import { estimate, newUserState, receiveUserEvent, type UserState } from '../../actors/user/user-actor.ts';

/** Root-mean-square error of clipped predictions over a list of (rating, unclipped error) pairs. */
export function prequentialRmse(
  pairs: Iterable<{ rating: number; err: number }>,
  o: StreamModelOptions,
): number {
  let n = 0;
  let sse = 0;
  for (const { rating, err } of pairs) {
    sse += (rating - clip(rating - err, o)) ** 2;
    n++;
  }
  return Math.sqrt(sse / n);
}

/** Prequential RMSE of one sequential pass of the model core's SGD step over the ratings. */
export function sequentialSgdRmse(events: readonly UserEvent[], o: StreamModelOptions): number {
  const users = new Map<string, number>();
  const items = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'rate') continue;
    if (!users.has(e.userId)) users.set(e.userId, users.size);
    if (!items.has(e.movieId)) items.set(e.movieId, items.size);
  }
  const k = o.factors;
  const state: FactorState = {
    mu: o.mu,
    factors: k,
    userBias: new Float32Array(users.size),
    itemBias: new Float32Array(items.size),
    userFactors: new Float32Array(users.size * k),
    itemFactors: new Float32Array(items.size * k),
  };
  for (const [id, j] of users) state.userFactors.set(seededVector('user', id, o), j * k);
  for (const [id, j] of items) state.itemFactors.set(seededVector('movie', id, o), j * k);
  const pairs: { rating: number; err: number }[] = [];
  for (const e of events) {
    if (e.type !== 'rate') continue;
    const err = sgdStep(state, users.get(e.userId) as number, items.get(e.movieId) as number, e.rating, o);
    pairs.push({ rating: e.rating, err });
  }
  return prequentialRmse(pairs, o);
}

/** Prequential RMSE of the actors' transitions run one event at a time, each movie half at once. */
export function sequentialActorsRmse(events: readonly UserEvent[], o: StreamModelOptions): number {
  const users = new Map<string, UserState>();
  const movies = new Map<string, MovieState>();
  const pairs: { rating: number; err: number }[] = [];
  const source = { topic: 'in-memory', partition: 0, offset: 0, index: 0 };
  for (const e of events) {
    if (e.type !== 'rate') continue;
    const user = users.get(e.userId) ?? newUserState(e.userId, o);
    const movie = movies.get(e.movieId) ?? newMovieState(e.movieId, o);
    pairs.push({ rating: e.rating, err: e.rating - estimate(user, movie, o) });
    const turn = receiveUserEvent(user, e, movie, source, o);
    users.set(e.userId, turn.state);
    for (const out of turn.outputs) {
      if (out.kind === 'movie') movies.set(e.movieId, receiveMovieMessage(movie, out.message, o).state);
    }
  }
  return prequentialRmse(pairs, o);
}
