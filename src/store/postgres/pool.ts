import pg from 'pg';

/** Postgres connection settings, as in Config.postgres. */
export interface PostgresSettings {
  readonly url: string;
  readonly schema: string;
}

/** A connection pool whose sessions resolve unqualified table names in the configured schema. */
export function createPool(settings: PostgresSettings, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.url,
    max,
    options: `-c search_path=${settings.schema}`,
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}
