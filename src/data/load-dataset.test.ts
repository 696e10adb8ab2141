import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ML_LATEST_SMALL_DIR, loadDataset } from './load-dataset.ts';

const hasLatestSmall = existsSync(join(ML_LATEST_SMALL_DIR, 'ratings.csv'));

describe('loadDataset', () => {
  it('resolves ml-latest-small beside the repository', () => {
    expect(ML_LATEST_SMALL_DIR).toMatch(/[/\\]shared[/\\]data[/\\]ml-latest-small$/);
  });

  it.skipIf(!hasLatestSmall)('loads ml-latest-small by name', async () => {
    const d = await loadDataset('ml-latest-small');
    expect(d.name).toBe('ml-latest-small');
    expect(d.ratings.length).toBe(100_836);
  });

  it('generates the synthetic world at the asked size and seed', async () => {
    const a = await loadDataset('synthetic', { size: 'tiny', seed: 5 });
    const b = await loadDataset('synthetic', { size: 'tiny', seed: 5 });
    expect(a.name).toBe('synthetic');
    expect([a.users.length, a.movies.length, a.ratings.length]).toEqual([100, 200, 2_000]);
    expect(b.ratings).toEqual(a.ratings);
    const c = await loadDataset('synthetic', { size: { users: 20, movies: 30, ratings: 100 } });
    expect([c.users.length, c.movies.length, c.ratings.length]).toEqual([20, 30, 100]);
  });

  it('rejects an unknown path with a message naming it', async () => {
    await expect(loadDataset('/nonexistent/marquee-data')).rejects.toThrow('/nonexistent/marquee-data');
  });
});
