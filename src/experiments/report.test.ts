import { describe, expect, it } from 'vitest';
import { buildReport, type ReportInput } from './report.ts';
import { batchChartSvg } from './report-chart.ts';
import { formatReport } from './report-text.ts';

const experiment = {
  id: '4',
  name: 'svd vs svd++',
  arms: [
    { name: 'svd', version: '1', weight: 1 },
    { name: 'svdpp', version: '2', weight: 1 },
  ],
  assignment: 'parity' as const,
  primaryMetric: 'rmse' as const,
  alpha: 0.05,
  tuning: 200,
  startedAt: new Date('2026-12-01T00:00:00Z'),
  stoppedAt: null,
  minP: null,
  looks: 0,
};

/** 100 users per arm, each with 20 ratings; B's errors are `scale` times A's. */
function input(scale: number, exposed: readonly [number, number] = [100, 100]): ReportInput {
  const users = (s: number) =>
    Array.from({ length: 100 }, (_, u) => [20 * s * s * (0.6 + ((u * 37) % 50) / 50), 20] as const);
  const ratings = (s: number) => {
    const us = users(s);
    const se = us.reduce((t, [x]) => t + x, 0);
    return { n: 2000, se, se2: us.reduce((t, [x]) => t + (x * x) / 20, 0) };
  };
  return {
    experiment,
    users: new Map([
      ['svd', users(1)],
      ['svdpp', users(scale)],
    ]),
    ratings: new Map([
      ['svd', ratings(1)],
      ['svdpp', ratings(scale)],
    ]),
    batches: new Map([
      [
        'svd',
        [
          { rmse: 1.01, closedAt: '2026-12-01T01:00:00Z' },
          { rmse: 0.99, closedAt: '2026-12-01T02:00:00Z' },
        ],
      ],
      ['svdpp', [{ rmse: 0.95, closedAt: '2026-12-01T01:00:00Z' }]],
    ]),
    lists: new Map([
      ['svd', Array.from({ length: exposed[0] }, (_, u) => [2, u % 2] as const)],
      ['svdpp', Array.from({ length: exposed[1] }, (_, u) => [2, u % 3 === 0 ? 1 : 0] as const)],
    ]),
    openLists: 0,
  };
}

describe('buildReport', () => {
  it('decides for the arm with the lower error when the always-valid test is clear', () => {
    const r = buildReport(input(0.7));
    expect(r.arms.map((a) => [a.label, a.exposedUsers, a.ratings, a.batches.length])).toEqual([
      ['e4.svd', 100, 2000, 2],
      ['e4.svdpp', 100, 2000, 1],
    ]);
    expect(r.comparisons[0]?.rmseDiff).toBeLessThan(0);
    expect(r.decision).toMatchObject({ verdict: 'b-better', winner: 'svdpp', look: 1, metric: 'rmse' });
    expect(r.decision.p).toBeLessThan(0.05);
    expect(r.arms[0]?.watchThrough).toBeCloseTo(0.25, 12);
  });

  it('keeps running on equal arms, and refuses a verdict when the exposed users are split 70/130', () => {
    expect(buildReport(input(1)).decision.verdict).toBe('continue');
    const skewed = buildReport(input(0.7, [70, 130]));
    expect(skewed.srm.flagged).toBe(true);
    expect(skewed.decision).toMatchObject({ verdict: 'srm', winner: null });
  });

  it('carries the running minimum of the always-valid p over earlier looks', () => {
    const r = buildReport({ ...input(1), experiment: { ...experiment, minP: 0.2, looks: 3 } });
    expect(r.decision.minP).toBeLessThanOrEqual(0.2);
    expect(r.decision.look).toBe(4);
  });
});

describe('the report as text and chart', () => {
  it('prints each arm with its batch RMSEs, both tests side by side, the SRM check and the decision', () => {
    const text = formatReport(buildReport(input(0.7))).join('\n');
    expect(text).toMatch(/^svd\s+1\s+1\s+100\s+100\s+2000/m);
    expect(text).toContain('svd batch RMSEs: 1.010 0.990');
    expect(text).toMatch(/MSE, per-user means, Welch \(fixed horizon\)\s+-\d/);
    expect(text).toMatch(/MSE, per rating \(the seed's test; invalid\)/);
    expect(text).toMatch(/SRM: users exposed 100 \/ 100 .* ok/);
    expect(text).toMatch(/^decision \(look 1, rmse\): the challenger is better → svdpp/m);
  });

  it('draws one line of batch RMSEs per arm', () => {
    const svg = batchChartSvg(buildReport(input(0.7)));
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain('svdpp (v2)');
  });
});
