/**
 * The part every MovieLens format shares: validated raw rows and their assembly into a {@link Dataset}
 * with course-style movie ids. Genres are normalised to the ml-latest vocabulary (`Children's` →
 * `Children`; `unknown` and `(no genres listed)` → no genre). Ratings of movies missing from the movie
 * file are skipped and counted against the ratings file.
 */
import type { Dataset, MovieRecord, RatingRecord, UserRecord } from './dataset.ts';
import { courseMovieId, uniqueCourseIds } from './course-movie-id.ts';
import { parseMovieLensTitle } from './movielens-title.ts';

/** A movie row as a MovieLens file gives it. */
export interface RawMovie {
  sourceId: string;
  /** The MovieLens title, year in parentheses, article last (`American President, The (1995)`). */
  title: string;
  genres: string[];
  /** Fallback year (100K release date) when the title carries none. */
  year?: number | null;
}

/** A rating row as a MovieLens file gives it, movie still by source id. */
export interface RawRating {
  userId: string;
  movieSourceId: string;
  rating: number;
  timestamp: number;
}

/** Counts skipped rows by file name. */
export class SkipCounter {
  /** Skipped rows by file name. */
  readonly counts: Record<string, number> = {};
  /** Counts one skipped row of `file`. */
  skip(file: string): void {
    this.counts[file] = (this.counts[file] ?? 0) + 1;
  }
}

const DIGITS = /^\d{1,15}$/;

/** A non-negative integer id as a canonical string (`007` → `7`), or null when it is not one. */
export function parseId(field: string | undefined): string | null {
  const s = field?.trim() ?? '';
  return DIGITS.test(s) ? String(Number(s)) : null;
}

/** A rating on the MovieLens scales (0.5..5), or null. */
export function parseRating(field: string | undefined): number | null {
  const s = field?.trim() ?? '';
  const r = s === '' ? NaN : Number(s);
  return Number.isFinite(r) && r >= 0.5 && r <= 5 ? r : null;
}

/** Whole seconds since the epoch, or null. */
export function parseTimestamp(field: string | undefined): number | null {
  const s = field?.trim() ?? '';
  return DIGITS.test(s) ? Number(s) : null;
}

/** Normalises one genre name; null for the "no genre" markers. */
export function normaliseGenre(genre: string): string | null {
  const g = genre.trim();
  if (g === '' || g === 'unknown' || g === '(no genres listed)') return null;
  return g === "Children's" ? 'Children' : g;
}

/** What a format parser hands to {@link assembleMovieLens}. */
export interface MovieLensParts {
  name: string;
  movies: readonly RawMovie[];
  moviesFile: string;
  ratings: readonly RawRating[];
  ratingsFile: string;
  /** Null when the source has no user file: users then come from the ratings, demographics null. */
  users: readonly UserRecord[] | null;
  skips: SkipCounter;
}

/** Builds a dataset; a movie id repeated in the movie file is skipped and counted. */
export function assembleMovieLens(parts: MovieLensParts): Dataset {
  const { name, ratings, users, ratingsFile, skips } = parts;
  const seen = new Set<string>();
  const movies = parts.movies.filter((m) => {
    if (seen.has(m.sourceId)) {
      skips.skip(parts.moviesFile);
      return false;
    }
    seen.add(m.sourceId);
    return true;
  });
  const parsed = movies.map((m) => parseMovieLensTitle(m.title));
  const ids = uniqueCourseIds(
    parsed.map((p, k) => courseMovieId(p.title, p.year ?? movies[k]?.year ?? null)),
  );
  const bySource = new Map<string, string>();
  const movieRecords: MovieRecord[] = movies.map((m, k) => {
    const movieId = ids[k] ?? '';
    bySource.set(m.sourceId, movieId);
    const genres = m.genres.map(normaliseGenre).filter((g): g is string => g !== null);
    const p = parsed[k];
    return {
      movieId,
      title: p?.title ?? m.title,
      genres: [...new Set(genres)],
      year: p?.year ?? m.year ?? null,
      certification: null,
      adult: false,
      sourceId: m.sourceId,
    };
  });
  const ratingRecords: RatingRecord[] = [];
  for (const r of ratings) {
    const movieId = bySource.get(r.movieSourceId);
    if (movieId === undefined) skips.skip(ratingsFile);
    else ratingRecords.push({ userId: r.userId, movieId, rating: r.rating, timestamp: r.timestamp });
  }
  const userRecords: UserRecord[] = users ? [...users] : [];
  const known = new Set(userRecords.map((u) => u.userId));
  for (const r of ratingRecords) {
    if (known.has(r.userId)) continue;
    known.add(r.userId);
    userRecords.push({ userId: r.userId, age: null, gender: null, occupation: null });
  }
  const dataset: Dataset = {
    name,
    users: userRecords,
    movies: movieRecords,
    ratings: ratingRecords,
    watches: [],
  };
  if (Object.keys(skips.counts).length > 0) dataset.skipped = { ...skips.counts };
  return dataset;
}
