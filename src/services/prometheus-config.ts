import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the local Prometheus's config says: where the rules are, where scrape targets come from. */
export interface PrometheusConfigOptions {
  readonly rulesFile: string;
  /** Directory of file_sd target files (`*.json`), one per running deployment or test. */
  readonly targetsDir: string;
  readonly scrapeIntervalSec: number;
}

/**
 * The local Prometheus's config, as YAML text. Targets come from files (file_sd), not from the config,
 * because the roles' ports depend on who runs them: `marquee up` writes its own, and each test that
 * starts roles writes one for them and removes it afterwards. Prometheus rereads them when they change.
 */
export function prometheusConfig(o: PrometheusConfigOptions): string {
  return [
    '# Written by `marquee services up --with prometheus`; rewritten at every start.',
    'global:',
    `  scrape_interval: ${o.scrapeIntervalSec}s`,
    `  evaluation_interval: ${o.scrapeIntervalSec}s`,
    'rule_files:',
    `  - ${JSON.stringify(o.rulesFile)}`,
    'scrape_configs:',
    '  - job_name: marquee',
    '    file_sd_configs:',
    `      - files: [${JSON.stringify(join(o.targetsDir, '*.json'))}]`,
    '    relabel_configs:',
    // Each target file names its role; the job label becomes marquee-<role>, as in docker-compose.
    '      - source_labels: [role]',
    '        target_label: job',
    '        replacement: marquee-$1',
    '',
  ].join('\n');
}

/** One role's /metrics address for Prometheus. */
export interface ScrapeTarget {
  readonly role: string;
  /** host:port */
  readonly address: string;
}

/**
 * Writes `name`'s targets for the local Prometheus (`labels` are added to every series scraped from
 * them, e.g. a test's scope). Written to a temporary file and renamed, so Prometheus never reads half
 * a file. Returns the function that removes them.
 */
export function writeScrapeTargets(
  targetsDir: string,
  name: string,
  targets: readonly ScrapeTarget[],
  labels: Readonly<Record<string, string>> = {},
): () => void {
  mkdirSync(targetsDir, { recursive: true });
  const file = join(targetsDir, `${name}.json`);
  const groups = targets.map((t) => ({ targets: [t.address], labels: { ...labels, role: t.role } }));
  writeFileSync(`${file}.tmp`, JSON.stringify(groups, null, 2));
  renameSync(`${file}.tmp`, file);
  return () => rmSync(file, { force: true });
}
