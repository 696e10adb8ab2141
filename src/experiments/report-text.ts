/** The report as `marquee experiment report` prints it (pure). */
import type { ExperimentReport } from './report.ts';
import type { Comparison } from './stats/welch.ts';

const f = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '-');
const p = (x: number) => (!Number.isFinite(x) ? '-' : x < 1e-4 ? x.toExponential(1) : x.toFixed(4));
const ci = (c: readonly [number, number], digits = 4) => `[${f(c[0], digits)}, ${f(c[1], digits)}]`;
const test = (name: string, c: Comparison, digits = 4) =>
  `  ${name.padEnd(44)} ${f(c.diff, digits).padStart(9)}  CI ${ci(c.ci, digits).padEnd(22)} p ${p(c.p)}`;

const VERDICTS = {
  continue: 'keep running: the always-valid p is not below α yet',
  'a-better': 'the control is better',
  'b-better': 'the challenger is better',
  srm: 'no verdict: the split of users is off (sample ratio mismatch) — find the cause first',
} as const;

/** Lines of the report: per arm, each comparison with both tests, the SRM check and the decision. */
export function formatReport(r: ExperimentReport): string[] {
  const lines = [
    `experiment ${r.id} "${r.name}": ${r.assignment} assignment, primary metric ${r.primaryMetric}, α ${r.alpha}, N* ${r.tuning} users`,
    `started ${r.startedAt}${r.stoppedAt === null ? ' (running)' : `, stopped ${r.stoppedAt}`}`,
    '',
    'arm            version  weight  exposed  rated   ratings    RMSE  batches  last batch  lists  watch-through',
  ];
  for (const a of r.arms) {
    const last = a.batches.at(-1)?.rmse ?? NaN;
    lines.push(
      [
        a.name.padEnd(14),
        a.version.padStart(7),
        String(a.weight).padStart(7),
        String(a.exposedUsers).padStart(8),
        String(a.ratedUsers).padStart(6),
        String(a.ratings).padStart(9),
        f(a.rmse).padStart(7),
        String(a.batches.length).padStart(8),
        f(last).padStart(11),
        String(a.lists).padStart(6),
        pct(a.watchThrough).padStart(14),
      ].join(' '),
    );
  }
  for (const a of r.arms)
    if (a.batches.length > 0)
      lines.push(`  ${a.name} batch RMSEs: ${a.batches.map((b) => f(b.rmse, 3)).join(' ')}`);
  for (const c of r.comparisons) {
    const [control] = r.arms;
    lines.push(
      '',
      `${c.arm} − ${control?.name ?? '?'} (effect, ${100 * (1 - r.alpha)} % CI, p):`,
      `  RMSE ${f(c.mse.arms[0].ratio ** 0.5)} → ${f(c.mse.arms[1].ratio ** 0.5)} stars (${c.rmseDiff >= 0 ? '+' : ''}${f(c.rmseDiff)})`,
      test('MSE, per-user means, Welch (fixed horizon)', c.mse.perUser),
      test('MSE, rating-weighted, delta method (fixed)', c.mse.ratio),
      `  ${'MSE, always-valid sequential (per user)'.padEnd(44)} ${f(c.mse.perUser.diff).padStart(9)}  CS ${ci(c.mse.sequential.ci).padEnd(22)} p ${p(c.mse.sequential.p)}`,
      test("MSE, per rating (the seed's test; invalid)", c.mse.perRating),
      test('watch-through, per-user share, Welch', c.watchThrough.perUser),
      `  ${'watch-through, always-valid sequential'.padEnd(44)} ${f(c.watchThrough.perUser.diff).padStart(9)}  CS ${ci(c.watchThrough.sequential.ci).padEnd(22)} p ${p(c.watchThrough.sequential.p)}`,
    );
  }
  const expected = r.srm.expected.map((e) => e.toFixed(1)).join(' / ');
  lines.push(
    '',
    `SRM: users exposed ${r.arms.map((a) => a.exposedUsers).join(' / ')} against expected ${expected}: χ² ${f(r.srm.chi2, 2)}, p ${p(r.srm.p)}${r.srm.flagged ? ' — FLAGGED (p < 0.001)' : r.srm.enough ? ' — ok' : ' — too few users to check'}`,
  );
  if (r.openLists > 0)
    lines.push(`(${r.openLists} lists were served less than 24 h ago: their watches so far are counted)`);
  const d = r.decision;
  lines.push(
    `decision (look ${d.look}, ${d.metric}): ${VERDICTS[d.verdict]}${d.winner === null ? '' : ` → ${d.winner}`}; always-valid p ${p(d.p)}, running minimum ${p(d.minP)}`,
  );
  return lines;
}
