import { describe, expect, it } from 'vitest';
import { UsageError } from './command.ts';
import { datasetFromOptions } from './dataset-option.ts';

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
