import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureServiceSecrets, serviceSecretsFile, withPassword } from '../../config/service-secrets.ts';
import { runningDaemon } from './daemon.ts';
import { createPostgresService } from './postgres-service.ts';
import { createRedisService } from './redis-service.ts';
import { pidFile, servicePaths, type ServicePaths } from './service-paths.ts';

/**
 * Redis and Postgres of this file's own (other ports, a temporary home and data directories): first
 * started without passwords, as earlier sessions left them, then brought to passwords by `up`.
 */
const home = mkdtempSync(join(tmpdir(), 'marquee-credentials-'));
const root = process.getuid?.() === 0;
const paths: ServicePaths = {
  ...servicePaths(home),
  postgres: root ? join('/var/lib/marquee', home.split('/').pop() as string) : join(home, 'postgres'),
};
const redisPort = 16_300 + (process.pid % 90);
const postgresPort = 15_500 + (process.pid % 90);
const bare = {
  redis: `redis://127.0.0.1:${redisPort}`,
  postgres: `postgres://postgres@127.0.0.1:${postgresPort}/marquee`,
};
const lines: string[] = [];
const log = (line: string) => void lines.push(line);

afterAll(async () => {
  await createRedisService(bare.redis, paths).down();
  await createPostgresService(bare.postgres, paths).down();
  rmSync(home, { recursive: true, force: true });
  if (root) rmSync(paths.postgres, { recursive: true, force: true });
});

async function redisGet(url: string, key: string): Promise<string | null> {
  const client = new Redis(url, {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
    enableReadyCheck: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.get(key);
  } finally {
    client.disconnect();
  }
}

async function pgCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM kept')).rows[0]?.n);
  } finally {
    await client.end();
  }
}

/** The environment and command line of a process we started. */
function processText(service: 'redis' | 'postgres'): string {
  const record = runningDaemon(pidFile(paths, service));
  if (record === undefined) throw new Error(`${service} is not running`);
  const read = (file: string) => readFileSync(`/proc/${record.pid}/${file}`, 'utf8').replaceAll('\0', ' ');
  return `${read('environ')} ${read('cmdline')}`;
}

describe('marquee services with credentials', () => {
  it('brings Redis and Postgres started without passwords to passwords, keeping their data, idempotently', async () => {
    // An earlier session: no passwords, some data.
    await createRedisService(bare.redis, paths).up(log);
    await createPostgresService(bare.postgres, paths).up(log);
    const r = new Redis(bare.redis);
    await r.set('kept', 'yes');
    r.disconnect();
    const c = new pg.Client({ connectionString: bare.postgres });
    await c.connect();
    await c.query('CREATE TABLE kept (id int); INSERT INTO kept VALUES (1), (2)');
    await c.end();

    // This session's first `up` makes the passwords; the running services are reused as they are,
    // and clients that send a password to them still work (ioredis and pg both let it pass).
    const secrets = ensureServiceSecrets(home);
    expect(statSync(serviceSecretsFile(home)).mode & 0o777).toBe(0o600);
    const url = {
      redis: withPassword(bare.redis, secrets.REDIS_PASSWORD),
      postgres: withPassword(bare.postgres, secrets.POSTGRES_PASSWORD),
    };
    const redis = createRedisService(url.redis, paths);
    const postgres = createPostgresService(url.postgres, paths);
    const pidsBefore = [
      runningDaemon(pidFile(paths, 'redis'))?.pid,
      runningDaemon(pidFile(paths, 'postgres'))?.pid,
    ];
    expect((await redis.up(log)).state).toBe('running');
    expect((await postgres.up(log)).state).toBe('running');
    expect([
      runningDaemon(pidFile(paths, 'redis'))?.pid,
      runningDaemon(pidFile(paths, 'postgres'))?.pid,
    ]).toEqual(pidsBefore);
    expect(lines.join('\n')).toMatch(/redis: .* runs without a password/);
    expect(lines.join('\n')).toMatch(/postgres: .* lets anyone in without a password/);
    expect(await redisGet(url.redis, 'kept')).toBe('yes');
    expect(await pgCount(url.postgres)).toBe(2);

    // Their next start takes the passwords, with a secret in Marquee's environment that must not leak.
    await redis.down();
    await postgres.down();
    process.env['JWT_SECRET'] = 'a-secret-of-marquee-no-service-may-inherit';
    try {
      await redis.up(log);
      await postgres.up(log);
    } finally {
      delete process.env['JWT_SECRET'];
    }
    await expect(redisGet(bare.redis, 'kept')).rejects.toThrow(/NOAUTH/);
    expect(await redisGet(url.redis, 'kept')).toBe('yes');
    await expect(pgCount(bare.postgres)).rejects.toThrow(/password/);
    expect(await pgCount(url.postgres)).toBe(2);
    expect(readFileSync(join(paths.postgres, String(postgresPort), 'pg_hba.conf'), 'utf8')).not.toMatch(
      /^host.*trust/m,
    );
    for (const service of ['redis', 'postgres'] as const) {
      const text = processText(service);
      for (const leak of [
        'a-secret-of-marquee',
        secrets.REDIS_PASSWORD,
        secrets.POSTGRES_PASSWORD,
        'REDIS_URL',
      ])
        expect(text, service).not.toContain(leak);
    }

    // And again: nothing changes, nothing restarts.
    const pids = [
      runningDaemon(pidFile(paths, 'redis'))?.pid,
      runningDaemon(pidFile(paths, 'postgres'))?.pid,
    ];
    await redis.up(log);
    await postgres.up(log);
    expect([
      runningDaemon(pidFile(paths, 'redis'))?.pid,
      runningDaemon(pidFile(paths, 'postgres'))?.pid,
    ]).toEqual(pids);
    expect(await pgCount(url.postgres)).toBe(2);
    expect(existsSync(join(paths.postgres, `.pwfile-${postgresPort}`))).toBe(false);
  }, 120_000);

  it('gives a new Postgres data directory the password from its first start', async () => {
    const port = postgresPort + 100;
    const url = `postgres://postgres:${'pw-'.repeat(8)}@127.0.0.1:${port}/marquee`;
    // Its own home: pid files are per service name.
    const own = {
      ...paths,
      home: join(home, 'second'),
      run: join(home, 'second', 'run'),
      logs: join(home, 'second', 'logs'),
    };
    const fresh = createPostgresService(url, own);
    try {
      await fresh.up(log).catch((error: Error) => {
        throw new Error(
          `${error.message}\n${readFileSync(join(own.logs, 'postgres.log'), 'utf8').slice(-2000)}`,
        );
      });
      await expect(
        pgCount(`postgres://postgres@127.0.0.1:${port}/marquee`).catch((e: Error) => Promise.reject(e)),
      ).rejects.toThrow(/password/);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.end();
      expect(existsSync(join(paths.postgres, `.pwfile-${port}`))).toBe(false);
    } finally {
      await fresh.down();
      rmSync(join(paths.postgres, String(port)), { recursive: true, force: true });
    }
  }, 120_000);
});
