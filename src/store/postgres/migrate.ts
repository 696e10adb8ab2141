import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

/** The SQL migrations shipped with Marquee. */
export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

/** What one migration run did. */
export interface MigrationResult {
  readonly applied: readonly string[];
}

/**
 * Brings `schema` up to the newest migration (creating the schema if needed). Running it again is a
 * no-op; concurrent runs are serialised by node-pg-migrate's advisory lock.
 */
export async function migrate(
  databaseUrl: string,
  schema: string,
  log: (line: string) => void = () => undefined,
): Promise<MigrationResult> {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir,
    schema,
    createSchema: true,
    migrationsTable: 'pgmigrations',
    direction: 'up',
    count: Infinity,
    singleTransaction: true,
    // Roles started together (`marquee up`, compose) each migrate on start: the later ones wait for the
    // lock and find nothing to do, instead of failing and being restarted.
    advisoryLockMode: 'wait',
    log,
    logger: { debug: () => undefined, info: log, warn: log, error: log },
  });
  return { applied: applied.map((m) => m.name) };
}
