import { describe, expect, it } from 'vitest';
import type { RankingMetrics } from '../eval/ranking-metrics.ts';
import type { RankerReport, RankerRow } from './ranking-report.ts';
import { checkTargets } from './ranking-targets.ts';

function row(name: string, hitRate: number, precision: number, recall: number): RankerRow {
  const m: RankingMetrics = {
    k: 20,
    users: 10,
    hitRate,
    precision,
    recall,
    ndcg: 0,
    coverage: 0,
    gini: 0,
    genresPerList: NaN,
  };
  return { name, fitSeconds: 0, all: m, history: m, newUsers: m };
}

describe('checkTargets', () => {
  const report: RankerReport = {
    split: 's',
    asOf: 0,
    rows: [
      row('global popularity', 0.7, 0.2, 0.08),
      row('decayed popularity 30d', 0.9, 0.28, 0.12),
      row('decayed popularity 90d', 0.88, 0.3, 0.13),
      row('blend', 0.88, 0.31, 0.125),
    ],
  };

  it('compares with 1.5 × global popularity and the best decayed popularity of each metric', () => {
    const checks = checkTargets(report, 'blend');
    expect(checks.map((c) => [c.met, c.bar])).toEqual([
      [true, 0.30000000000000004], // precision ≥ 1.5 × 0.2
      [true, 0.3], // ≥ 90d's 0.3
      [true, 0.12], // recall ≥ 1.5 × 0.08
      [false, 0.13], // below 90d's 0.13
      [false, 0.9], // hit rate below 30d's 0.9
    ]);
    expect(checks[1]?.target).toContain('decayed popularity 90d');
    expect(checks[4]?.target).toContain('decayed popularity 30d');
  });

  it('has nothing to check without the rows to compare', () => {
    expect(checkTargets(report, 'missing')).toEqual([]);
    expect(checkTargets({ ...report, rows: report.rows.slice(3) }, 'blend')).toEqual([]);
  });
});
