/**
 * Which Prometheus series Marquee's roles can expose, and which metric names a PromQL expression
 * reads: alert rules and dashboards are checked against these, so they never name a metric that
 * does not exist (a typo there is an alert that can never fire, a panel that stays empty).
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { metrics } from './names.ts';

/** Series suffixes a histogram or summary adds to its name. */
const SERIES_SUFFIXES = ['_bucket', '_count', '_sum', '_created'];

/** Series Prometheus itself adds to every scrape target. */
const SCRAPE_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

/** The names of prom-client's default metrics as every role registers them (prefix `marquee_`). */
export function defaultMetricNames(): string[] {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'marquee_' });
  return registry.getMetricsAsArray().map((m) => m.name);
}

/** Every series name a role or Prometheus can expose: otel/names.ts, the defaults, scrape series. */
export function exposedSeries(): Set<string> {
  const names = [...Object.values(metrics), ...defaultMetricNames()];
  return new Set([...SCRAPE_SERIES, ...names, ...names.flatMap((n) => SERIES_SUFFIXES.map((s) => n + s))]);
}

const FUNCTIONS_AND_KEYWORDS = new Set(
  (
    'abs absent absent_over_time avg avg_over_time bool bottomk by ceil changes clamp clamp_max ' +
    'clamp_min count count_over_time count_values deriv delta exp floor group group_left ' +
    'group_right histogram_quantile holt_winters idelta ignoring increase irate label_join ' +
    'label_replace last_over_time ln log2 log10 max max_over_time min min_over_time offset on ' +
    'or and unless predict_linear quantile quantile_over_time rate resets round scalar sgn sort ' +
    'sort_desc sqrt stddev stddev_over_time stdvar sum sum_over_time time timestamp topk vector ' +
    'without inf nan'
  ).split(' '),
);

/**
 * The metric names an expression reads: identifiers that are not functions, keywords, label names
 * (inside braces or by/on/without lists), durations or string contents. Good enough for the
 * expressions we write; a name it misses is one the check does not see, never a false alarm.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1()')
    .replace(/\[[^\]]*\]/g, '[]');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w.$])[a-zA-Z_:][\w:]*(?![\w(])(?!\s*\()/g)) {
    const name = m[0];
    if (!FUNCTIONS_AND_KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}
