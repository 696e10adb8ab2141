import { loadConfig } from '../../config/load-config.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { UsageError, type Command } from './command.ts';

/** `marquee migrate`: brings the Postgres schema to the newest version; a no-op when it already is. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply the Postgres schema migrations (idempotent)',
  usage:
    'usage: marquee migrate\n\nApplies pending migrations to DATABASE_URL, schema DATABASE_SCHEMA (created if missing).',
  async run(args, io) {
    if (args.length > 0) throw new UsageError(`unexpected argument '${args[0]}'`);
    const config = loadConfig(io.env);
    const { applied } = await migrate(config.postgres.url, config.postgres.schema);
    io.out(applied.length === 0 ? 'schema is up to date' : `applied: ${applied.join(', ')}`);
    return 0;
  },
};
