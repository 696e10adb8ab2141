import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArtifactFile } from '../../store/artifact-file.ts';
import { startTrainWorker } from './start-train-worker.ts';
import type { TrainEvent } from './train-job.ts';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-train-'));
  const movies = [
    'movieId,title,genres',
    '1,Alpha (1990),Drama',
    '2,Beta (1991),Comedy|Drama',
    '3,Gamma (1992),Action',
    '4,Delta (1993),Horror',
  ];
  const ratings = ['userId,movieId,rating,timestamp'];
  for (let u = 1; u <= 12; u++)
    for (let m = 1; m <= 4; m++) ratings.push(`${u},${m},${1 + ((u + m) % 5)},${1000 + u * 10 + m}`);
  await writeFile(join(dir, 'movies.csv'), `${movies.join('\n')}\n`);
  await writeFile(join(dir, 'ratings.csv'), `${ratings.join('\n')}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('startTrainWorker', () => {
  it('trains in a worker thread, reports the dataset, epochs and results, and saves the artifact', async () => {
    const events: TrainEvent[] = [];
    const save = join(dir, 'svd.mqmf');
    await startTrainWorker(
      {
        dataset: dir,
        algorithms: ['svd'],
        params: { epochs: '3', factors: '4' },
        split: { kind: 'kfold', folds: 2, seed: 1 },
        ranking: { k: 2, relevantAt: 4 },
        save,
      },
      (event) => events.push(event),
    );
    expect(events[0]).toMatchObject({ type: 'dataset', ratings: 48, users: 12, items: 4 });
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(6);
    const result = events.find((e) => e.type === 'result');
    expect(result?.type === 'result' && result.folds.length).toBe(2);
    expect(result?.type === 'result' && result.summary.ranking?.genresPerList).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ type: 'saved', path: save });
    const artifact = await loadArtifactFile(save);
    expect(artifact.dims).toEqual({ nUsers: 12, nItems: 4, factors: 4 });
  });

  it('rejects with the worker error when the dataset cannot be loaded', async () => {
    const job = {
      dataset: join(dir, 'missing'),
      algorithms: ['svd'],
      params: {},
      split: { kind: 'last-n', n: 1 },
      ranking: null,
      save: null,
    } as const;
    await expect(startTrainWorker(job, () => {})).rejects.toThrow(/missing/);
  });
});
