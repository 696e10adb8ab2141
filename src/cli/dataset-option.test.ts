import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from './command.ts';
import { checkDatasetOption, datasetFromOptions } from './dataset-option.ts';

describe('datasetFromOptions', () => {
  it('rejects an Object.prototype name as an unknown --size with the usual message', async () => {
    for (const size of ['toString', 'constructor', '__proto__'])
      await expect(datasetFromOptions({ size })).rejects.toThrow(
        new UsageError('--size must be one of tiny, small, medium, large'),
      );
  });

  it('loads a named synthetic size', async () => {
    const dataset = await datasetFromOptions({ size: 'tiny', seed: '3' });
    expect(dataset.ratings.length).toBeGreaterThan(0);
  });
});

describe('checkDatasetOption', () => {
  it('accepts the synthetic world, no option, and a directory with a MovieLens layout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'marquee-dataset-'));
    try {
      writeFileSync(join(dir, 'movies.csv'), '');
      writeFileSync(join(dir, 'ratings.csv'), '');
      await expect(checkDatasetOption('synthetic')).resolves.toBeUndefined();
      await expect(checkDatasetOption(undefined)).resolves.toBeUndefined();
      await expect(checkDatasetOption(dir)).resolves.toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('rejects a missing directory and one without MovieLens files as usage errors naming the path', async () => {
    await expect(checkDatasetOption('/nope')).rejects.toThrow(
      new UsageError(
        "--dataset: Cannot read dataset directory /nope: ENOENT: no such file or directory, scandir '/nope'",
      ),
    );
    const empty = mkdtempSync(join(tmpdir(), 'marquee-dataset-'));
    try {
      await expect(checkDatasetOption(empty)).rejects.toThrow(/^--dataset: No MovieLens dataset in /);
      await expect(checkDatasetOption(empty)).rejects.toBeInstanceOf(UsageError);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });
});
