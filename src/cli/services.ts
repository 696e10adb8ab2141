import { loadConfig, loadConfigForServices } from '../../config/load-config.ts';
import {
  formatStatus,
  localServices,
  optionalServices,
  servicesDown,
  servicesStatus,
  servicesUp,
  type OptionalService,
} from '../services/services.ts';
import { UsageError, type Command } from './command.ts';

/** `marquee services up|down|status`: local Kafka, Redis and Postgres without Docker. */
export const servicesCommand: Command = {
  name: 'services',
  summary: 'start, stop or show local Kafka (KRaft), Redis and Postgres on loopback (no Docker)',
  usage: [
    'usage: marquee services up|down|status [--with jaeger,prometheus,redis-cluster]',
    '',
    '  up      install what is missing, start Kafka, Redis and Postgres, wait until each is ready;',
    '          services already reachable at the configured addresses are reused, not started',
    '  down    stop the services marquee started (reused ones are left alone)',
    '  status  one line per service: running (started by marquee), reused, or stopped',
    '  --with jaeger,prometheus',
    '          also Jaeger (built once from its Go module, cached in $MARQUEE_HOME/jaeger; OTLP on',
    '          127.0.0.1:4318, UI on :16686) and Prometheus (Debian package; PROMETHEUS_URL, the alert',
    '          rules of otel/prometheus/rules.yml, targets from $MARQUEE_HOME/prometheus/targets);',
    '  --with redis-cluster',
    '          also a 3-master Redis Cluster (REDIS_CLUSTER_NODES, else 127.0.0.1:7001-7003; files in',
    '          $MARQUEE_HOME/redis-cluster, docs/scaling.md)',
    '          down and status always include the optional services',
    '',
    'Addresses come from KAFKA_BROKERS, REDIS_URL and DATABASE_URL; files and logs live in $MARQUEE_HOME.',
  ].join('\n'),
  async run(args, io) {
    const [action, ...rest] = args;
    const withAt = rest.indexOf('--with');
    const withList = withAt < 0 ? [] : (rest[withAt + 1] ?? '').split(',').map((s) => s.trim());
    const extra = withAt < 0 ? rest : [...rest.slice(0, withAt), ...rest.slice(withAt + 2)];
    if (extra.length > 0 || (action !== 'up' && action !== 'down' && action !== 'status')) {
      throw new UsageError(
        action === undefined ? 'missing action' : `unknown action '${[action, ...extra].join(' ')}'`,
      );
    }
    const unknown = withList.filter((s) => !(optionalServices as readonly string[]).includes(s));
    if (unknown.length > 0 || (withAt >= 0 && withList.length === 0))
      throw new UsageError(`--with takes ${optionalServices.join(' and/or ')}, comma-separated`);
    const config = action === 'up' ? loadConfigForServices(io.env) : loadConfig(io.env);
    const services = localServices(
      config,
      action === 'up' ? (withList as OptionalService[]) : optionalServices,
    );
    const statuses =
      action === 'up'
        ? await servicesUp(services, io.err)
        : action === 'down'
          ? await servicesDown(services)
          : await servicesStatus(services);
    for (const line of formatStatus(statuses)) io.out(line);
    io.out(`logs: ${config.home}/logs`);
    return action === 'status' || statuses.every((s) => s.state !== 'stopped') || action === 'down' ? 0 : 1;
  },
};
