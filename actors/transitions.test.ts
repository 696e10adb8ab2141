import { describe, expect, it } from 'vitest';
import type { RateEvent, ServedEvent, WatchEvent } from '../streams/events.ts';
import { sgdStep, type FactorState } from '../src/model/algorithms/sgd-step.ts';
import {
  decodeMovieMessage,
  encodeMovieMessage,
  type MovieMessage,
  type MovieRatingMessage,
} from './messages.ts';
import { STREAM_MODEL_DEFAULTS, seededVector, type StreamModelOptions } from './model-options.ts';
import {
  newMovieState,
  popularityScore,
  rebaseMovie,
  receiveMovieMessage,
  type MovieState,
} from './movie/movie-actor.ts';
import { foldIn, newUserState, rebaseUser, receiveUserEvent, type UserState } from './user/user-actor.ts';

const o: StreamModelOptions = { ...STREAM_MODEL_DEFAULTS, factors: 4, foldInAfter: 0 };
const source = { topic: 'ue', partition: 0, offset: 7, index: 0 };
const id = (n: number) => n.toString(16).padStart(32, '0');
const rateEvent = (userId: string, movieId: string, rating: number, at = 0, n = 1): RateEvent => ({
  type: 'rate',
  userId,
  movieId,
  rating,
  at,
  eventId: id(n),
});

function movieMessage(outputs: readonly { kind: string }[]): MovieMessage {
  const out = outputs.find((x): x is { kind: 'movie'; message: MovieMessage } => x.kind === 'movie');
  if (out === undefined) throw new Error('no movie message');
  return out.message;
}

/** The movie half of a rating of movie `s` by `userId` at `at`, in the movie's version. */
function ratingOf(s: MovieState, userId: string, at: number, options = o): MovieRatingMessage {
  return {
    type: 'rate',
    v: s.version,
    movieId: s.movieId,
    userId,
    rating: 5,
    err: 1,
    p: new Float32Array(options.factors).fill(0.5),
    at,
    eventId: id(at + 1),
    source,
  };
}

const servedEvent = (userId: string, items: string[], at: number): ServedEvent => ({
  type: 'served',
  userId,
  items,
  status: 200,
  latencyMs: 3,
  observedBy: 'server',
  at,
  eventId: id(at + 7),
});

/** One rating of movie `s` (by a user named after `at` unless `userId` is given). */
function rateMovie(s: MovieState, rating: number, at: number, options = o, userId = `u${at}`): MovieState {
  return rateMovieTurn(s, rating, at, options, userId).state;
}

function rateMovieTurn(s: MovieState, rating: number, at: number, options = o, userId = `u${at}`) {
  const m: MovieRatingMessage = {
    type: 'rate',
    v: s.version,
    movieId: s.movieId,
    userId,
    rating,
    err: 1,
    p: new Float32Array(options.factors).fill(0.5),
    at,
    eventId: id(at + 1),
    source,
  };
  return receiveMovieMessage(s, m, options);
}

describe('UserActor and MovieActor halves', () => {
  it('together take exactly the sequential SGD step of the model core', () => {
    const user = newUserState('u1', o);
    const movie = newMovieState('m1', o);
    const full: FactorState = {
      mu: o.mu,
      factors: o.factors,
      userBias: Float32Array.of(user.bias),
      itemBias: Float32Array.of(movie.bias),
      userFactors: new Float32Array(user.vector),
      itemFactors: new Float32Array(movie.vector),
    };
    const turn = receiveUserEvent(user, rateEvent('u1', 'm1', 5), movie, source, o);
    const message = movieMessage(turn.outputs);
    const movieTurn = receiveMovieMessage(movie, message, o);
    const err = sgdStep(full, 0, 0, 5, o);
    expect(message.type === 'rate' && message.err).toBeCloseTo(err, 12);
    expect(message.type === 'rate' && message.p).toEqual(user.vector);
    expect(turn.state.vector).toEqual(full.userFactors);
    expect(movieTurn.state.vector).toEqual(full.itemFactors);
    expect(Math.fround(turn.state.bias)).toBe(full.userBias[0]);
    expect(Math.fround(movieTurn.state.bias)).toBe(full.itemBias[0]);
  });

  it('leaves the old state untouched (the pre-step vector is the old one)', () => {
    const user = newUserState('u1', o);
    const before = new Float32Array(user.vector);
    receiveUserEvent(user, rateEvent('u1', 'm1', 1), newMovieState('m1', o), source, o);
    expect(user.vector).toEqual(before);
    expect(user.ratings).toBe(0);
  });

  it('start unseen users and movies from the same seeded vectors in every process', () => {
    expect(seededVector('movie', 'm1', o)).toEqual(seededVector('movie', 'm1', o));
    expect(seededVector('movie', 'm1', o)).not.toEqual(seededVector('movie', 'm2', o));
    expect(seededVector('user', 'm1', o)).not.toEqual(seededVector('movie', 'm1', o));
    expect(newMovieState('m1', o).vector).toEqual(seededVector('movie', 'm1', o));
  });
});

