import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '../lib/time.ts';
import { startDaemon, stopDaemon } from './daemon.ts';
import { hasExecutable, installDebianPackages } from './debian-packages.ts';
import { hostPort, type LocalService, type ServiceStatus } from './local-service.ts';
import { prometheusConfig } from './prometheus-config.ts';
import { logFile, pidFile, type ServicePaths } from './service-paths.ts';
import { serviceStatus } from './service-status.ts';
import { isLoopback } from './tcp-probe.ts';

/** The alert rules (the one file where alerts live), loaded by every Prometheus Marquee runs. */
export const RULES_FILE = fileURLToPath(new URL('../../otel/prometheus/rules.yml', import.meta.url));

/** Where the local Prometheus reads its scrape targets (file_sd): one JSON file per deployment or test. */
export function scrapeTargetsDir(paths: ServicePaths): string {
  return join(paths.home, 'prometheus', 'targets');
}

/** Installs Debian's prometheus package (it brings promtool) when missing. */
export function ensurePrometheus(log: (line: string) => void): void {
  if (!hasExecutable('prometheus') || !hasExecutable('promtool')) installDebianPackages(['prometheus'], log);
}

/** True when the Prometheus at `url` says it is ready. */
export async function prometheusAnswers(url: string): Promise<boolean> {
  const response = await fetch(`${url.replace(/\/$/, '')}/-/ready`, { signal: AbortSignal.timeout(1_000) });
  return response.ok;
}

/**
 * Prometheus from Debian's package, with Marquee's config (prometheus-config.ts): the rules of
 * otel/prometheus/rules.yml, targets from $MARQUEE_HOME/prometheus/targets, a 5 s scrape interval
 * (a development machine, few targets) and two days of data.
 */
export function createPrometheusService(url: string, paths: ServicePaths): LocalService {
  const { host, port } = hostPort(url, 9090);
  const address = `${host}:${port}`;
  const pids = pidFile(paths, 'prometheus');
  const dir = join(paths.home, 'prometheus');
  const status = (): Promise<ServiceStatus> =>
    serviceStatus('prometheus', pids, host, port, 'started by marquee');
  return {
    name: 'prometheus',
    status,
    async up(log) {
      let current = await status();
      if (current.state === 'stopped') {
        if (!isLoopback(host))
          throw new Error(
            `prometheus: nothing answers at ${address} and it is not loopback: fix PROMETHEUS_URL`,
          );
        ensurePrometheus(log);
        mkdirSync(join(dir, 'data'), { recursive: true });
        mkdirSync(scrapeTargetsDir(paths), { recursive: true });
        const configFile = join(dir, 'prometheus.yml');
        writeFileSync(
          configFile,
          prometheusConfig({
            rulesFile: RULES_FILE,
            targetsDir: scrapeTargetsDir(paths),
            scrapeIntervalSec: 5,
          }),
        );
        log(`prometheus: starting on ${address}`);
        const args = [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          '--storage.tsdb.retention.time=2d',
          `--web.listen-address=${address}`,
        ];
        startDaemon({ command: 'prometheus', args, logFile: logFile(paths, 'prometheus'), pidFile: pids });
        current = await status();
      }
      const ready = await waitUntil(() => prometheusAnswers(url), 30_000);
      if (!ready.ok)
        throw new Error(
          `prometheus: not ready at ${address} (${ready.lastError ?? 'timeout'}); see ${logFile(paths, 'prometheus')}`,
        );
      return current;
    },
    async down() {
      await stopDaemon(pids, 'SIGTERM', 10_000);
      return status();
    },
  };
}
