import { loadConfig } from '../../config/load-config.ts';
import { describeServices } from '../services/service-info.ts';
import { formatStatus, localServices, servicesUp } from '../services/services.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { UsageError, type Command } from './command.ts';

/** `marquee demo`: the first thing a new user runs; brings the platform up and shows it working. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'start the local services, migrate the schema and show what runs (first thing to try)',
  usage: [
    'usage: marquee demo',
    '',
    'Starts Kafka, Redis and Postgres (installing what is missing; reusing what already runs),',
    'applies the schema migrations and prints a short status of each service.',
    'Stop the services afterwards with: marquee services down',
  ].join('\n'),
  async run(args, io) {
    if (args.length > 0) throw new UsageError(`unexpected argument '${args[0]}'`);
    const config = loadConfig(io.env);
    const started = Date.now();
    io.out('1/3 services');
    for (const line of formatStatus(await servicesUp(localServices(config), (l) => io.out(`    ${l}`))))
      io.out(`    ${line}`);
    io.out('2/3 schema');
    const { applied } = await migrate(config.postgres.url, config.postgres.schema);
    io.out(`    ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
    io.out('3/3 status');
    for (const line of await describeServices(config)) io.out(`    ${line}`);
    io.out(
      `ready in ${((Date.now() - started) / 1000).toFixed(1)} s; logs in ${config.home}/logs; stop with: marquee services down`,
    );
    return 0;
  },
};
