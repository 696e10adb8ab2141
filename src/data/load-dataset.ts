/**
 * One entry point for every dataset: `synthetic` (the embedded synthetic world), `ml-latest-small`
 * (the copy in ../shared/data beside the repository), or a path to a MovieLens directory.
 */
import { fileURLToPath } from 'node:url';
import type { Dataset } from './dataset.ts';
import { loadMovieLens, movieLensFormatOf } from './movielens.ts';
import type { SyntheticSize } from './synthetic-world.ts';
import { SYNTHETIC_SIZES, generateSyntheticWorld } from './synthetic-world.ts';

/** Options for {@link loadDataset}; `seed` and `size` apply to the synthetic world only. */
export interface LoadDatasetOptions {
  seed?: number;
  /** A named size (default `small`: 1,000 users, 1,500 movies, 50,000 ratings) or explicit counts. */
  size?: SyntheticSize | { users: number; movies: number; ratings: number };
}

/** Where `ml-latest-small` is looked for: ../shared/data/ml-latest-small beside the repository root. */
export const ML_LATEST_SMALL_DIR = fileURLToPath(
  // The repository root is two levels above src/data.
  new URL('../../../shared/data/ml-latest-small', import.meta.url),
);

/** Loads a dataset by name (`synthetic`, `ml-latest-small`) or by directory path. */
export async function loadDataset(nameOrPath: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  if (nameOrPath === 'synthetic') {
    const size = typeof options.size === 'object' ? options.size : SYNTHETIC_SIZES[options.size ?? 'small'];
    return generateSyntheticWorld(options.seed === undefined ? size : { ...size, seed: options.seed });
  }
  if (nameOrPath === 'ml-latest-small') return loadMovieLens(ML_LATEST_SMALL_DIR);
  return loadMovieLens(nameOrPath);
}

/**
 * Rejects, with loadDataset's message, when `nameOrPath` is not a dataset loadDataset would find:
 * reads directory listings only, so a caller can check before starting processes that load it.
 */
export async function checkDataset(nameOrPath: string): Promise<void> {
  if (nameOrPath === 'synthetic') return;
  await movieLensFormatOf(nameOrPath === 'ml-latest-small' ? ML_LATEST_SMALL_DIR : nameOrPath);
}
