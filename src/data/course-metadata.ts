/**
 * Zod schemas for the course's metadata services (MLIP.md): `GET /user/<id>` and `GET /movie/<id>`.
 * The services type loosely (numbers as strings, `"null"` for missing, `adult: "False"`), so every
 * field is read leniently and normalised; only the id (and a movie's title) are required.
 */
import { z } from 'zod';
import type { MovieRecord, UserRecord } from './dataset.ts';

/** A movie as the course's movie service describes it: a {@link MovieRecord} plus TMDB extras. */
export interface CourseMovie extends MovieRecord {
  tmdbId: number | null;
  imdbId: string | null;
  originalLanguage: string | null;
  /** `YYYY-MM-DD` as given, or null. */
  releaseDate: string | null;
  runtime: number | null;
  popularity: number | null;
  voteAverage: number | null;
  voteCount: number | null;
}

const MISSING = new Set(['', 'null', 'none', 'nan', 'undefined']);

// `.optional()` before the transform: zod 4 makes a key with a transformed schema required otherwise.
const text = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' && !MISSING.has(v.trim().toLowerCase()) ? v.trim() : null));

const num = z
  .unknown()
  .optional()
  .transform((v) => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v !== 'string' || MISSING.has(v.trim().toLowerCase())) return null;
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : null;
  });

const id = z.union([z.string().trim().min(1), z.number().int().nonnegative()]).transform(String);

const userSchema = z.object({
  user_id: id,
  age: num,
  gender: text,
  occupation: text,
});

const movieSchema = z.object({
  id: z.string().trim().min(1),
  title: z.string().trim().min(1),
  tmdb_id: num,
  imdb_id: text,
  adult: z.unknown().optional(),
  genres: z.unknown().optional(),
  release_date: text,
  original_language: text,
  runtime: num,
  popularity: num,
  vote_average: num,
  vote_count: num,
});

/** The user service's JSON as a {@link UserRecord}, or null when it is not a user. */
export function parseCourseUser(json: unknown): UserRecord | null {
  const r = userSchema.safeParse(json);
  if (!r.success) return null;
  const { user_id, age, gender, occupation } = r.data;
  const g = gender?.toUpperCase();
  return {
    userId: user_id,
    age: age !== null && Number.isInteger(age) && age > 0 && age < 130 ? age : null,
    gender: g === 'M' || g === 'F' ? g : null,
    occupation,
  };
}

/** The movie service's JSON as a {@link CourseMovie}, or null when it is not a movie. */
export function parseCourseMovie(json: unknown): CourseMovie | null {
  const r = movieSchema.safeParse(json);
  if (!r.success) return null;
  const m = r.data;
  const year = m.release_date === null ? null : Number(/^(\d{4})/.exec(m.release_date)?.[1] ?? NaN);
  const movie: CourseMovie = {
    movieId: m.id,
    title: m.title,
    genres: genreNames(m.genres),
    year: year !== null && Number.isInteger(year) ? year : null,
    certification: null,
    adult: m.adult === true || (typeof m.adult === 'string' && m.adult.trim().toLowerCase() === 'true'),
    tmdbId: m.tmdb_id,
    imdbId: m.imdb_id,
    originalLanguage: m.original_language,
    releaseDate: m.release_date,
    runtime: m.runtime,
    popularity: m.popularity,
    voteAverage: m.vote_average,
    voteCount: m.vote_count,
  };
  if (m.tmdb_id !== null) movie.sourceId = String(m.tmdb_id);
  return movie;
}

function genreNames(genres: unknown): string[] {
  if (!Array.isArray(genres)) return [];
  const names: string[] = [];
  for (const g of genres as unknown[]) {
    const name = typeof g === 'object' && g !== null ? (g as { name?: unknown }).name : g;
    if (typeof name === 'string' && name.trim() !== '') names.push(name.trim());
  }
  return names;
}
