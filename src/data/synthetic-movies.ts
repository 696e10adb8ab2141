/**
 * Synthetic movies: one to three MovieLens genres, a year skewed towards recent decades, a certification
 * drawn from odds that depend on the genres, a rare adult flag (always NC-17), a made-up title and a
 * unique course-style id.
 */
import type { Certification, MovieRecord } from './dataset.ts';
import { courseMovieId, uniqueCourseIds } from './course-movie-id.ts';
import type { Random } from '../lib/random.ts';
import { WeightedSampler } from './random.ts';
import {
  CERTIFICATION_ODDS,
  CERTIFICATION_ORDER,
  DEFAULT_CERTIFICATION_ODDS,
  GENRE_WEIGHTS,
  TITLE_ADJECTIVES,
  TITLE_NOUNS,
} from './synthetic-vocabulary.ts';

/** Share of movies flagged adult. */
export const ADULT_SHARE = 0.003;

/** `count` movies drawn from `random`; their genre indices (into GENRE_WEIGHTS) are returned alongside. */
export function generateMovies(
  count: number,
  random: Random,
): { movies: MovieRecord[]; genreIndex: number[][] } {
  const genreSampler = new WeightedSampler(GENRE_WEIGHTS.map((g) => g[1]));
  const oddsSamplers = new Map(CERTIFICATION_ODDS.map(([g, odds]) => [g, new WeightedSampler(odds)]));
  const defaultOdds = new WeightedSampler(DEFAULT_CERTIFICATION_ODDS);
  const drafts: Omit<MovieRecord, 'movieId'>[] = [];
  const genreIndex: number[][] = [];
  for (let k = 0; k < count; k++) {
    const wanted = 1 + Math.min(2, Math.floor(-Math.log(1 - random.next()) * 0.9));
    const picked = new Set<number>();
    for (let tries = 0; picked.size < wanted && tries < 10; tries++) picked.add(genreSampler.sample(random));
    const indices = [...picked].sort((a, b) => a - b);
    const genres = indices.map((g) => GENRE_WEIGHTS[g]?.[0] ?? 'Drama');
    const adult = random.next() < ADULT_SHARE;
    const oddsFor = CERTIFICATION_ODDS.find(([g]) => genres.includes(g))?.[0];
    const sampler = (oddsFor === undefined ? undefined : oddsSamplers.get(oddsFor)) ?? defaultOdds;
    const certification: Certification = adult
      ? 'NC-17'
      : (CERTIFICATION_ORDER[sampler.sample(random)] ?? 'PG-13');
    // Recent decades dominate catalogues: 2025 minus an exponential age, floored at 1920.
    const year = Math.max(1920, 2025 - Math.floor(-Math.log(1 - random.next()) * 18));
    drafts.push({ title: titleFor(random), genres, year, certification, adult });
    genreIndex.push(indices);
  }
  const ids = uniqueCourseIds(drafts.map((d) => courseMovieId(d.title, d.year)));
  return { movies: drafts.map((d, k) => ({ movieId: ids[k] ?? '', ...d })), genreIndex };
}

function titleFor(random: Random): string {
  const adj = TITLE_ADJECTIVES[random.int(TITLE_ADJECTIVES.length)] ?? 'Silent';
  const noun = TITLE_NOUNS[random.int(TITLE_NOUNS.length)] ?? 'River';
  const other = TITLE_NOUNS[random.int(TITLE_NOUNS.length)] ?? 'Road';
  switch (random.int(5)) {
    case 0:
      return `The ${adj} ${noun}`;
    case 1:
      return `${adj} ${noun}`;
    case 2:
      return `The ${noun} of the ${other}`;
    case 3:
      return `${noun}, ${adj} ${other}`;
    default:
      return `${adj} ${noun} ${1 + random.int(3)}`;
  }
}