describe('UserActor', () => {
  it('counts a rating, records history and emits the movie half with its source position', () => {
    const turn = receiveUserEvent(
      newUserState('u', o),
      rateEvent('u', 'm', 4, 1000),
      newMovieState('m', o),
      source,
      o,
    );
    expect(turn.state.ratings).toBe(1);
    expect(turn.outputs).toContainEqual({ kind: 'history', movieId: 'm', at: 1000 });
    expect(movieMessage(turn.outputs)).toMatchObject({ movieId: 'm', userId: 'u', rating: 4, source });
  });

  it("leaves a rating's popularity to the movie actor, sending it the rater's cohort and whether the title was served", () => {
    let s: UserState = { ...newUserState('u', o), age: 30, gender: 'F' };
    s = receiveUserEvent(s, servedEvent('u', ['m'], 500), undefined, source, o).state;
    const turn = receiveUserEvent(s, rateEvent('u', 'm', 4, 1000), newMovieState('m', o), source, o);
    expect(turn.outputs.filter((out) => out.kind === 'popular')).toEqual([]);
    expect(movieMessage(turn.outputs)).toMatchObject({ cohort: '25-34:F', served: true });
    const unknown = receiveUserEvent(
      newUserState('v', o),
      rateEvent('v', 'n', 4),
      newMovieState('n', o),
      source,
      o,
    );
    expect(movieMessage(unknown.outputs)).toMatchObject({ cohort: 'all', served: false });
  });

  it('keeps a new user pending and folds it in by ridge regression at the threshold', () => {
    const options = { ...o, foldInAfter: 3 };
    let s: UserState = newUserState('u', options);
    const movies = ['a', 'b', 'c'].map((m) => newMovieState(m, options));
    const stars = [5, 4, 5];
    for (let j = 0; j < 2; j++) {
      s = receiveUserEvent(
        s,
        rateEvent('u', movies[j]!.movieId, stars[j]!),
        movies[j],
        source,
        options,
      ).state;
    }
    expect(s.folded).toBe(false);
    expect(s.pending.map((p) => p.movieId)).toEqual(['a', 'b']);
    s = receiveUserEvent(s, rateEvent('u', 'c', 5), movies[2], source, options).state;
    const expected = foldIn(
      movies.map((m, j) => ({ movieId: m.movieId, rating: stars[j]!, movieBias: 0, movieVector: m.vector })),
      options,
    );
    expect(s).toMatchObject({ folded: true, pending: [], ratings: 3, bias: expected.bias });
    expect(s.vector).toEqual(expected.vector);
    // A user who rates high gets a positive bias straight away (SGD alone would need many ratings).
    expect(s.bias).toBeGreaterThan(0.5);
  });

  it('records residuals only on movies of its last served list, per arm', () => {
    let s = newUserState('u', o);
    const served: ServedEvent = {
      type: 'served',
      userId: 'u',
      items: ['m', 'n'],
      status: 200,
      latencyMs: 3,
      observedBy: 'server',
      arm: 'B',
      at: 0,
      eventId: id(9),
    };
    const t = receiveUserEvent(s, served, undefined, source, o);
    expect(t.outputs).toEqual([]);
    s = t.state;
    const echo = receiveUserEvent(
      s,
      { ...served, observedBy: 'client', arm: undefined },
      undefined,
      source,
      o,
    );
    expect(echo.outputs).toEqual([]);
    expect(echo.state.lastServed).toEqual({ B: ['m', 'n'], default: ['m', 'n'] });
    const hit = receiveUserEvent(s, rateEvent('u', 'm', 5), newMovieState('m', o), source, o);
    const miss = receiveUserEvent(s, rateEvent('u', 'x', 5), newMovieState('x', o), source, o);
    // The rating-skew monitor hears both: a rating of a served title and an organic one.
    expect(hit.outputs).toContainEqual({ kind: 'rating', rating: 5, served: true });
    expect(miss.outputs).toContainEqual({ kind: 'rating', rating: 5, served: false });
  });

  it('marks a started view of a title in a list last served as a served take-up, others as organic', () => {
    const s = receiveUserEvent(newUserState('u', o), servedEvent('u', ['m'], 1), undefined, source, o).state;
    const view = (movieId: string, minute: number): WatchEvent => ({
      type: 'watch',
      userId: 'u',
      movieId,
      minute,
      at: 5,
      eventId: id(4),
    });
    const popular = (e: WatchEvent) =>
      receiveUserEvent(s, e, undefined, source, o).outputs.filter((out) => out.kind === 'popular');
    expect(popular(view('m', 0))).toEqual([{ kind: 'popular', movieId: 'm', at: 5, served: true }]);
    expect(popular(view('x', 0))).toEqual([{ kind: 'popular', movieId: 'x', at: 5, served: false }]);
    // Later minutes of a view are not take-ups at all.
    expect(popular(view('m', 2))).toEqual([]);
  });

  it('counts a watch and forwards it to the movie', () => {
    const w: WatchEvent = { type: 'watch', userId: 'u', movieId: 'm', minute: 3, at: 5, eventId: id(3) };
    const t = receiveUserEvent(newUserState('u', o), w, undefined, source, o);
    expect(t.state.watches).toBe(1);
    expect(movieMessage(t.outputs)).toEqual({
      type: 'watch',
      movieId: 'm',
      userId: 'u',
      at: 5,
      eventId: id(3),
      source,
    });
  });
});

