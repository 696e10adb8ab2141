import { Hono } from 'hono';
import type { Registry } from 'prom-client';

/** A named readiness check; resolves true when the dependency is usable. */
export type ReadinessCheck = () => Promise<boolean>;

/** What the health routes need. */
export interface HealthDeps {
  readonly registry: Registry;
  /** e.g. model loaded, Redis and Kafka reachable; each is given `timeoutMs` (default 500). */
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  readonly timeoutMs?: number;
  /** The scrape's text, when it is not the registry's own (the API's workers: otel/cluster-metrics.ts). */
  readonly metricsText?: () => Promise<string>;
}

async function run(check: ReadinessCheck, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([check().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz` (the process answers), `/readyz` (every check passes: 200, else 503) and `/metrics`. */
export function healthRoutes(deps: HealthDeps): Hono {
  const ms = deps.timeoutMs ?? 500;
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const names = Object.keys(deps.checks);
      const results = await Promise.all(names.map((n) => run(deps.checks[n] as ReadinessCheck, ms)));
      const checks = Object.fromEntries(names.map((n, k) => [n, results[k] ? 'ok' : 'failing']));
      const ready = results.every(Boolean);
      return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
    })
    .get('/metrics', async (c) =>
      c.text(await (deps.metricsText ?? (() => deps.registry.metrics()))(), 200, {
        'content-type': deps.registry.contentType,
      }),
    );
}
