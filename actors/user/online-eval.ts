/**
 * The user stage's online evaluation of the running experiment (docs/experiments.md): a rating of a
 * user already served a list by their arm is predicted by the arm's model before the user's turn (or
 * anything else) learns from it; one batch's squared errors go to Redis in the batch's own commit, so
 * each rating is counted exactly once with the offsets.
 */
import type { RateEvent } from '../../streams/events.ts';
import type { WriteBatch } from '../../src/state/write-batch.ts';
import type { RedisKeys } from '../../src/store/redis-keys.ts';
import type { StreamExperiment } from '../experiment-arms.ts';
import type { ModelSpace } from '../model-space.ts';
import { clip } from '../model-options.ts';
import { estimate, type MovieView, type UserState } from './user-actor.ts';

/** Squared errors per value pushed in one write (the commit script unpacks a write's arguments). */
const RESIDUALS_PER_WRITE = 500;

/** One batch's online evaluation of an experiment arm. */
interface ArmEval {
  /** Squared errors in rating order. */
  readonly squares: number[];
  /** Per user: ratings and Σe². */
  readonly users: Map<string, [number, number]>;
}

/** A batch's online evaluation: observe each rating before its turn, then add the writes. */
export interface OnlineEval {
  observe(state: UserState, event: RateEvent, movie: MovieView): void;
  flush(w: WriteBatch): void;
}

/** The evaluation of one batch in `space` (nothing when no experiment runs). */
export function onlineEval(
  experiment: StreamExperiment | null,
  space: ModelSpace,
  keys: RedisKeys,
): OnlineEval {
  const arms = new Map<string, ArmEval>();
  return {
    observe(state, event, movie) {
      if (experiment === null) return;
      const arm = experiment.armOf(state.userId);
      if (state.lastServed[arm.label] === undefined) return;
      // The actors' own version is scored with the live p_u, as the API scores that arm.
      const predicted =
        arm.version === space.version
          ? clip(estimate(state, movie, space.options), space.options)
          : experiment.predict(arm.version, state.userId, event.movieId);
      if (predicted === undefined) return;
      let e = arms.get(arm.name);
      if (e === undefined) arms.set(arm.name, (e = { squares: [], users: new Map() }));
      const sq = (event.rating - predicted) ** 2;
      e.squares.push(sq);
      const u = e.users.get(state.userId) ?? [0, 0];
      e.users.set(state.userId, [u[0] + 1, u[1] + sq]);
    },
    flush(w) {
      if (experiment === null) return;
      for (const [arm, e] of arms) {
        const key = (part: 'residuals' | 'users' | 'ratings') =>
          keys.experimentEval(experiment.id, arm, part);
        const values = e.squares.map((sq) => sq.toPrecision(9));
        for (let k = 0; k < values.length; k += RESIDUALS_PER_WRITE)
          w.rpush(key('residuals'), ...values.slice(k, k + RESIDUALS_PER_WRITE));
        for (const [userId, [n, sum]] of e.users) {
          w.hincrby(key('users'), `${userId}:n`, n);
          w.hincrbyfloat(key('users'), `${userId}:s`, sum);
        }
        w.hincrby(key('ratings'), 'n', e.squares.length);
        w.hincrbyfloat(
          key('ratings'),
          'se',
          e.squares.reduce((s, x) => s + x, 0),
        );
        w.hincrbyfloat(
          key('ratings'),
          'se2',
          e.squares.reduce((s, x) => s + x * x, 0),
        );
      }
    },
  };
}
