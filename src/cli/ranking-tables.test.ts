import { describe, expect, it } from 'vitest';
import type { RankingMetrics } from '../model/eval/ranking-metrics.ts';
import { rankerTables, tuningTable } from './ranking-tables.ts';

const metrics = (users: number, precision: number): RankingMetrics => ({
  k: 20,
  users,
  hitRate: 0.5,
  precision,
  recall: 0.1,
  ndcg: 0.2,
  coverage: 0.01,
  gini: 0.99,
  genresPerList: NaN,
});

describe('rankerTables', () => {
  it('prints all users, each group with its size, and each target as met or missed', () => {
    const text = rankerTables({
      type: 'rankers',
      blend: {
        halfLifeDays: 365,
        weights: { model: 0.3, popularity: 1, cohort: 0 },
        coldWeights: { model: 0.2, popularity: 1, cohort: 0 },
      },
      blendName: 'blend',
      report: {
        split: 'time cut-off 2016-03-22',
        asOf: 0,
        rows: [
          {
            name: 'global popularity',
            fitSeconds: 0,
            all: metrics(3, 0.2),
            history: metrics(1, 0.1),
            newUsers: metrics(2, 0.25),
          },
          {
            name: 'blend',
            fitSeconds: 0.1,
            all: metrics(3, 0.3),
            history: metrics(1, 0.2),
            newUsers: metrics(2, 0.35),
          },
        ],
      },
      targets: [
        { target: 'precision@20 ≥ 1.5 × global popularity', value: 0.3, bar: 0.3, met: true },
        { target: 'hit rate@20 ≥ best decayed', value: 0.5, bar: 0.6, met: false },
      ],
    });
    expect(text).toContain('half-life 365 d, with history w_model 0.3');
    expect(text).toContain('new users w_item 0.2');
    expect(text).toContain('all test users with a relevant test rating (3)');
    expect(text).toContain('users with training history (1)');
    expect(text).toContain('new users (no training history) (2)');
    expect(text).toMatch(/^blend +0\.10 +0\.5000 +0\.3000 +0\.1000 +0\.2000 +0\.0100 +0\.990$/m);
    expect(text).toContain('met     precision@20 ≥ 1.5 × global popularity: 0.3000 vs 0.3000 (+0.0000)');
    expect(text).toContain('MISSED  hit rate@20 ≥ best decayed: 0.5000 vs 0.6000 (-0.1000)');
  });
});

describe('tuningTable', () => {
  it('names the windows and prints one row per grid point', () => {
    const pooled = { users: 10, hitRate: 0.8, precision: 0.27, recall: 0.11, ndcg: 0.29 };
    const text = tuningTable({
      type: 'tuning',
      origins: [
        { train: 0.6, test: 0.1 },
        { train: 0.7, test: 0.1 },
      ],
      rows: [
        {
          model: 'svd',
          halfLifeDays: 365,
          modelWeight: 0.3,
          coldModelWeight: 0.3,
          all: pooled,
          history: { ...pooled, users: 3, precision: 0.13 },
          newUsers: { ...pooled, users: 7, precision: 0.32 },
        },
      ],
    });
    expect(text).toContain('0.6–0.7, 0.7–0.8 of ratings by time; 10 test users, 3 with history');
    expect(text).toMatch(/^svd +365 +0\.3 +0\.3 +0\.8000 +0\.2700 +0\.1100 +0\.2900 +0\.1300 +0\.3200$/m);
  });
});
