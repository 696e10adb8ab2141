import { describe, expect, it } from 'vitest';
import { parseCourseMovie, parseCourseUser } from './course-metadata.ts';

const twinDragons = {
  id: 'twin+dragons+1992',
  tmdb_id: 18764,
  imdb_id: 'tt0105399',
  title: 'Twin Dragons',
  original_title: '...',
  adult: 'False',
  belongs_to_collection: {},
  budget: '10000000',
  genres: [
    { id: 35, name: 'Comedy' },
    { id: 28, name: 'Action' },
  ],
  homepage: 'null',
  original_language: 'cn',
  overview: '...',
  popularity: '10.222076',
  poster_path: '/x.jpg',
  release_date: '1992-01-15',
  revenue: '8359717',
  runtime: 89,
  spoken_languages: [],
  status: 'Released',
  tagline: '...',
  vote_average: '6.2',
  vote_count: '72',
};

describe('parseCourseUser', () => {
  it('reads the MLIP example user', () => {
    expect(parseCourseUser({ user_id: 21303, age: 27, occupation: 'self-employed', gender: 'F' })).toEqual({
      userId: '21303',
      age: 27,
      gender: 'F',
      occupation: 'self-employed',
    });
  });

  it('turns string numbers, "null" strings and odd genders into numbers and nulls', () => {
    expect(parseCourseUser({ user_id: '7', age: '89', occupation: 'null', gender: 'x' })).toEqual({
      userId: '7',
      age: 89,
      gender: null,
      occupation: null,
    });
  });

  it('rejects JSON without a user id', () => {
    expect(parseCourseUser({ message: 'user not found' })).toBeNull();
    expect(parseCourseUser('nope')).toBeNull();
  });
});

describe('parseCourseMovie', () => {
  it('reads the MLIP example movie with its string-typed fields', () => {
    expect(parseCourseMovie(twinDragons)).toEqual({
      movieId: 'twin+dragons+1992',
      title: 'Twin Dragons',
      genres: ['Comedy', 'Action'],
      year: 1992,
      certification: null,
      adult: false,
      sourceId: '18764',
      tmdbId: 18764,
      imdbId: 'tt0105399',
      originalLanguage: 'cn',
      releaseDate: '1992-01-15',
      runtime: 89,
      popularity: 10.222076,
      voteAverage: 6.2,
      voteCount: 72,
    });
  });

  it('reads adult "True", a "null" release date and missing genres', () => {
    const m = parseCourseMovie({ ...twinDragons, adult: 'True', release_date: 'null', genres: undefined });
    expect([m?.adult, m?.year, m?.releaseDate, m?.genres]).toEqual([true, null, null, []]);
  });

  it('reads a movie that carries only an id and a title', () => {
    expect(parseCourseMovie({ id: 'x+2000', title: 'X' })).toMatchObject({
      movieId: 'x+2000',
      year: null,
      adult: false,
    });
  });

  it('rejects JSON without an id or title', () => {
    expect(parseCourseMovie({ ...twinDragons, id: '' })).toBeNull();
    expect(parseCourseMovie({ message: 'movie not found' })).toBeNull();
  });
});