describe('MovieActor', () => {
  const day = 24 * 3600 * 1000;

  it('stops learning when the daily cap is spent but keeps counting, and learns again the next day', () => {
    const options = { ...o, dailyCap: 2 };
    let s = newMovieState('m', options);
    s = rateMovie(s, 5, 10, options);
    s = rateMovie(s, 5, 20, options);
    const atCap = s;
    s = rateMovie(s, 1, 30, options);
    expect(s.vector).toEqual(atCap.vector);
    expect(s.bias).toBe(atCap.bias);
    expect(s).toMatchObject({ ratings: 3, capped: 1, dayUpdates: 2, histogram: [1, 0, 0, 0, 2] });
    s = rateMovie(s, 4, day + 5, options);
    expect(s.vector).not.toEqual(atCap.vector);
    expect(s).toMatchObject({ ratings: 4, capped: 1, dayUpdates: 1, day: '1970-01-02' });
  });

  it("puts a rating over the cap, and only such a rating, on the day's capped board", () => {
    const options = { ...o, dailyCap: 1 };
    const first = rateMovieTurn(newMovieState('m', options), 5, 10, options);
    expect(first.outputs.filter((out) => out.kind === 'capped')).toEqual([]);
    const second = rateMovieTurn(first.state, 5, 20, options);
    expect(second.outputs.filter((out) => out.kind === 'capped')).toEqual([
      { kind: 'capped', day: '1970-01-01' },
    ]);
  });

  it('charges a re-rating of the same day to the cap once: it takes no slot and no second step', () => {
    const options = { ...o, dailyCap: 2 };
    let s = newMovieState('m', options);
    s = rateMovie(s, 1, 10, options, 'mallory');
    const learned = s;
    for (let k = 0; k < 5; k++) s = rateMovie(s, 5, 20 + k, options, 'mallory');
    expect(s.vector).toEqual(learned.vector);
    expect(s.bias).toBe(learned.bias);
    expect(s).toMatchObject({ ratings: 6, rerated: 5, capped: 0, dayUpdates: 1 });
    expect([...s.dayRaters]).toEqual(['mallory']);
    // The second slot is still there for another account; then the cap holds.
    s = rateMovie(s, 4, 30, options, 'alice');
    expect(s.vector).not.toEqual(learned.vector);
    const full = s;
    s = rateMovie(s, 4, 31, options, 'bob');
    expect(s.vector).toEqual(full.vector);
    expect(s).toMatchObject({ ratings: 8, rerated: 5, capped: 1, dayUpdates: 2 });
    // The next day every rater starts afresh, mallory included.
    s = rateMovie(s, 5, day + 1, options, 'mallory');
    expect(s.vector).not.toEqual(full.vector);
    expect(s).toMatchObject({ dayUpdates: 1, day: '1970-01-02' });
    expect([...s.dayRaters]).toEqual(['mallory']);
  });

  it('adds a rating to the popularity boards once per rater and day, and nothing over the cap', () => {
    const options = { ...o, dailyCap: 2 };
    const popular = (t: { outputs: readonly { kind: string }[] }) =>
      t.outputs.filter((x) => x.kind === 'popular');
    const send = (s: MovieState, userId: string, at: number, extra: Partial<MovieRatingMessage> = {}) =>
      receiveMovieMessage(
        s,
        { ...ratingOf(s, userId, at, options), cohort: '25-34:F', served: userId === 'bob', ...extra },
        options,
      );
    const first = send(newMovieState('m', options), 'alice', 10);
    expect(popular(first)).toEqual([{ kind: 'popular', cohort: '25-34:F', at: 10, served: false }]);
    const again = send(first.state, 'alice', 11);
    expect(popular(again)).toEqual([]);
    expect(again.state.popularity).toBe(first.state.popularity);
    const second = send(again.state, 'bob', 12);
    expect(popular(second)).toEqual([{ kind: 'popular', cohort: '25-34:F', at: 12, served: true }]);
    const full = second.state;
    let s = full;
    for (let k = 0; k < 10; k++) {
      const over = send(s, `sybil${k}`, 20 + k);
      expect(popular(over)).toEqual([]);
      expect(over.outputs.filter((x) => x.kind === 'popularity')).toEqual([]);
      s = over.state;
    }
    expect(s).toMatchObject({ ratings: 13, capped: 10, popularity: full.popularity });
    // The next day the cap is fresh, and a message of a user actor from before the move (no cohort)
    // moves the movie's own popularity but not the boards, which that user actor counted itself.
    const old = receiveMovieMessage(s, ratingOf(s, 'carol', day + 1, options), options);
    expect(popular(old)).toEqual([]);
    expect(old.state.popularity).toBeGreaterThan(0);
    expect(old.state.popularityAt).toBe(day + 1);
  });

  it('flags a cold, poorly rated title at its second top rating of a day, and counts every push', () => {
    const options = { ...o, dailyCap: 1000 };
    let s = newMovieState('m', options);
    for (let k = 0; k < 5; k++) s = rateMovie(s, 2, k, options);
    const pushes = (t: { outputs: readonly { kind: string }[] }) =>
      t.outputs.filter((x) => x.kind === 'pushed');
    // A 4-star rating is no push; 5 stars on a title with 5 ratings of mean 2 are.
    const four = rateMovieTurn(s, 4, day + 1, options);
    expect(pushes(four)).toEqual([]);
    const first = rateMovieTurn(four.state, 5, day + 2, options);
    expect(pushes(first)).toEqual([{ kind: 'pushed', day: '1970-01-02', flagged: false }]);
    const second = rateMovieTurn(first.state, 5, day + 3, options);
    expect(pushes(second)).toEqual([{ kind: 'pushed', day: '1970-01-02', flagged: true }]);
    // A new day starts the count afresh.
    const next = rateMovieTurn(second.state, 5, 2 * day, options);
    expect(pushes(next)).toEqual([{ kind: 'pushed', day: '1970-01-03', flagged: false }]);
    // A title with fewer than 5 ratings, or a well rated one, is not judged a push.
    expect(pushes(rateMovieTurn(newMovieState('n', options), 5, 0, options))).toEqual([]);
    let liked = newMovieState('l', options);
    for (let k = 0; k < 5; k++) liked = rateMovie(liked, 4, k, options);
    expect(pushes(rateMovieTurn(liked, 5, 10, options))).toEqual([]);
  });

  it('decays popularity by its half-life and scores the boards comparably', () => {
    const options = { ...o, popularityHalfLifeMs: day };
    let a = newMovieState('a', options);
    a = rateMovie(a, 3, 0, options);
    a = rateMovie(a, 3, day, options);
    expect(a.popularity).toBeCloseTo(1.5, 12);
    let b = newMovieState('b', options);
    b = rateMovie(b, 3, day, options);
    expect(popularityScore(a, options)).toBeGreaterThan(popularityScore(b, options));
  });

  it('emits board and histogram updates for a rating and a watch', () => {
    const s = newMovieState('m', o);
    const t = receiveMovieMessage(
      s,
      { type: 'watch', movieId: 'm', userId: 'u', at: 0, eventId: id(1), source },
      o,
    );
    expect(t.state.watches).toBe(1);
    expect(t.outputs).toContainEqual({ kind: 'watched', day: '1970-01-01' });
  });
});

