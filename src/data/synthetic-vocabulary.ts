/**
 * The synthetic world's vocabulary and its rough proportions: MovieLens genres weighted as they occur in
 * MovieLens, certification odds per genre (children's films are mostly G/PG, horror mostly R), and
 * words for titles.
 */
import type { Certification } from './dataset.ts';

/** MovieLens genres (ml-latest spelling) and how often a movie carries each. */
export const GENRE_WEIGHTS: readonly (readonly [string, number])[] = [
  ['Drama', 25],
  ['Comedy', 20],
  ['Thriller', 10],
  ['Action', 9],
  ['Romance', 8],
  ['Adventure', 6],
  ['Crime', 6],
  ['Sci-Fi', 5],
  ['Horror', 5],
  ['Fantasy', 4],
  ['Children', 3.5],
  ['Animation', 3],
  ['Mystery', 3],
  ['Documentary', 2.5],
  ['War', 2],
  ['Musical', 1.5],
  ['Western', 1],
  ['Film-Noir', 0.5],
];

/** Odds of [G, PG, PG-13, R, NC-17] for a movie, chosen by its first genre found in this list. */
export const CERTIFICATION_ODDS: readonly (readonly [string, readonly number[]])[] = [
  ['Horror', [0, 0.02, 0.25, 0.65, 0.08]],
  ['Children', [0.55, 0.4, 0.05, 0, 0]],
  ['Animation', [0.4, 0.45, 0.15, 0, 0]],
  ['Crime', [0, 0.03, 0.35, 0.58, 0.04]],
  ['Thriller', [0, 0.03, 0.4, 0.55, 0.02]],
  ['War', [0, 0.05, 0.4, 0.55, 0]],
  ['Film-Noir', [0.05, 0.2, 0.4, 0.35, 0]],
  ['Musical', [0.25, 0.4, 0.25, 0.1, 0]],
  ['Documentary', [0.2, 0.3, 0.3, 0.2, 0]],
];

/** Odds for movies none of whose genres is in {@link CERTIFICATION_ODDS}. */
export const DEFAULT_CERTIFICATION_ODDS: readonly number[] = [0.04, 0.16, 0.4, 0.38, 0.02];

/** The certifications in the order the odds arrays use. */
export const CERTIFICATION_ORDER: readonly Certification[] = ['G', 'PG', 'PG-13', 'R', 'NC-17'];

/** Adjectives for titles. */
export const TITLE_ADJECTIVES: readonly string[] = (
  'Silent Broken Golden Crimson Hidden Last Lost Dark Bright Wild Frozen Burning Secret Endless Distant ' +
  'Hollow Restless Quiet Electric Midnight Savage Gentle Bitter Sweet Iron Glass Paper Velvet Silver Lonely ' +
  'Little Final Second Forgotten Northern Southern Eastern Western Crooked Sleeping'
).split(' ');

/** Nouns for titles. */
export const TITLE_NOUNS: readonly string[] = (
  'River Empire Garden Summer Winter Heart Road City Kingdom Shadow Mirror Storm Harbor Island Forest Machine ' +
  'Stranger Promise Letter Station Horizon Frontier Circus Orchard Planet Voyage Witness Lantern Bridge Signal ' +
  'Desert Ocean Valley Tower Dream Hunter Dancer Soldier Detective Ghost'
).split(' ');
