import type { Config } from '../../config/load-config.ts';
import { createJaegerService } from './jaeger-service.ts';
import { createKafkaService } from './kafka-service.ts';
import type { LocalService, ServiceLog, ServiceStatus } from './local-service.ts';
import { createPostgresService } from './postgres-service.ts';
import { createPrometheusService } from './prometheus-service.ts';
import { createRedisClusterService, LOCAL_CLUSTER_NODES } from './redis-cluster-service.ts';
import { createRedisService } from './redis-service.ts';
import { servicePaths } from './service-paths.ts';

/** Services beyond the three every role needs: observability, started on request (`--with`). */
export const optionalServices = ['jaeger', 'prometheus', 'redis-cluster'] as const;

/** One of {@link optionalServices}. */
export type OptionalService = (typeof optionalServices)[number];

/**
 * Kafka, Redis and Postgres as configured, then the optional services named in `extra`; the order is
 * the order of `status` lines.
 */
export function localServices(
  config: Config,
  extra: readonly OptionalService[] = [],
): readonly LocalService[] {
  const paths = servicePaths(config.home);
  const optional: Record<OptionalService, () => LocalService> = {
    jaeger: () => createJaegerService(paths),
    prometheus: () => createPrometheusService(config.prometheusUrl, paths),
    'redis-cluster': () =>
      createRedisClusterService(
        config.redis.clusterNodes ?? LOCAL_CLUSTER_NODES,
        paths,
        config.redis.clusterPassword,
      ),
  };
  return [
    createKafkaService(config.kafka.brokers, paths),
    createRedisService(config.redis.url, paths),
    createPostgresService(config.postgres.url, paths),
    ...optionalServices.filter((name) => extra.includes(name)).map((name) => optional[name]()),
  ];
}

/**
 * Brings every service up at once (Kafka's first start fetches jars and is the slowest). Fails with
 * every service's error, not just the first, so one run tells the whole story.
 */
export async function servicesUp(
  services: readonly LocalService[],
  log: ServiceLog,
): Promise<ServiceStatus[]> {
  // Services that install what another installs (a Redis Cluster node is Debian's redis-server) come
  // up after the others: two apt-get runs at once would fight over dpkg's lock on a fresh machine.
  const first = services.filter((s) => s.afterOthers !== true);
  const results = [
    ...(await Promise.allSettled(first.map((s) => s.up(log)))),
    ...(await Promise.allSettled(services.filter((s) => s.afterOthers === true).map((s) => s.up(log)))),
  ];
  const order = [...first, ...services.filter((s) => s.afterOthers === true)];
  const byService = new Map(order.map((s, j) => [s, results[j] as PromiseSettledResult<ServiceStatus>]));
  const settled = services.map((s) => byService.get(s) as PromiseSettledResult<ServiceStatus>);
  const errors = settled.flatMap((r) =>
    r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : [],
  );
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return settled.map((r) => (r as PromiseFulfilledResult<ServiceStatus>).value);
}

/** Stops what Marquee started; leaves reused services alone. */
export function servicesDown(services: readonly LocalService[]): Promise<ServiceStatus[]> {
  return Promise.all(services.map((s) => s.down()));
}

/** The status of every service. */
export function servicesStatus(services: readonly LocalService[]): Promise<ServiceStatus[]> {
  return Promise.all(services.map((s) => s.status()));
}

/** Status lines as a small aligned table. */
export function formatStatus(statuses: readonly ServiceStatus[]): string[] {
  const width = Math.max(11, ...statuses.map((s) => s.name.length + 1));
  return statuses.map((s) => {
    const pid = s.pid === undefined ? '' : ` pid ${s.pid}`;
    const detail = s.detail === '' ? '' : ` (${s.detail})`;
    return `${s.name.padEnd(width)}${s.state.padEnd(8)} ${s.address}${pid}${detail}`;
  });
}
