import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startDaemon, stopDaemon } from './daemon.ts';
import { installDebianPackages } from './debian-packages.ts';
import { serviceStatus } from './service-status.ts';
import { hostPort, type LocalService, type ServiceLog, type ServiceStatus } from './local-service.ts';
import { logFile, pidFile, type ServicePaths } from './service-paths.ts';
import { waitUntil } from '../lib/time.ts';
import { isLoopback } from './tcp-probe.ts';

/** The newest Debian PostgreSQL bin directory, or undefined when no server is installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error('postgres: running as root but there is no postgres user to run the server as');
  return { uid, gid };
}

/** Creates the database named in the URL when the server lacks it (Docker images create theirs). */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/** True when Postgres at `url` (its server, any database) answers a query. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A throwaway PostgreSQL cluster from Debian's packages: initdb with trust auth, listening on loopback
 * only, its socket inside the data directory. Run as the `postgres` user when we are root.
 */
export function createPostgresService(url: string, paths: ServicePaths): LocalService {
  const { host, port } = hostPort(url, 5432);
  const address = `${host}:${port}`;
  const pids = pidFile(paths, 'postgres');
  const dataDir = join(paths.postgres, String(port));
  const superuser = decodeURIComponent(new URL(url).username) || 'postgres';
  const status = (): Promise<ServiceStatus> =>
    serviceStatus('postgres', pids, host, port, `started by marquee, data ${dataDir}`);
  const start = (log: ServiceLog) => {
    let bin = postgresBinDir();
    if (bin === undefined) {
      installDebianPackages(['postgresql'], log);
      bin = postgresBinDir();
      if (bin === undefined)
        throw new Error('postgres: installed postgresql but found no server in /usr/lib/postgresql');
    }
    const user = postgresUser();
    // Created level by level: a recursive mkdir would give the parents 0700 too, shutting out `postgres`.
    mkdirSync(paths.postgres, { recursive: true, mode: 0o755 });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user !== undefined) {
      chownSync(paths.postgres, user.uid, user.gid);
      chownSync(dataDir, user.uid, user.gid);
    }
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      log(`postgres: initdb ${dataDir}`);
      const init = spawnSync(
        join(bin, 'initdb'),
        ['-D', dataDir, '-U', superuser, '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
        {
          uid: user?.uid,
          gid: user?.gid,
          encoding: 'utf8',
          cwd: '/',
        },
      );
      if (init.status !== 0) throw new Error(`postgres: initdb failed: ${init.stderr.slice(-1500)}`);
    }
    log(`postgres: starting on ${address}`);
    const settings = [
      'listen_addresses=' + host,
      `port=${port}`,
      `unix_socket_directories=${dataDir}`,
      'max_connections=200',
    ];
    startDaemon({
      command: join(bin, 'postgres'),
      args: ['-D', dataDir, ...settings.flatMap((s) => ['-c', s])],
      logFile: logFile(paths, 'postgres'),
      pidFile: pids,
      uid: user?.uid,
      gid: user?.gid,
      cwd: '/',
    });
  };
  return {
    name: 'postgres',
    status,
    async up(log) {
      if ((await status()).state === 'stopped') {
        if (!isLoopback(host))
          throw new Error(`postgres: nothing answers at ${address} and it is not loopback: fix DATABASE_URL`);
        start(log);
      }
      const ready = await waitUntil(() => postgresAnswers(url), 30_000);
      if (!ready.ok)
        throw new Error(
          `postgres: not ready at ${address} (${ready.lastError ?? 'timeout'}); see ${logFile(paths, 'postgres')}`,
        );
      await ensureDatabase(url);
      return status();
    },
    async down() {
      // SIGINT is Postgres's "fast" shutdown: it does not wait for clients to disconnect.
      await stopDaemon(pids, 'SIGINT', 20_000);
      return status();
    },
  };
}
