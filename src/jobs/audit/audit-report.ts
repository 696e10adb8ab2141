/** The audit's markdown report, pure: the job writes it beside the charts. */
import type { AuditResult, Disparity, GroupMetrics } from './audit-metrics.ts';

/** What the report says about the run besides the result. */
export interface ReportHeader {
  readonly auditId: string;
  /** Epoch ms; null: from the first served list. */
  readonly since: number | null;
  readonly until: number;
  readonly trigger: string;
  /** Chart files beside the report, by attribute. */
  readonly charts: Readonly<Partial<Record<'age' | 'gender', string>>>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** "N violations in M recommendations", the seed's headline. */
export function headline(result: AuditResult): string {
  const v = result.violations;
  return `${v.total} violation${v.total === 1 ? '' : 's'} in ${v.lists} recommendation${v.lists === 1 ? '' : 's'}`;
}

function groupTable(groups: readonly GroupMetrics[]): string[] {
  return [
    '| group | lists | users | genres/list | avg popularity | head share | calibration (KL) | hit rate | violations |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...groups.map(
      (g) =>
        `| ${g.group} | ${g.lists} | ${g.users} | ${g.genresPerList.toFixed(2)} | ${g.avgPopularity.toFixed(1)} | ${pct(g.headShare)} | ${g.calibration === null ? '–' : g.calibration.toFixed(3)} | ${pct(g.hitRate)} | ${g.violations} |`,
    ),
  ];
}

function disparityRow(d: Disparity): string {
  const value = d.measure === 'gap' && d.metric === 'headShare' ? pct(d.value) : d.value.toFixed(3);
  const bound = d.metric === 'headShare' ? pct(d.threshold) : String(d.threshold);
  const limit = `${d.measure === 'ratio' && d.metric === 'hitRate' ? '≥' : '≤'} ${bound}`;
  const p = d.pValue === undefined ? '–' : d.pValue < 0.001 ? '< 0.001' : d.pValue.toFixed(3);
  return `| ${d.attribute} | ${d.metric} | ${d.measure} | ${value} | ${limit} | ${d.passed ? 'pass' : '**FAIL**'} | ${d.lowest} | ${d.highest} | ${p} |`;
}

/** The report as markdown. */
export function auditReport(header: ReportHeader, result: AuditResult): string {
  const v = result.violations;
  const failed = result.disparities.filter((d) => !d.passed).length;
  const lines = [
    `# Fairness audit ${header.auditId}`,
    '',
    `Served lists from ${header.since === null ? 'the first one' : iso(header.since)} to ${iso(header.until)} (${header.trigger}).`,
    '',
    '## Guardrail violations',
    '',
    `**${headline(result)}**: ${v.ageViolations} title${v.ageViolations === 1 ? '' : 's'} above the user's age in ${v.listsWithAgeViolations} list${v.listsWithAgeViolations === 1 ? '' : 's'}; ${v.genreViolations} list${v.genreViolations === 1 ? '' : 's'} short of the genre target although the user's allowed catalogue had the genres.`,
    '',
    `${v.items} titles in all; ${v.uncheckedItems} without metadata could not be checked; ${v.unknownAgeLists} lists went to users of unknown age (checked as the youngest, as the guard serves them).`,
    '',
  ];
  if (v.examples.length > 0) {
    lines.push('| user | age | served | kind | detail |', '| --- | ---: | --- | --- | --- |');
    for (const e of v.examples)
      lines.push(`| ${e.userId} | ${e.age ?? '?'} | ${iso(e.servedAt)} | ${e.kind} | ${e.detail} |`);
    lines.push('');
  }
  for (const attribute of ['age', 'gender'] as const) {
    lines.push(`## By ${attribute === 'age' ? 'age band' : 'gender'}`, '');
    lines.push(...groupTable(result.groups.filter((g) => g.attribute === attribute)), '');
    const chart = header.charts[attribute];
    if (chart !== undefined) lines.push(`![metrics by ${attribute}](${chart})`, '');
  }
  lines.push(
    '## Disparities',
    '',
    result.disparities.length === 0
      ? 'No attribute has two groups with enough lists to compare.'
      : `${failed} of ${result.disparities.length} comparisons beyond their threshold (hit rates are compared only once some group has a hit).`,
    '',
  );
  if (result.disparities.length > 0)
    lines.push(
      '| attribute | metric | measure | value | threshold | result | lowest | highest | p (chance) |',
      '| --- | --- | --- | ---: | --- | --- | --- | --- | ---: |',
      ...result.disparities.map(disparityRow),
      '',
    );
  lines.push(
    "Popularity is a title's rating count in the log; the head is the top 1 % of titles by it. Calibration is",
    "KL(group's history genre mix ‖ its recommendations' mix), Steck's α = 0.01. A hit is a later watch or",
    'rating (by arrival in the log) of a listed title within the horizon; its p is a two-proportion z-test',
    'between the lowest and highest group. See docs/fairness.md.',
    '',
  );
  return lines.join('\n');
}
