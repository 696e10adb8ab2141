import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { exposedSeries, metricNamesIn } from '../exposed-metrics.ts';

/** The Grafana provisioning docker-compose mounts; promtool comes with Debian's prometheus (global setup). */
const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(join(dir, 'dashboards')).filter((f) => f.endsWith('.json'));
interface Target {
  refId: string;
  expr: string;
  datasource: { uid: string };
}
interface Panel {
  title: string;
  datasource: { uid: string };
  targets: Target[];
}
const dashboards = files.map((f) => ({
  file: f,
  ...(JSON.parse(readFileSync(join(dir, 'dashboards', f), 'utf8')) as { uid: string; panels: Panel[] }),
}));
const datasource = (
  parse(readFileSync(join(dir, 'provisioning/datasources/prometheus.yml'), 'utf8')) as {
    datasources: { uid: string; url: string }[];
  }
).datasources[0];
const queries = dashboards.flatMap((d) =>
  d.panels.flatMap((p) => p.targets.map((t) => ({ where: `${d.file}: ${p.title} (${t.refId})`, ...t }))),
);
const scratch = mkdtempSync(join(tmpdir(), 'marquee-dashboards-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('Grafana dashboards (otel/grafana)', () => {
  it('are the four the operations guide names: service, model, stream and fairness', () => {
    expect(files.sort()).toEqual(['fairness.json', 'model.json', 'service.json', 'stream.json']);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(4);
    expect(queries.length).toBeGreaterThan(30);
  });

  it('have queries that all parse (promtool, as recording rules)', () => {
    const rules = {
      groups: [
        {
          name: 'dashboard-queries',
          rules: queries.map((q, k) => ({ record: `marquee:dashboard_query:${k}`, expr: q.expr })),
        },
      ],
    };
    const file = join(scratch, 'queries.yml');
    writeFileSync(file, stringify(rules));
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // A query promtool refuses is caught above; this shows it is really checking.
    writeFileSync(
      file,
      stringify({ groups: [{ name: 'x', rules: [{ record: 'x', expr: 'sum(rate(x[5m])' }] }] }),
    );
    expect(spawnSync('promtool', ['check', 'rules', file]).status).not.toBe(0);
  });

  it('name only metrics that the roles expose (otel/names.ts and prom-client defaults)', () => {
    const exposed = exposedSeries();
    const unknown = queries.flatMap((q) =>
      metricNamesIn(q.expr)
        .filter((n) => !exposed.has(n))
        .map((n) => `${q.where}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('read from the provisioned Prometheus datasource', () => {
    expect(datasource?.url).toBe('http://prometheus:9090');
    for (const d of dashboards)
      for (const p of d.panels) {
        expect(p.datasource.uid, `${d.file}: ${p.title}`).toBe(datasource?.uid);
        for (const t of p.targets) expect(t.datasource.uid).toBe(datasource?.uid);
      }
  });
});
