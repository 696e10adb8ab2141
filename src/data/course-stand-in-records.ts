/**
 * What a local stand-in of the course's user and movie services answers (MLIP.md, "The metadata
 * services"), built from a dataset: its movies as TMDB-shaped JSON with the string-typed fields the
 * course sends, and its users with demographics. Where the dataset has none (MovieLens latest), ages,
 * genders and occupations are drawn as the synthetic world draws them, and a share of movies is flagged
 * adult — each per id from the seed, so the same id always gets the same answer whatever else the
 * dataset holds.
 */
import { createRandom, type Random } from '../lib/random.ts';
import type { Dataset, MovieRecord, UserRecord } from './dataset.ts';
import { deriveSeed } from './random.ts';
import { generateUsers } from './synthetic-users.ts';

/** `GET /user/<id>`'s body, as the course sends it. */
export interface StandInUser {
  readonly user_id: number | string;
  readonly age: number;
  readonly occupation: string;
  readonly gender: 'M' | 'F';
}

/** `GET /movie/<id>`'s body: TMDB fields, numbers as strings where the course sends strings. */
export interface StandInMovie {
  readonly id: string;
  readonly tmdb_id: number;
  readonly imdb_id: string;
  readonly title: string;
  readonly original_title: string;
  readonly adult: 'True' | 'False';
  readonly belongs_to_collection: Record<string, never>;
  readonly budget: string;
  readonly genres: readonly { readonly id: number; readonly name: string }[];
  readonly homepage: string;
  readonly original_language: string;
  readonly overview: string;
  readonly popularity: string;
  readonly poster_path: string;
  readonly production_companies: readonly { readonly name: string; readonly id: number }[];
  readonly production_countries: readonly { readonly iso_3166_1: string; readonly name: string }[];
  readonly release_date: string;
  readonly revenue: string;
  readonly runtime: number;
  readonly spoken_languages: readonly { readonly iso_639_1: string; readonly name: string }[];
  readonly status: string;
  readonly tagline: string;
  readonly vote_average: string;
  readonly vote_count: string;
}

/** How the stand-in fills what the dataset lacks. */
export interface StandInRecordOptions {
  /** Seed of the synthetic demographics and adult flags (default 1). */
  readonly seed?: number;
  /**
   * Share of movies flagged adult when the dataset flags none (default 0.02: well above the synthetic
   * world's 0.3 %, so some titles that lists pick are adult and the age guard has work to do).
   */
  readonly adultShare?: number;
}

/** Everything the stand-in answers, by id. */
export interface StandInRecords {
  readonly users: ReadonlyMap<string, StandInUser>;
  readonly movies: ReadonlyMap<string, StandInMovie>;
}

/** TMDB's genre ids; MovieLens names keep their spelling and take the id of their TMDB counterpart. */
const TMDB_GENRE_IDS: Readonly<Record<string, number>> = {
  Action: 28,
  Adventure: 12,
  Animation: 16,
  Children: 10751,
  Comedy: 35,
  Crime: 80,
  Documentary: 99,
  Drama: 18,
  Family: 10751,
  Fantasy: 14,
  History: 36,
  Horror: 27,
  Music: 10402,
  Musical: 10402,
  Mystery: 9648,
  Romance: 10749,
  'Sci-Fi': 878,
  'Science Fiction': 878,
  Thriller: 53,
  War: 10752,
  Western: 37,
};

/** 32-bit FNV-1a of a string: a stable per-id sub-stream of the seed. */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
  return h >>> 0;
}

/** A generator for one id of one kind: the same seed and id give the same draws. */
function randomFor(seed: number, kind: number, id: string): Random {
  return createRandom(deriveSeed(deriveSeed(seed, kind), hashId(id)));
}

/** The user's record as the course sends it; missing demographics are drawn as the synthetic world's. */
export function standInUser(user: UserRecord, seed: number): StandInUser {
  const drawn = generateUsers(1, randomFor(seed, 1, user.userId))[0];
  const complete = user.age !== null && user.gender !== null;
  const age = complete ? (user.age as number) : (drawn?.age ?? 30);
  return {
    user_id: /^\d+$/.test(user.userId) ? Number(user.userId) : user.userId,
    age,
    occupation: (complete ? user.occupation : null) ?? drawn?.occupation ?? 'other or not specified',
    gender: complete ? (user.gender as 'M' | 'F') : (drawn?.gender ?? 'M'),
  };
}

/** The movie as TMDB-shaped JSON; `adult` is the dataset's flag or, when `drawAdult`, drawn from the seed. */
export function standInMovie(
  movie: MovieRecord,
  index: number,
  seed: number,
  adult: { readonly draw: boolean; readonly share: number },
): StandInMovie {
  const random = randomFor(seed, 2, movie.movieId);
  const isAdult = adult.draw ? random.next() < adult.share : movie.adult;
  const month = 1 + random.int(12);
  const day = 1 + random.int(28);
  const pad = (n: number) => String(n).padStart(2, '0');
  const votes = 5 + Math.floor(-Math.log(1 - random.next()) * 400);
  return {
    id: movie.movieId,
    tmdb_id: 100_000 + index,
    imdb_id: `tt${String(1_000_000 + index).padStart(7, '0')}`,
    title: movie.title,
    original_title: movie.title,
    adult: isAdult ? 'True' : 'False',
    belongs_to_collection: {},
    budget: String(random.int(200) * 500_000),
    genres: movie.genres.map((name) => ({
      id: TMDB_GENRE_IDS[name] ?? 100_000 + (hashId(name) % 900_000),
      name,
    })),
    homepage: 'null',
    original_language: 'en',
    overview: `${movie.title}: a stand-in overview.`,
    popularity: random.uniform(0.5, 40).toFixed(6),
    poster_path: `/${hashId(movie.movieId).toString(36)}.jpg`,
    production_companies: [],
    production_countries: [{ iso_3166_1: 'US', name: 'United States of America' }],
    release_date: movie.year === null ? 'null' : `${movie.year}-${pad(month)}-${pad(day)}`,
    revenue: String(random.int(400) * 1_000_000),
    runtime: 80 + random.int(70),
    spoken_languages: [{ iso_639_1: 'en', name: 'English' }],
    status: 'Released',
    tagline: '',
    vote_average: random.uniform(4, 8.5).toFixed(1),
    vote_count: String(votes),
  };
}

/**
 * The stand-in's answers for every user and movie of `dataset`. A dataset that flags any movie adult
 * (the synthetic world) keeps its flags; one that flags none (MovieLens) gets `adultShare` drawn.
 */
export function standInRecords(dataset: Dataset, options: StandInRecordOptions = {}): StandInRecords {
  const seed = options.seed ?? 1;
  const share = options.adultShare ?? 0.02;
  if (!(share >= 0 && share <= 1)) throw new RangeError(`adult share must be within 0..1, got ${share}`);
  const adult = { draw: !dataset.movies.some((m) => m.adult), share };
  return {
    users: new Map(dataset.users.map((u) => [u.userId, standInUser(u, seed)])),
    movies: new Map(dataset.movies.map((m, k) => [m.movieId, standInMovie(m, k, seed, adult)])),
  };
}
