import {
  createMetricsRegistry,
  registerIngestSinkMetrics,
  serveMetrics,
  type IngestSinkReadings,
} from '../../otel/metrics.ts';
import { numberOption } from './options.ts';

/** Serves a role's /metrics when `--metrics-port` was given; returns the stop function (a no-op otherwise). */
export function metricsServer(
  role: string,
  port: string | undefined,
  readings: IngestSinkReadings,
  host = '127.0.0.1',
): () => Promise<void> {
  if (port === undefined) return async () => undefined;
  const registry = createMetricsRegistry(role, process.env.npm_package_version ?? 'dev');
  registerIngestSinkMetrics(registry, readings);
  return serveMetrics(registry, numberOption(port, 'metrics-port', 0, 1, 65_535), host);
}
