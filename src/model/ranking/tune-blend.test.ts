import { describe, expect, it } from 'vitest';
import { createRandom } from '../../lib/random.ts';
import { SVD_DEFAULTS } from '../algorithms/svd.ts';
import { timeWindowSplit } from '../eval/splits.ts';
import { buildRatingSet } from '../ratings/build-rating-set.ts';
import { DAY_SECONDS } from './popularity.ts';
import { tuneBlend, tuneOrigins } from './tune-blend.ts';
import { usersWithHistory } from './ranking-report.ts';

describe('tuneOrigins', () => {
  it('ends the last window where the final test period begins', () => {
    expect(tuneOrigins(0.2)).toEqual([
      { train: 0.4, test: 0.1 },
      { train: 0.5, test: 0.1 },
      { train: 0.6, test: 0.1 },
      { train: 0.7, test: 0.1 },
    ]);
    expect(tuneOrigins(0.65)).toEqual([
      { train: 0.05, test: 0.1 },
      { train: 0.15, test: 0.1 },
      { train: 0.25, test: 0.1 },
    ]);
  });
});

describe('tuneBlend', () => {
  // 60 users over 200 days, each active for 40 days, rating 15 of 50 movies.
  const random = createRandom(11);
  const set = buildRatingSet(
    Array.from({ length: 60 * 15 }, (_, n) => {
      const u = Math.floor(n / 15);
      const day = (u / 60) * 160 + random.uniform(0, 40);
      return {
        userId: `u${u}`,
        movieId: `m${random.int(50)}`,
        rating: 1 + random.int(5),
        timestamp: day * DAY_SECONDS,
      };
    }),
  );
  const origins = [
    { train: 0.5, test: 0.2 },
    { train: 0.7, test: 0.2 },
  ];
  const rows = tuneBlend(set, {
    k: 5,
    relevantAt: 4,
    origins,
    halfLivesDays: [10, 100],
    modelWeights: [0, 0.5],
    coldModelWeights: [0, 1],
    svd: { ...SVD_DEFAULTS, factors: 4, epochs: 5 },
    ease: { lambda: 10, maxItems: 50, minCount: 1 },
  });

  it('scores every grid point, best precision first', () => {
    expect(rows).toHaveLength(2 * 2 * 2 * 2);
    for (let r = 1; r < rows.length; r++)
      expect(rows[r - 1]?.all.precision).toBeGreaterThanOrEqual(rows[r]?.all.precision as number);
  });

  it('pools the judged users of every origin, split into those with history and new ones', () => {
    let history = 0;
    let all = 0;
    for (const o of origins) {
      const { train, test } = timeWindowSplit(set, o.train, o.test);
      const has = usersWithHistory(train);
      const judged = new Set<number>();
      for (let k = 0; k < test.ratings.length; k++)
        if ((test.ratings[k] as number) >= 4) judged.add(test.users[k] as number);
      all += judged.size;
      history += [...judged].filter((u) => has[u] === 1).length;
    }
    expect(history).toBeGreaterThan(0);
    expect(history).toBeLessThan(all);
    for (const row of rows) {
      expect(row.all.users).toBe(all);
      expect(row.history.users).toBe(history);
      expect(row.newUsers.users).toBe(all - history);
    }
  });

  it('gives the same lists to users with history whichever model has weight 0', () => {
    const at = (model: string, h: number) =>
      rows.find(
        (r) => r.model === model && r.halfLifeDays === h && r.modelWeight === 0 && r.coldModelWeight === 0,
      );
    for (const h of [10, 100]) expect(at('svd', h)?.history).toEqual(at('ease', h)?.history);
  });
});
