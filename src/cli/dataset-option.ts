import { checkDataset, loadDataset } from '../data/load-dataset.ts';
import type { Dataset } from '../data/dataset.ts';
import { SYNTHETIC_SIZES, type SyntheticSize } from '../data/synthetic-world.ts';
import { UsageError } from './command.ts';

/** Help text of the dataset options shared by replay, ingest and the demo. */
export const datasetUsage = `  --dataset NAME|DIR     synthetic (default), ml-latest-small, or a MovieLens directory (100K, 1M, latest)
  --size S               synthetic world size: ${Object.keys(SYNTHETIC_SIZES).join(', ')} (default small)
  --seed N               synthetic world seed (default 42)`;

/** Loads the dataset named by `--dataset/--size/--seed`. */
export async function datasetFromOptions(values: {
  dataset?: string;
  size?: string;
  seed?: string;
}): Promise<Dataset> {
  const size = values.size ?? 'small';
  if (!Object.hasOwn(SYNTHETIC_SIZES, size))
    throw new UsageError(`--size must be one of ${Object.keys(SYNTHETIC_SIZES).join(', ')}`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
  return loadDataset(values.dataset ?? 'synthetic', {
    size: size as SyntheticSize,
    ...(seed === undefined ? {} : { seed }),
  });
}

/** A usage error unless `--dataset` names a dataset that loads (synthetic, or a MovieLens directory). */
export async function checkDatasetOption(dataset: string | undefined): Promise<void> {
  if (dataset === undefined) return;
  await checkDataset(dataset).catch((error: unknown) => {
    throw new UsageError(`--dataset: ${error instanceof Error ? error.message : String(error)}`);
  });
}

/** The option declarations for parseOptions. */
export const datasetOptions = {
  dataset: { type: 'string' },
  size: { type: 'string' },
  seed: { type: 'string' },
} as const;
