import { describe, expect, it } from 'vitest';
import type { RateEvent } from '../../streams/events.ts';
import { WriteBatch } from '../../src/state/write-batch.ts';
import { redisKeys } from '../../src/store/redis-keys.ts';
import type { StreamExperiment } from '../experiment-arms.ts';
import { clip, STREAM_MODEL_DEFAULTS, type StreamModelOptions } from '../model-options.ts';
import { newMovieState } from '../movie/movie-actor.ts';
import { onlineEval } from './online-eval.ts';
import { estimate, newUserState } from './user-actor.ts';

const o: StreamModelOptions = { ...STREAM_MODEL_DEFAULTS, factors: 4, foldInAfter: 0, version: '2' };
const space = { version: '2', options: o, watermarkOf: () => undefined };
const keys = redisKeys('t:');
/** Even ids in arm `svd` (version 1, not the actors' own), odd ids in `svdpp` (version 2, the actors'). */
const experiment: StreamExperiment = {
  id: '9',
  armOf: (u) =>
    Number(u) % 2 === 0
      ? { name: 'svd', label: 'e9.svd', version: '1' }
      : { name: 'svdpp', label: 'e9.svdpp', version: '2' },
  predict: (version, userId, movieId) =>
    version === '1' ? 3.5 + Number(userId) / 100 + movieId.length / 10 : undefined,
};
const rate = (userId: string, movieId: string, rating: number): RateEvent => ({
  type: 'rate',
  userId,
  movieId,
  rating,
  at: 0,
  eventId: '0'.repeat(32),
});
/** The writes of a batch as [command, key, …arguments]. */
function writes(w: WriteBatch): unknown[][] {
  const out: unknown[][] = [];
  for (let k = 0; k < w.args.length;) {
    const count = w.args[k + 2] as number;
    out.push([w.args[k], w.keys[(w.args[k + 1] as number) - 2], ...w.args.slice(k + 3, k + 3 + count)]);
    k += 3 + count;
  }
  return out;
}

describe('online evaluation of the running experiment', () => {
  it("predicts an exposed user's rating with their arm's model, before the turn learns from it", () => {
    const evaluation = onlineEval(experiment, space, keys);
    const movie = newMovieState('m', o);
    const odd = { ...newUserState('7', o), lastServed: { 'e9.svdpp': ['m'] } };
    const even = { ...newUserState('8', o), lastServed: { 'e9.svd': ['x'] } };
    const unexposed = { ...newUserState('9', o), lastServed: { a: ['m'] } };
    evaluation.observe(odd, rate('7', 'm', 5), movie);
    evaluation.observe(even, rate('8', 'm', 2), movie);
    evaluation.observe(unexposed, rate('9', 'm', 1), movie);
    const w = new WriteBatch();
    evaluation.flush(w);
    // The actors' own version: the live p_u and b_u of the state before the turn.
    const live = (5 - clip(estimate(odd, movie, o), o)) ** 2;
    // Another version: that model's prediction (here 3.5 + 0.08 + 0.1).
    const other = (2 - 3.68) ** 2;
    expect(writes(w)).toEqual([
      ['RPUSH', 't:experiment:{e9}:svdpp:residuals', live.toPrecision(9)],
      ['HINCRBY', 't:experiment:{e9}:svdpp:users', '7:n', 1],
      ['HINCRBYFLOAT', 't:experiment:{e9}:svdpp:users', '7:s', live],
      ['HINCRBY', 't:experiment:{e9}:svdpp:ratings', 'n', 1],
      ['HINCRBYFLOAT', 't:experiment:{e9}:svdpp:ratings', 'se', live],
      ['HINCRBYFLOAT', 't:experiment:{e9}:svdpp:ratings', 'se2', live * live],
      ['RPUSH', 't:experiment:{e9}:svd:residuals', other.toPrecision(9)],
      ['HINCRBY', 't:experiment:{e9}:svd:users', '8:n', 1],
      ['HINCRBYFLOAT', 't:experiment:{e9}:svd:users', '8:s', other],
      ['HINCRBY', 't:experiment:{e9}:svd:ratings', 'n', 1],
      ['HINCRBYFLOAT', 't:experiment:{e9}:svd:ratings', 'se', other],
      ['HINCRBYFLOAT', 't:experiment:{e9}:svd:ratings', 'se2', other * other],
    ]);
  });

  it('writes nothing when no experiment runs', () => {
    const evaluation = onlineEval(null, space, keys);
    evaluation.observe(
      { ...newUserState('7', o), lastServed: { 'e9.svdpp': ['m'] } },
      rate('7', 'm', 5),
      newMovieState('m', o),
    );
    const w = new WriteBatch();
    evaluation.flush(w);
    expect(w.size).toBe(0);
  });
});
