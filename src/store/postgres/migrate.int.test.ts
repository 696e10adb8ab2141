import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../../test/isolation.ts';
import { migrate } from './migrate.ts';

const scope = createTestScope('postgres');
afterAll(() => scope.cleanup());

describe('the Postgres schema', () => {
  it('creates every table, and migrating twice is a no-op', async () => {
    const pool = await scope.postgres();
    const again = await migrate(scope.config.postgres.url, scope.config.postgres.schema);
    expect(again.applied).toEqual([]);
    const tables = await pool.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [scope.config.postgres.schema],
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'audits',
      'experiment_batches',
      'experiments',
      'model_versions',
      'movies',
      'pgmigrations',
      'ratings',
      'served_lists',
      'users',
      'watches',
    ]);
  });

  it('rolls back a transaction: nothing it inserted remains', async () => {
    const pool = await scope.postgres();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ratings (event_id, user_id, movie_id, rating, rated_at, source) VALUES ('e1', '1', 'm', 4, now(), 'test')`,
      );
      expect((await client.query('SELECT count(*)::int AS n FROM ratings')).rows[0]).toEqual({ n: 1 });
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect((await pool.query('SELECT count(*)::int AS n FROM ratings')).rows[0]).toEqual({ n: 0 });
  });

  it('keeps a rating once however often its event id is inserted', async () => {
    const pool = await scope.postgres();
    const insert = `INSERT INTO ratings (event_id, user_id, movie_id, rating, rated_at, source) VALUES ($1, '7', 'toy+story+1995', 5, now(), 'test') ON CONFLICT (event_id) DO NOTHING`;
    await pool.query(insert, ['dup']);
    await pool.query(insert, ['dup']);
    expect(
      (await pool.query(`SELECT count(*)::int AS n FROM ratings WHERE event_id = 'dup'`)).rows[0],
    ).toEqual({ n: 1 });
  });

  it('refuses ratings outside the scale and a second active model version', async () => {
    const pool = await scope.postgres();
    await expect(
      pool.query(
        `INSERT INTO ratings (event_id, user_id, movie_id, rating, rated_at, source) VALUES ('bad', '1', 'm', 6, now(), 'test')`,
      ),
    ).rejects.toThrow(/check constraint/);
    await pool.query(`INSERT INTO model_versions (algorithm, status) VALUES ('svd', 'active')`);
    await expect(
      pool.query(`INSERT INTO model_versions (algorithm, status) VALUES ('svd', 'active')`),
    ).rejects.toThrow(/unique/);
  });
});
