import { describe, expect, it } from 'vitest';
import { buildTrainingSet } from '../../src/jobs/retrain/training-set.ts';
import { createRandom } from '../../src/lib/random.ts';
import type { MovieRatingMessage } from '../messages.ts';
import { STREAM_MODEL_DEFAULTS, type StreamModelOptions } from '../model-options.ts';
import { newMovieState, receiveMovieMessage, type MovieState } from './movie-actor.ts';

const DAY = 86_400_000;
const options: StreamModelOptions = { ...STREAM_MODEL_DEFAULTS, factors: 4, version: '2', dailyCap: 3 };

/** One movie's ratings: (user, at, stepped in the movie's model version?). */
type Rating = readonly [user: number, at: number, sameVersion: boolean];

/** Runs `ratings` through one movie actor, as the stream does. */
function stream(ratings: readonly Rating[]): MovieState {
  let s = newMovieState('m', options);
  for (const [user, at, sameVersion] of ratings) {
    const m: MovieRatingMessage = {
      type: 'rate',
      // A user actor still in the previous version: its p_u and error mean nothing against this q_i.
      v: sameVersion ? s.version : '1',
      movieId: 'm',
      userId: `u${user}`,
      rating: 4,
      err: 0.5,
      p: new Float32Array(options.factors).fill(0.5),
      at,
      eventId: `${at}`.padStart(32, '0'),
      source: { topic: 'ue', partition: 0, offset: at, index: 0 },
    };
    s = receiveMovieMessage(s, m, options).state;
  }
  return s;
}

/** The same ratings as the retrain reads them from the log (which keeps no model version). */
function retrain(ratings: readonly Rating[]) {
  return buildTrainingSet(
    {
      users: Int32Array.from(ratings.map((r) => r[0])),
      items: new Int32Array(ratings.length),
      ratings: new Float32Array(ratings.length).fill(4),
      times: Float64Array.from(ratings.map((r) => r[1])),
      userIds: Array.from({ length: 10 }, (_, u) => `u${u}`),
      itemIds: ['m'],
    },
    options.dailyCap,
  );
}

describe('the daily cap in the stream and in the retrain', () => {
  it('charges a rating stepped in another model version to the cap, as the retrain does: a slot, no step', () => {
    const ratings: Rating[] = [
      [0, 10, false], // another version: not learned online, but the retrain learns it
      [1, 20, true],
      [2, 30, true],
      [3, 40, true], // the fourth rater of the day: over the cap of 3 in both
    ];
    const s = stream(ratings);
    expect(s).toMatchObject({ capped: 1, dayUpdates: 3 });
    expect([...s.dayRaters]).toEqual(['u0', 'u1', 'u2']);
    expect(retrain(ratings).capped).toBe(1);
    // No step from the other version's rating: the same q_i as a movie that only saw the two others.
    expect(s.vector).toEqual(stream(ratings.slice(1, 3)).vector);
  });

  it('caps the same ratings in both, whatever version each was stepped in', () => {
    const random = createRandom(11);
    const ratings: Rating[] = [];
    for (let k = 0, at = 0; k < 3_000; k++) {
      at += random.int(3) * 10_000_000; // several ratings a day, a day now and then without any
      ratings.push([random.int(10), at, random.next() < 0.8]);
    }
    const s = stream(ratings);
    expect(s.capped).toBe(retrain(ratings).capped);
    // The last day's slots: the first three distinct raters of that day in both.
    const lastDay = Math.floor((ratings.at(-1)?.[1] ?? 0) / DAY);
    const firstOfDay = [
      ...new Set(ratings.filter(([, at]) => Math.floor(at / DAY) === lastDay).map(([u]) => `u${u}`)),
    ].slice(0, 3);
    expect([...s.dayRaters]).toEqual(firstOfDay);
    expect(s.capped).toBeGreaterThan(0);
  });

  it("keeps the day's cap when a rating for an earlier day arrives late, between the day's ratings", () => {
    // Cap 3; six raters on day 10, each followed by a late rating stamped on day 9 (another
    // partition lagging): before, every late rating emptied the day's raters and the next rating
    // emptied them again, so all twelve were learned.
    const ratings: Rating[] = [];
    for (let u = 0; u < 6; u++) ratings.push([u, 10 * DAY + u * 1_000, true], [u, 9 * DAY + u * 1_000, true]);
    const s = stream(ratings);
    expect(s.day).toBe(stream([[0, 10 * DAY, true]]).day);
    expect([...s.dayRaters]).toEqual(['u0', 'u1', 'u2']);
    // Day 10's fourth to sixth raters are over the cap; the late ratings take no slot of day 10.
    expect(s.capped).toBe(3);
  });
});
