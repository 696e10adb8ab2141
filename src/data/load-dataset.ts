/**
 * One entry point for every dataset: `synthetic` (the embedded synthetic world), `ml-latest-small`
 * (the copy in ../shared/data beside the repository), or a path to a MovieLens directory.
 */
import { fileURLToPath } from 'node:url';
import type { Dataset } from './dataset.ts';
import { loadMovieLens } from './movielens.ts';

/** Options for {@link loadDataset}; `seed` and `size` apply to the synthetic world only. */
export interface LoadDatasetOptions {
  seed?: number;
  size?: 'tiny' | 'small' | 'medium' | 'large';
}

/** The repository root: two levels above src/data. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where `ml-latest-small` is looked for: ../shared/data/ml-latest-small next to the repository. */
export const ML_LATEST_SMALL_DIR = fileURLToPath(
  new URL('../shared/data/ml-latest-small', `file://${REPO_ROOT}`),
);

/** Loads a dataset by name (`synthetic`, `ml-latest-small`) or by directory path. */
export async function loadDataset(nameOrPath: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  if (nameOrPath === 'synthetic') {
    void options;
    throw new Error(
      'The synthetic world is not available yet; load ml-latest-small or a MovieLens directory',
    );
  }
  if (nameOrPath === 'ml-latest-small') return loadMovieLens(ML_LATEST_SMALL_DIR);
  return loadMovieLens(nameOrPath);
}
