import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { metrics } from '../../../../otel/names.ts';

/** Options of {@link requestMetrics}. */
export interface RequestMetricsOptions {
  readonly registry: Registry;
  /** Latency buckets, seconds. */
  readonly buckets?: readonly number[];
}

/**
 * Records every request's latency by matched route (not raw path: bounded label values) and status,
 * and the availability of the course route: the share of /recommend answers that were a 200.
 */
export function requestMetrics(options: RequestMetricsOptions): MiddlewareHandler {
  const registers = [options.registry];
  const duration = new Histogram({
    name: metrics.httpDuration,
    help: 'HTTP request latency by route and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [...(options.buckets ?? [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.6, 1])],
    registers,
  });
  let recommendTotal = 0;
  let recommendOk = 0;
  new Gauge({
    name: metrics.recommendAvailability,
    help: 'Share of /recommend answers that were HTTP 200, since start',
    registers,
    collect() {
      this.set(recommendTotal === 0 ? 1 : recommendOk / recommendTotal);
    },
  });
  return async function measured(c, next) {
    const start = performance.now();
    await next();
    const route = routePath(c, -1);
    duration.observe(
      { route, method: c.req.method, status: String(c.res.status) },
      (performance.now() - start) / 1000,
    );
    if (route === '/recommend/:userId') {
      recommendTotal++;
      if (c.res.status === 200) recommendOk++;
    }
  };
}
