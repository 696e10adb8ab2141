/**
 * The synthetic movie world, Marquee's embedded default dataset: deterministic by seed, with
 * demographics (minors included), certified movies, a long tail of popularity, watch sessions and
 * ratings drawn from planted tastes. The planted tastes come along so models can be scored against the
 * truth. `generateSyntheticWorld({ seed: 1 })` twice gives identical worlds.
 */
import type { Dataset } from './dataset.ts';
import { createRandom } from '../lib/random.ts';
import { deriveSeed } from './random.ts';
import type { Activity } from './synthetic-activity.ts';
import { generateActivity } from './synthetic-activity.ts';
import { generateMovies } from './synthetic-movies.ts';
import type { PlantedTastes } from './synthetic-tastes.ts';
import { plantTastes } from './synthetic-tastes.ts';
import { DEMOGRAPHIC_GROUPS, demographicGroup, generateUsers } from './synthetic-users.ts';
import { GENRE_WEIGHTS } from './synthetic-vocabulary.ts';

/** Options for {@link generateSyntheticWorld}; every field has a default (the `small` preset, seed 42). */
export interface SyntheticWorldOptions {
  users: number;
  movies: number;
  ratings: number;
  seed: number;
  /** Rank of the planted taste model. */
  factors: number;
  /** Zipf exponent of movie popularity (1 is classic Zipf). */
  zipf: number;
  /** Rating noise, stars (standard deviation before rounding). */
  noise: number;
  /** Share of watch sessions that end without a rating. */
  unratedSessions: number;
  /** First event time, seconds since the epoch (default 2024-01-01T00:00:00Z). */
  start: number;
  /** Seconds the ratings spread over (default 365 days). */
  span: number;
}

/** Named sizes: `medium` (10k users, 10k movies, 1M ratings) is the benchmark world. */
export const SYNTHETIC_SIZES = {
  tiny: { users: 100, movies: 200, ratings: 2_000 },
  small: { users: 1_000, movies: 1_500, ratings: 50_000 },
  medium: { users: 10_000, movies: 10_000, ratings: 1_000_000 },
  large: { users: 50_000, movies: 20_000, ratings: 5_000_000 },
} as const satisfies Record<string, Pick<SyntheticWorldOptions, 'users' | 'movies' | 'ratings'>>;

/** A named size of the synthetic world. */
export type SyntheticSize = keyof typeof SYNTHETIC_SIZES;

/** The defaults every unset option takes. */
export const SYNTHETIC_DEFAULTS: SyntheticWorldOptions = {
  ...SYNTHETIC_SIZES.small,
  seed: 42,
  factors: 8,
  zipf: 1,
  noise: 0.6,
  unratedSessions: 0.25,
  start: Date.UTC(2024, 0, 1) / 1000,
  span: 365 * 24 * 3600,
};

/** A generated world: a dataset plus the truth it was drawn from. */
export interface SyntheticWorld extends Dataset {
  readonly options: SyntheticWorldOptions;
  readonly tastes: PlantedTastes;
  /** Each movie's popularity weight (Zipf), indexed like `movies`. */
  readonly popularity: Float64Array;
}

/** Generates the world; sizes are clamped to at least one user and one movie and no negative ratings. */
export function generateSyntheticWorld(options: Partial<SyntheticWorldOptions> = {}): SyntheticWorld {
  const o: SyntheticWorldOptions = { ...SYNTHETIC_DEFAULTS, ...options };
  o.users = Math.max(1, Math.floor(o.users));
  o.movies = Math.max(1, Math.floor(o.movies));
  o.ratings = Math.max(0, Math.floor(o.ratings));
  o.factors = Math.max(1, Math.floor(o.factors));
  // Separate streams per part, so changing the rating count leaves users and movies unchanged.
  const users = generateUsers(o.users, createRandom(deriveSeed(o.seed, 1)));
  const { movies, genreIndex } = generateMovies(o.movies, createRandom(deriveSeed(o.seed, 2)));
  const groups = users.map(demographicGroup);
  const random = createRandom(deriveSeed(o.seed, 3));
  const tastes = plantTastes(groups, DEMOGRAPHIC_GROUPS, genreIndex, GENRE_WEIGHTS.length, o.factors, random);
  const activity: Activity = generateActivity(users, movies, tastes, o, createRandom(deriveSeed(o.seed, 4)));
  return {
    name: 'synthetic',
    users,
    movies,
    ratings: activity.ratings,
    watches: activity.watches,
    options: o,
    tastes,
    popularity: activity.popularity,
  };
}