describe('movie messages', () => {
  it('round-trip exactly through JSON, vector included', () => {
    const p = Float32Array.of(0.1, -2.5e-8, 3, Math.PI);
    const m: MovieMessage = {
      type: 'rate',
      v: '7',
      movieId: 'm',
      userId: 'u',
      rating: 4,
      err: 0.123456789,
      p,
      at: 1,
      eventId: id(1),
      source,
    };
    expect(decodeMovieMessage(encodeMovieMessage(m))).toEqual(m);
    const counted: MovieMessage = { ...m, cohort: '18-24:M', served: true };
    expect(decodeMovieMessage(encodeMovieMessage(counted))).toEqual(counted);
    const wired = JSON.parse(encodeMovieMessage(counted)) as Record<string, unknown>;
    for (const [field, bad] of [
      ['cohort', ''],
      ['cohort', 7],
      ['cohort', 'x'.repeat(65)],
      ['served', 'yes'],
    ] as const)
      expect(decodeMovieMessage(JSON.stringify({ ...wired, [field]: bad }))).toEqual(expect.any(String));
    expect(decodeMovieMessage('{"type":"rate"}')).toEqual(expect.any(String));
    const wire = JSON.parse(encodeMovieMessage(m)) as Record<string, unknown>;
    for (const [field, bad] of [
      ['err', null],
      ['rating', 11],
      ['p', 'AAA'],
      ['source', { topic: 'ue', partition: -1, offset: 0 }],
      ['source', { topic: 'ue', partition: 0, offset: 0, index: -1 }],
      ['type', 'nope'],
    ] as const) {
      expect(decodeMovieMessage(JSON.stringify({ ...wire, [field]: bad }))).toEqual(expect.any(String));
    }
    const watch: MovieMessage = { type: 'watch', movieId: 'm', userId: 'u', at: 2, eventId: id(2), source };
    expect(decodeMovieMessage(encodeMovieMessage(watch))).toEqual(watch);
    // Written before packs existed: no index means the record's only event.
    const { index: _, ...unindexed } = source;
    expect(decodeMovieMessage(JSON.stringify({ ...watch, source: unindexed }))).toEqual(watch);
  });
});

