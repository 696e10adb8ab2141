import { describe, expect, it } from 'vitest';
import { createRandom } from '../../lib/random.ts';
import { timeCutoffSplit } from '../../model/eval/splits.ts';
import { BLEND_DEFAULTS } from '../../model/ranking/blend.ts';
import { buildRatingSet } from '../../model/ratings/build-rating-set.ts';
import { runRankingJob, type RankingEvent } from './ranking-job.ts';
import { runTrainJob } from './train-job.ts';

describe('runRankingJob', () => {
  it('reports the grid search, then every ranker with the targets of the default blend', () => {
    const random = createRandom(5);
    const set = buildRatingSet(
      Array.from({ length: 40 * 10 }, (_, n) => ({
        userId: `u${Math.floor(n / 10)}`,
        movieId: `m${random.int(30)}`,
        rating: 1 + random.int(5),
        timestamp: (Math.floor(n / 10) * 5 + random.uniform(0, 30)) * 86_400,
      })),
    );
    const events: RankingEvent[] = [];
    runRankingJob(
      set,
      timeCutoffSplit(set, 0.2),
      { k: 5, relevantAt: 4, testFraction: 0.2, params: { factors: '4', epochs: '3' }, tune: true },
      (e) => events.push(e),
    );
    expect(events.map((e) => e.type)).toEqual(['tuning', 'rankers']);
    const [tuning, rankers] = events;
    expect(tuning?.type === 'tuning' && tuning.rows).toHaveLength(10);
    if (rankers?.type !== 'rankers') throw new Error('no rankers event');
    expect(rankers.blend).toEqual(BLEND_DEFAULTS);
    expect(rankers.report.rows.map((r) => r.name)).toEqual([
      'global popularity',
      'decayed popularity 7d',
      'decayed popularity 30d',
      'decayed popularity 90d',
      'decayed popularity 365d',
      'svd',
      'blend svd + decayed 365d',
      'ease',
      'blend ease + decayed 365d',
      'one-list ceiling (peeks at the test)',
    ]);
    expect(rankers.targets).toHaveLength(5);
  });
});

describe('runTrainJob with rankers', () => {
  it('refuses a split other than the time split', async () => {
    const job = {
      dataset: 'synthetic',
      algorithms: [],
      params: {},
      split: { kind: 'last-n', n: 1 },
      ranking: null,
      save: null,
      rankers: { tune: false },
    } as const;
    await expect(runTrainJob(job, () => {})).rejects.toThrow(/needs the time split/);
  });
});
