/**
 * The popularity of the attack simulations' victim is the stream's: every logged rating goes through
 * the movie actor's own transition and board additions, so what its daily cap keeps off the boards
 * stays off here.
 */
import { STREAM_MODEL_DEFAULTS } from '../../../actors/model-options.ts';
import { newMovieState, receiveMovieMessage, type MovieState } from '../../../actors/movie/movie-actor.ts';
import { BoardAdditions } from '../../../actors/popular-boards.ts';
import { BLEND_DEFAULTS } from '../../../src/model/ranking/blend.ts';
import { countFromBoard } from '../../../src/model/ranking/popularity.ts';
import { GLOBAL_COHORT } from '../../../src/store/popular-lists.ts';
import type { RatingLog } from './split-world.ts';

const DAY_MS = 86_400_000;

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
