import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCourseServices, type CourseServices } from './course-services.ts';
import { startCourseStandIn, type CourseStandIn } from './course-stand-in.ts';
import { standInRecords } from './course-stand-in-records.ts';
import type { Dataset } from './dataset.ts';
import { generateSyntheticWorld } from './synthetic-world.ts';

/** MovieLens-like: no demographics, no adult flags, one id that needs percent-encoding. */
const movielens: Dataset = {
  name: 'tiny-movielens',
  users: Array.from({ length: 300 }, (_, k) => ({
    userId: String(k + 1),
    age: null,
    gender: null,
    occupation: null,
  })),
  movies: [
    {
      movieId: 'toy+story+1995',
      title: 'Toy Story',
      genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'],
      year: 1995,
      certification: null,
      adult: false,
      sourceId: '1',
    },
    {
      movieId: 'la+moitié+gauche+du+frigo+2000',
      title: 'La moitié gauche du frigo',
      genres: ['Comedy', 'Film-Noir'],
      year: 2000,
      certification: null,
      adult: false,
    },
    ...Array.from({ length: 998 }, (_, k) => ({
      movieId: `film+${k}+2001`,
      title: `Film ${k}`,
      genres: ['Drama'],
      year: null,
      certification: null,
      adult: false,
    })),
  ],
  ratings: [],
  watches: [],
};

let standIn: CourseStandIn;
let services: CourseServices;

beforeAll(async () => {
  standIn = await startCourseStandIn(movielens, { seed: 7 });
  services = createCourseServices({ baseUrl: standIn.url, retries: 0 });
});
afterAll(() => standIn.close());

describe('the course services stand-in, read by the real client', () => {
  it('answers a user with drawn demographics the client accepts', async () => {
    const r = await services.user('42');
    const expected = standInRecords(movielens, { seed: 7 }).users.get('42');
    expect(r).toEqual({
      status: 'found',
      value: {
        userId: '42',
        age: expected?.age,
        gender: expected?.gender,
        occupation: expected?.occupation,
      },
    });
  });

  it('answers a movie as TMDB-shaped JSON with the course’s string-typed fields', async () => {
    const raw = (await (await fetch(`${standIn.url}/movie/toy+story+1995`)).json()) as Record<
      string,
      unknown
    >;
    for (const field of [
      'adult',
      'budget',
      'popularity',
      'vote_average',
      'vote_count',
      'revenue',
      'homepage',
    ])
      expect(typeof raw[field], field).toBe('string');
    expect(typeof raw['runtime']).toBe('number');
    expect(typeof raw['tmdb_id']).toBe('number');
    expect(raw['genres']).toContainEqual({ id: 16, name: 'Animation' });

    const r = await services.movie('toy+story+1995');
    expect(r.status === 'found' && r.value).toMatchObject({
      movieId: 'toy+story+1995',
      title: 'Toy Story',
      genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'],
      year: 1995,
      certification: null,
    });
  });

  it('finds an id the client percent-encodes', async () => {
    const r = await services.movie('la+moitié+gauche+du+frigo+2000');
    expect(r.status === 'found' && r.value.genres).toEqual(['Comedy', 'Film-Noir']);
  });

  it('answers unknown ids with a 404 the client reads as not-found', async () => {
    expect(await services.user('999999')).toEqual({ status: 'not-found' });
    expect(await services.movie('no+such+film+1999')).toEqual({ status: 'not-found' });
    expect((await fetch(`${standIn.url}/elsewhere`)).status).toBe(404);
    expect(standIn.stats().notFound).toBeGreaterThanOrEqual(3);
  });

  it('flags the asked share of movies adult and the client sees the flag', async () => {
    const adult = [...standIn.movies.values()].filter((m) => m.adult === 'True');
    expect(adult.length).toBeGreaterThan(5);
    expect(adult.length).toBeLessThan(40);
    const first = adult[0];
    const r = await services.movie(first?.id ?? '');
    expect(r.status === 'found' && r.value.adult).toBe(true);
  });
});

describe('standInRecords', () => {
  it('is deterministic per id: the same seed gives the same answer whatever else the dataset holds', () => {
    const all = standInRecords(movielens, { seed: 3 });
    const fewer = standInRecords({ ...movielens, users: movielens.users.slice(40, 60) }, { seed: 3 });
    expect(fewer.users.get('50')).toEqual(all.users.get('50'));
    expect(standInRecords(movielens, { seed: 4 }).users).not.toEqual(all.users);
  });

  it('draws minors and adults in the synthetic world’s proportions', () => {
    const ages = [...standInRecords(movielens).users.values()].map((u) => u.age);
    const minors = ages.filter((a) => a < 18).length / ages.length;
    expect(minors).toBeGreaterThan(0.05);
    expect(minors).toBeLessThan(0.25);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...ages)).toBeLessThanOrEqual(89);
  });

  it('keeps the demographics and adult flags of a dataset that has them', () => {
    const world = generateSyntheticWorld({ users: 50, movies: 2_000, ratings: 0, seed: 5 });
    const records = standInRecords(world);
    for (const u of world.users)
      expect(records.users.get(u.userId)).toMatchObject({ age: u.age, gender: u.gender });
    const flagged = world.movies.filter((m) => m.adult).map((m) => m.movieId);
    expect(flagged.length).toBeGreaterThan(0);
    expect([...records.movies.values()].filter((m) => m.adult === 'True').map((m) => m.id)).toEqual(flagged);
  });
});
