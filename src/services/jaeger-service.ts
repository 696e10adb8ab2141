import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '../lib/time.ts';
import { startDaemon, stopDaemon } from './daemon.ts';
import { ensureJaeger, JAEGER_VERSION } from './jaeger-build.ts';
import type { LocalService, ServiceStatus } from './local-service.ts';
import { logFile, pidFile, type ServicePaths } from './service-paths.ts';
import { serviceStatus } from './service-status.ts';

/** Jaeger's usual ports: OTLP over gRPC and HTTP, the query API and UI (HTTP and gRPC). */
export const JAEGER_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, query: 16686, queryGrpc: 16685 } as const;

/**
 * Jaeger's all-in-one, trimmed: OTLP in, traces in memory (the newest 100,000), the query API and
 * UI — every endpoint on loopback (run with no config, Jaeger's query ports listen on every
 * interface, and it opens eleven more ports for receivers and pages we do not use).
 */
export const JAEGER_CONFIG = `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${JAEGER_PORTS.query}
    grpc:
      endpoint: 127.0.0.1:${JAEGER_PORTS.queryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${JAEGER_PORTS.otlpGrpc}
      http:
        endpoint: 127.0.0.1:${JAEGER_PORTS.otlpHttp}
processors:
  batch:
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;

/** The local Jaeger's query API and UI. */
export const JAEGER_QUERY_URL = `http://127.0.0.1:${JAEGER_PORTS.query}`;

/** The OTLP/HTTP endpoint roles export to (OTEL_EXPORTER_OTLP_ENDPOINT). */
export const JAEGER_OTLP_URL = `http://127.0.0.1:${JAEGER_PORTS.otlpHttp}`;

/** True when Jaeger's query API answers. */
export async function jaegerAnswers(queryUrl = JAEGER_QUERY_URL): Promise<boolean> {
  const response = await fetch(`${queryUrl}/api/services`, { signal: AbortSignal.timeout(1_000) });
  return response.ok;
}

/**
 * Jaeger built from its Go module (jaeger-build.ts; cached in $MARQUEE_HOME/jaeger), started as an
 * all-in-one ({@link JAEGER_CONFIG}) with in-memory storage: traces live until it stops, which is what a development
 * machine and the tests need. A deployment points OTEL_EXPORTER_OTLP_ENDPOINT at its own Jaeger.
 */
export function createJaegerService(paths: ServicePaths): LocalService {
  const host = '127.0.0.1';
  const pids = pidFile(paths, 'jaeger');
  const status = (): Promise<ServiceStatus> =>
    serviceStatus(
      'jaeger',
      pids,
      host,
      JAEGER_PORTS.query,
      `started by marquee (Jaeger ${JAEGER_VERSION}, in memory)`,
    );
  return {
    name: 'jaeger',
    status,
    async up(log) {
      let current = await status();
      if (current.state === 'stopped') {
        const binary = await ensureJaeger(paths, log);
        const cwd = join(paths.home, 'jaeger');
        mkdirSync(cwd, { recursive: true });
        const configFile = join(cwd, 'config.yaml');
        writeFileSync(configFile, JAEGER_CONFIG);
        log(`jaeger: starting (OTLP ${JAEGER_OTLP_URL}, UI ${JAEGER_QUERY_URL})`);
        startDaemon({
          command: binary,
          args: [`--config=file:${configFile}`],
          logFile: logFile(paths, 'jaeger'),
          pidFile: pids,
          cwd,
        });
        current = await status();
      }
      const ready = await waitUntil(() => jaegerAnswers(), 30_000);
      if (!ready.ok)
        throw new Error(
          `jaeger: its query API does not answer at ${JAEGER_QUERY_URL} (${ready.lastError ?? 'timeout'}); see ${logFile(paths, 'jaeger')}`,
        );
      return current;
    },
    async down() {
      await stopDaemon(pids, 'SIGTERM', 10_000);
      return status();
    },
  };
}
