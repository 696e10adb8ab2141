import type { RankingEvent } from '../jobs/train/ranking-job.ts';
import type { RankingMetrics } from '../model/eval/ranking-metrics.ts';
import type { RankerRow } from '../model/ranking/ranking-report.ts';
import type { PooledMetrics } from '../model/ranking/tune-blend.ts';
import { formatTable } from '../model/eval/results-table.ts';

const fixed = (x: number, digits: number): string => (Number.isNaN(x) ? '' : x.toFixed(digits));

function accuracy(m: PooledMetrics | RankingMetrics): string[] {
  return [fixed(m.hitRate, 4), fixed(m.precision, 4), fixed(m.recall, 4), fixed(m.ndcg, 4)];
}

/** The ranker comparison as printed by `marquee train --rankers`: all users, then each group, then targets. */
export function rankerTables(event: Extract<RankingEvent, { type: 'rankers' }>): string {
  const { report, blend, targets } = event;
  const first = report.rows[0];
  if (first === undefined) return '';
  const { k } = first.all;
  const metrics = [`HR@${k}`, `P@${k}`, `R@${k}`, `NDCG@${k}`];
  const group = (title: string, pick: (r: RankerRow) => RankingMetrics) =>
    `${title} (${pick(first).users})\n` +
    formatTable(
      ['ranker', ...metrics],
      report.rows.map((r) => [r.name, ...accuracy(pick(r))]),
    );
  const w = blend.weights;
  const c = blend.coldWeights;
  return [
    `rankers on ${report.split}; popularity as of ${new Date(report.asOf * 1000).toISOString()}; ` +
      `blend: half-life ${blend.halfLifeDays} d, with history w_model ${w.model} w_pop ${w.popularity} ` +
      `w_cohort ${w.cohort}, new users w_item ${c.model} w_pop ${c.popularity} w_cohort ${c.cohort}`,
    `all test users with a relevant test rating (${first.all.users})\n` +
      formatTable(
        ['ranker', 'fit s', ...metrics, 'coverage', 'Gini'],
        report.rows.map((r) => [
          r.name,
          fixed(r.fitSeconds, 2),
          ...accuracy(r.all),
          fixed(r.all.coverage, 4),
          fixed(r.all.gini, 3),
        ]),
      ),
    group('users with training history', (r) => r.history),
    group('new users (no training history)', (r) => r.newUsers),
    `targets for ${event.blendName}, all users:\n` +
      targets
        .map(
          (t) =>
            `  ${t.met ? 'met    ' : 'MISSED '} ${t.target}: ${t.value.toFixed(4)} vs ${t.bar.toFixed(4)}` +
            ` (${t.value >= t.bar ? '+' : ''}${(t.value - t.bar).toFixed(4)})`,
        )
        .join('\n'),
  ].join('\n\n');
}

/** The best points of the blend's grid search, pooled over the earlier time windows. */
export function tuningTable(event: Extract<RankingEvent, { type: 'tuning' }>): string {
  const windows = event.origins.map((o) => `${o.train}–${Math.round((o.train + o.test) * 1000) / 1000}`);
  const first = event.rows[0];
  if (first === undefined) return '';
  return (
    `blend grid on earlier time windows (${windows.join(', ')} of ratings by time; ` +
    `${first.all.users} test users, ${first.history.users} with history), best by P then R:\n` +
    formatTable(
      ['model', 'half-life d', 'w_model', 'w_item (new)', 'HR', 'P', 'R', 'NDCG', 'P history', 'P new'],
      event.rows.map((r) => [
        r.model,
        String(r.halfLifeDays),
        String(r.modelWeight),
        String(r.coldModelWeight),
        ...accuracy(r.all),
        fixed(r.history.precision, 4),
        fixed(r.newUsers.precision, 4),
      ]),
    )
  );
}
