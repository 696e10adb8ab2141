import { loadConfig } from '../../config/load-config.ts';
import {
  formatStatus,
  localServices,
  servicesDown,
  servicesStatus,
  servicesUp,
} from '../services/services.ts';
import { UsageError, type Command } from './command.ts';

/** `marquee services up|down|status`: local Kafka, Redis and Postgres without Docker. */
export const servicesCommand: Command = {
  name: 'services',
  summary: 'start, stop or show local Kafka (KRaft), Redis and Postgres on loopback (no Docker)',
  usage: [
    'usage: marquee services up|down|status',
    '',
    '  up      install what is missing, start Kafka, Redis and Postgres, wait until each is ready;',
    '          services already reachable at the configured addresses are reused, not started',
    '  down    stop the services marquee started (reused ones are left alone)',
    '  status  one line per service: running (started by marquee), reused, or stopped',
    '',
    'Addresses come from KAFKA_BROKERS, REDIS_URL and DATABASE_URL; files and logs live in $MARQUEE_HOME.',
  ].join('\n'),
  async run(args, io) {
    const [action, ...extra] = args;
    if (extra.length > 0 || (action !== 'up' && action !== 'down' && action !== 'status')) {
      throw new UsageError(
        action === undefined ? 'missing action' : `unknown action '${[action, ...extra].join(' ')}'`,
      );
    }
    const config = loadConfig(io.env);
    const services = localServices(config);
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
