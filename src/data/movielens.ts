/**
 * Loads a MovieLens dataset from a directory, detecting the layout from the files present. The only I/O
 * in src/data besides load-dataset.ts; parsing is in movielens-formats.ts. Files are read whole (fine up
 * to MovieLens 1M / ml-latest-small; the 25M/32M releases need a streaming loader).
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Dataset } from './dataset.ts';
import { parseMovieLens100k, parseMovieLens1m, parseMovieLensLatest } from './movielens-formats.ts';

/** The MovieLens layouts we read. */
export type MovieLensFormat = 'latest' | '100k' | '1m';

const REQUIRED: Readonly<Record<MovieLensFormat, readonly string[]>> = {
  latest: ['movies.csv', 'ratings.csv'],
  '100k': ['u.item', 'u.data', 'u.user'],
  '1m': ['movies.dat', 'ratings.dat', 'users.dat'],
};

/** The layout whose files are all present among `fileNames`, or null. */
export function detectMovieLensFormat(fileNames: readonly string[]): MovieLensFormat | null {
  const present = new Set(fileNames);
  for (const format of ['latest', '100k', '1m'] as const) {
    if (REQUIRED[format].every((f) => present.has(f))) return format;
  }
  return null;
}

/**
 * The layout of the MovieLens dataset in `dir`, without reading its files; rejects with a message naming
 * the path when none is there (a check before starting what would load it).
 */
export async function movieLensFormatOf(dir: string): Promise<MovieLensFormat> {
  const path = resolve(dir);
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    throw new Error(`Cannot read dataset directory ${path}: ${(error as Error).message}`, { cause: error });
  }
  const format = detectMovieLensFormat(names);
  if (format === null) {
    throw new Error(
      `No MovieLens dataset in ${path}: expected movies.csv + ratings.csv (ml-latest), ` +
        'u.item + u.data + u.user (100K) or movies.dat + ratings.dat + users.dat (1M)',
    );
  }
  return format;
}

/** Loads the MovieLens dataset in `dir`; rejects with a message naming the path when none is there. */
export async function loadMovieLens(dir: string): Promise<Dataset> {
  const path = resolve(dir);
  const format = await movieLensFormatOf(path);
  const [a, b, c] = await Promise.all(
    REQUIRED[format].map((f) =>
      readFile(join(path, f)).then((buf) =>
        buf.toString(format === 'latest' ? 'utf8' : 'latin1').replace(/^\uFEFF/, ''),
      ),
    ),
  );
  const name = basename(path);
  if (format === 'latest') return parseMovieLensLatest(name, a ?? '', b ?? '');
  if (format === '100k') return parseMovieLens100k(name, a ?? '', b ?? '', c ?? '');
  return parseMovieLens1m(name, a ?? '', b ?? '', c ?? '');
}
