import { describe, expect, it } from 'vitest';
import { exposedSeries, metricNamesIn } from './exposed-metrics.ts';
import { metrics } from './names.ts';

describe('metric names in PromQL', () => {
  it('finds the metrics an expression reads, not its functions, labels or durations', () => {
    const expr = `histogram_quantile(0.99, sum by (le, route) (rate(marquee_http_request_duration_seconds_bucket{route="/recommend/:userId", le!="x"}[5m] offset 1h)))
      > on () group_left () 1.1 * max(marquee_model_holdout_rmse_stars) and up{job=~"marquee-.*"} == 0`;
    expect(metricNamesIn(expr).sort()).toEqual([
      'marquee_http_request_duration_seconds_bucket',
      'marquee_model_holdout_rmse_stars',
      'up',
    ]);
  });

  it('knows the series every role exposes: names.ts, histogram series and prom-client defaults', () => {
    const exposed = exposedSeries();
    expect(exposed.has(metrics.httpDuration + '_bucket')).toBe(true);
    expect(exposed.has('marquee_process_cpu_seconds_total')).toBe(true);
    expect(exposed.has('marquee_nodejs_heap_size_used_bytes')).toBe(true);
    expect(exposed.has('marquee_http_request_duration_seconds_buckets')).toBe(false);
  });
});