describe('versions move together', () => {
  const trained = Float32Array.of(0.5, -0.5, 0.25, 1);
  const v2: StreamModelOptions = {
    ...o,
    version: '2',
    mu: 3,
    initial: {
      user: (u) => (u === 'alice' ? { bias: 0.4, vector: trained } : undefined),
      movie: (m) => (m === 'heat' ? { bias: 0.2, vector: Float32Array.of(1, 0.5, -0.5, 0.25) } : undefined),
    },
  };
  const heat = { bias: 0.2, vector: Float32Array.of(1, 0.5, -0.5, 0.25) };
  const recent = (offset: number, rating: number) => ({
    movieId: 'heat',
    rating,
    at: offset,
    source: { topic: 'ue', partition: 0, offset, index: 0 },
  });

  it('moves a user onto the new version, replaying exactly the ratings after its watermark', () => {
    let old = newUserState('alice', o);
    old = receiveUserEvent(
      old,
      rateEvent('alice', 'heat', 5),
      { bias: 0, vector: seededVector('movie', 'heat', o) },
      source,
      o,
    ).state;
    old = { ...old, watches: 3, served: 2, lastServed: { default: ['x'] } };
    const moved = rebaseUser(old, [recent(5, 1), recent(9, 4)], { offset: 5, index: 0 }, () => heat, v2);
    // Only the rating at offset 9 is after the watermark: one SGD half step from the trained p_u.
    const expected = receiveUserEvent(
      newUserState('alice', v2),
      rateEvent('alice', 'heat', 4),
      heat,
      source,
      v2,
    ).state;
    expect(Array.from(moved.vector)).toEqual(Array.from(expected.vector));
    expect(moved.bias).toBe(expected.bias);
    expect(moved).toMatchObject({
      version: '2',
      ratings: old.ratings,
      watches: 3,
      served: 2,
      lastServed: { default: ['x'] },
    });
  });

  it('sends the movie half with the version the user lives in; a movie in another version counts it without learning', () => {
    const user = newUserState('alice', v2);
    const message = movieMessage(
      receiveUserEvent(user, rateEvent('alice', 'heat', 4), heat, source, v2).outputs,
    );
    expect(message).toMatchObject({ type: 'rate', v: '2' });
    const stale = newMovieState('heat', o); // still in the seeded space
    const turn = receiveMovieMessage(stale, message, o);
    expect(turn.state.vector).toBe(stale.vector);
    expect(turn.state.ratings).toBe(1);
    const movedMovie = rebaseMovie({ ...stale, ratings: 7, popularity: 3 }, v2);
    expect(movedMovie).toMatchObject({ version: '2', bias: 0.2, ratings: 7, popularity: 3 });
    expect(receiveMovieMessage(movedMovie, message, v2).state.vector).not.toBe(movedMovie.vector);
  });
});
