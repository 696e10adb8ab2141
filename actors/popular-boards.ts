/**
 * The popularity boards serving blends (`popular:<cohort>`, growing weights: src/model/ranking/
 * popularity.ts, `boardWeight`): one batch's additions, per cohort and movie, written with the batch's
 * state in its one atomic commit. Two writers add to them, each for the take-ups it alone can judge
 * (docs/actors.md, "Popularity boards"): the user stage for started views, the movie stage for ratings
 * — only the movie actor knows whether a rating is over its daily cap, and such a rating adds nothing.
 */
import type { RedisKeys } from '../src/store/redis-keys.ts';
import type { WriteBatch } from '../src/state/write-batch.ts';
import { GLOBAL_COHORT } from '../src/store/popular-lists.ts';
import { takeUpBoardWeight } from '../src/model/ranking/popularity.ts';
import type { StreamModelOptions } from './model-options.ts';

/** One take-up (a counted rating, a started view) for the boards: who took it up, when, and whether it was served. */
export interface TakeUp {
  readonly movieId: string;
  /** The user's cohort (`cohortOf`; the global cohort when their age is unknown). */
  readonly cohort: string;
  readonly at: number;
  /** Whether the title was in a list last served to the user. */
  readonly served: boolean;
}

/** Movies kept per cohort board (serving reads the head; the tail would only grow). */
export const POPULAR_KEPT = 5_000;

/** A batch's additions to the popularity boards. */
export class BoardAdditions {
  /** Weight per movie, per cohort (the global cohort included). */
  readonly boards = new Map<string, Map<string, number>>();

  /** One take-up of `movieId` by a member of `cohort`: `weight` on the global board and on the cohort's. */
  add(cohort: string, movieId: string, weight: number): void {
    this.#add(GLOBAL_COHORT, movieId, weight);
    if (cohort !== GLOBAL_COHORT) this.#add(cohort, movieId, weight);
  }

  /**
   * A take-up, weighed as every writer of the boards weighs it (the one place that decides a take-up's
   * weight): a served one at SERVED_POPULARITY_WEIGHT (takeUpBoardWeight), so exposure does not
   * reinforce itself; one weighing nothing is not written.
   */
  addTakeUp(
    t: TakeUp,
    options: Pick<StreamModelOptions, 'popularityHalfLifeMs' | 'servedPopularityWeight'>,
  ): void {
    const weight = takeUpBoardWeight(t.at, t.served, options);
    if (weight > 0) this.add(t.cohort, t.movieId, weight);
  }

  #add(cohort: string, movieId: string, weight: number): void {
    let movies = this.boards.get(cohort);
    if (movies === undefined) this.boards.set(cohort, (movies = new Map()));
    movies.set(movieId, (movies.get(movieId) ?? 0) + weight);
  }

  /** Adds the batch's weights to the boards in `w`, and trims each board it touched to its head. */
  flush(keys: RedisKeys, w: WriteBatch): void {
    for (const [cohort, movies] of this.boards) {
      for (const [movieId, weight] of movies) w.zincrby(keys.popularFor(cohort), weight, movieId);
      w.zkeepTop(keys.popularFor(cohort), POPULAR_KEPT);
    }
  }
}
