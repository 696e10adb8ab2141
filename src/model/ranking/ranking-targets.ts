import type { RankerReport, RankerRow } from './ranking-report.ts';

/** One target of issue 12, checked on all judged test users. */
export interface TargetCheck {
  readonly target: string;
  /** The blend's value and the bar it must reach. */
  readonly value: number;
  readonly bar: number;
  readonly met: boolean;
}

/**
 * Issue 12's targets for a ranker (by name) against the report's other rows: precision@k and
 * recall@k at least 1.5× global popularity's and not below the best decayed popularity's; hit rate
 * not below the best decayed popularity's. Empty when the report lacks the rows to compare.
 */
export function checkTargets(report: RankerReport, rankerName: string): TargetCheck[] {
  const ranker = report.rows.find((r) => r.name === rankerName);
  const global = report.rows.find((r) => r.name === 'global popularity');
  const decayed = report.rows.filter((r) => r.name.startsWith('decayed popularity'));
  if (ranker === undefined || global === undefined || decayed.length === 0) return [];
  const best = (pick: (r: RankerRow) => number): { name: string; value: number } =>
    decayed.reduce((a, r) => (pick(r) > a.value ? { name: r.name, value: pick(r) } : a), {
      name: '',
      value: -Infinity,
    });
  const checks: TargetCheck[] = [];
  const add = (target: string, value: number, bar: number) =>
    checks.push({ target, value, bar, met: value >= bar });
  const { k } = ranker.all;
  for (const [label, pick] of [
    [`precision@${k}`, (r: RankerRow) => r.all.precision],
    [`recall@${k}`, (r: RankerRow) => r.all.recall],
  ] as const) {
    add(`${label} ≥ 1.5 × global popularity's`, pick(ranker), 1.5 * pick(global));
    const b = best(pick);
    add(`${label} ≥ best decayed popularity's (${b.name})`, pick(ranker), b.value);
  }
  const hr = best((r) => r.all.hitRate);
  add(`hit rate@${k} ≥ best decayed popularity's (${hr.name})`, ranker.all.hitRate, hr.value);
  return checks;
}
