import { describe, expect, it } from 'vitest';
import { runTrainJob, type TrainJob } from './train-job.ts';

describe('runTrainJob', () => {
  it('rejects an Object.prototype name as an unknown algorithm', async () => {
    const job: TrainJob = {
      dataset: 'synthetic',
      algorithms: ['toString'],
      params: {},
      split: { kind: 'last-n', n: 1 },
      ranking: null,
      save: null,
    };
    await expect(runTrainJob(job, () => {})).rejects.toThrow("unknown algorithm 'toString'");
  });
});
