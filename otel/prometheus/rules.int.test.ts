import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exposedSeries, metricNamesIn } from '../exposed-metrics.ts';

/** The alert rules and their promtool tests; promtool comes with Debian's prometheus (global setup). */
const dir = fileURLToPath(new URL('.', import.meta.url));
const rules = parse(readFileSync(`${dir}/rules.yml`, 'utf8')) as {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
};
/** Unit tests evaluated every minute, and those of rules that look back hours (every 10 min). */
const testFiles = ['rules.test.yml', 'rules-hours.test.yml'];
const tests = testFiles.flatMap(
  (f) =>
    (
      parse(readFileSync(`${dir}/${f}`, 'utf8')) as {
        tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
      }
    ).tests,
);
const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);

const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });

describe('alert rules (otel/prometheus/rules.yml)', () => {
  it('pass promtool check rules', () => {
    const r = promtool('check', 'rules', 'rules.yml');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('pass their promtool unit tests (rules.test.yml, rules-hours.test.yml)', () => {
    const r = promtool('test', 'rules', ...testFiles);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('each have a test that fires them and one that keeps them quiet', () => {
    const checks = tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alerts) {
      const mine = checks.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} never fires in a test`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} is never kept quiet in a test`,
      ).toBe(true);
    }
  });

  it('name only metrics that the roles expose (otel/names.ts and prom-client defaults)', () => {
    const exposed = exposedSeries();
    const unknown = alerts.flatMap((r) =>
      metricNamesIn(r.expr)
        .filter((n) => !exposed.has(n))
        .map((n) => `${r.alert}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('are each explained in docs/operations.md, under a heading the runbook link points to', () => {
    const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const headings = [...doc.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]?.trim());
    for (const { alert } of alerts)
      expect(headings, `docs/operations.md has no '### ${alert}'`).toContain(alert);
  });
});
