/**
 * Pure parsers for the three MovieLens layouts, from file text to a {@link Dataset}. Each skips and
 * counts malformed rows (wrong field count, bad id, rating off the scale, bad time) and never throws.
 * - latest (ml-latest-small and kin): `movies.csv` `movieId,title,genres` (genres `|`-joined) and
 *   `ratings.csv` `userId,movieId,rating,timestamp`, both with a header row, UTF-8;
 * - 100K: `u.item` (`|`, latin-1, 5 fields + 19 genre flags), `u.data` (tabs), `u.user` (`|`:
 *   id, age, gender, occupation, zip);
 * - 1M: `movies.dat`, `ratings.dat`, `users.dat` (`::`, latin-1; age bands and occupation codes).
 */
import type { Dataset, UserRecord } from './dataset.ts';
import { forEachCsvRow, forEachLine } from './delimited-text.ts';
import type { RawMovie, RawRating } from './movielens-records.ts';
import { SkipCounter, assembleMovieLens, parseId, parseRating, parseTimestamp } from './movielens-records.ts';
import { AGE_BANDS_1M, GENRES_100K, OCCUPATIONS_1M, occupationFrom100k } from './movielens-vocabulary.ts';

/** Parses MovieLens latest `movies.csv` and `ratings.csv` text (no user file). */
export function parseMovieLensLatest(name: string, moviesCsv: string, ratingsCsv: string): Dataset {
  const skips = new SkipCounter();
  const movies: RawMovie[] = [];
  forEachCsvRow(moviesCsv, (f, lineNo, broken) => {
    if (lineNo === 1 && f[0] === 'movieId') return;
    const sourceId = parseId(f[0]);
    if (broken || f.length !== 3 || sourceId === null || (f[1] ?? '').trim() === '') {
      skips.skip('movies.csv');
      return;
    }
    movies.push({ sourceId, title: f[1] ?? '', genres: (f[2] ?? '').split('|') });
  });
  const ratings: RawRating[] = [];
  forEachCsvRow(ratingsCsv, (f, lineNo, broken) => {
    if (lineNo === 1 && f[0] === 'userId') return;
    const rating = broken || f.length !== 4 ? null : toRating(f[0], f[1], f[2], f[3]);
    if (rating) ratings.push(rating);
    else skips.skip('ratings.csv');
  });
  return assembleMovieLens({
    name,
    movies,
    moviesFile: 'movies.csv',
    ratings,
    ratingsFile: 'ratings.csv',
    users: null,
    skips,
  });
}

/** Parses MovieLens 100K `u.item`, `u.data` and `u.user` text (already decoded from latin-1). */
export function parseMovieLens100k(name: string, uItem: string, uData: string, uUser: string): Dataset {
  const skips = new SkipCounter();
  const movies: RawMovie[] = [];
  forEachLine(uItem, (line) => {
    const f = line.split('|');
    const sourceId = parseId(f[0]);
    const flags = f.slice(5);
    if (
      f.length !== 5 + GENRES_100K.length ||
      sourceId === null ||
      !flags.every((x) => x === '0' || x === '1')
    ) {
      skips.skip('u.item');
      return;
    }
    const genres = GENRES_100K.filter((_, k) => flags[k] === '1');
    const released = /(\d{4})\s*$/.exec(f[2] ?? '');
    movies.push({ sourceId, title: f[1] ?? '', genres, year: released?.[1] ? Number(released[1]) : null });
  });
  const ratings: RawRating[] = [];
  forEachLine(uData, (line) => {
    const f = line.split('\t');
    const rating = f.length === 4 ? toRating(f[0], f[1], f[2], f[3]) : null;
    if (rating) ratings.push(rating);
    else skips.skip('u.data');
  });
  const users: UserRecord[] = [];
  forEachLine(uUser, (line) => {
    const f = line.split('|');
    const userId = parseId(f[0]);
    if (f.length !== 5 || userId === null) {
      skips.skip('u.user');
      return;
    }
    const age = toAge(f[1]);
    users.push({ userId, age, gender: toGender(f[2]), occupation: occupationFrom100k(f[3] ?? '', age) });
  });
  return assembleMovieLens({
    name,
    movies,
    moviesFile: 'u.item',
    ratings,
    ratingsFile: 'u.data',
    users,
    skips,
  });
}

/** Parses MovieLens 1M `movies.dat`, `ratings.dat` and `users.dat` text (already decoded from latin-1). */
export function parseMovieLens1m(
  name: string,
  moviesDat: string,
  ratingsDat: string,
  usersDat: string,
): Dataset {
  const skips = new SkipCounter();
  const movies: RawMovie[] = [];
  forEachLine(moviesDat, (line) => {
    const f = line.split('::');
    const sourceId = parseId(f[0]);
    if (f.length !== 3 || sourceId === null || (f[1] ?? '').trim() === '') {
      skips.skip('movies.dat');
      return;
    }
    movies.push({ sourceId, title: f[1] ?? '', genres: (f[2] ?? '').split('|') });
  });
  const ratings: RawRating[] = [];
  forEachLine(ratingsDat, (line) => {
    const f = line.split('::');
    const rating = f.length === 4 ? toRating(f[0], f[1], f[2], f[3]) : null;
    if (rating) ratings.push(rating);
    else skips.skip('ratings.dat');
  });
  const users: UserRecord[] = [];
  forEachLine(usersDat, (line) => {
    const f = line.split('::');
    const userId = parseId(f[0]);
    if (f.length !== 5 || userId === null) {
      skips.skip('users.dat');
      return;
    }
    const band = parseId(f[2]);
    const code = parseId(f[3]);
    users.push({
      userId,
      age: band === null ? null : (AGE_BANDS_1M.get(Number(band)) ?? null),
      gender: toGender(f[1]),
      occupation: code === null ? null : (OCCUPATIONS_1M[Number(code)] ?? null),
    });
  });
  return assembleMovieLens({
    name,
    movies,
    moviesFile: 'movies.dat',
    ratings,
    ratingsFile: 'ratings.dat',
    users,
    skips,
  });
}

function toRating(
  user: string | undefined,
  movie: string | undefined,
  value: string | undefined,
  time: string | undefined,
): RawRating | null {
  const userId = parseId(user);
  const movieSourceId = parseId(movie);
  const rating = parseRating(value);
  const timestamp = parseTimestamp(time);
  if (userId === null || movieSourceId === null || rating === null || timestamp === null) return null;
  return { userId, movieSourceId, rating, timestamp };
}

function toAge(field: string | undefined): number | null {
  const id = parseId(field);
  const age = id === null ? NaN : Number(id);
  return age >= 1 && age <= 120 ? age : null;
}

function toGender(field: string | undefined): 'M' | 'F' | null {
  const g = field?.trim().toUpperCase();
  return g === 'M' || g === 'F' ? g : null;
}
