import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { serviceEnvironment, startDaemon, stopDaemon } from './daemon.ts';
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

/** pg_hba.conf with `trust` on TCP lines replaced by `scram-sha-256` (null when nothing is trusted). */
export function withoutTrust(hba: string): string | null {
  let changed = false;
  const out = hba.replace(
    /^(\s*host(?:ssl|nossl)?\s.*?)\btrust\b(\s*(?:#.*)?)$/gm,
    (_, head: string, tail: string) => {
      changed = true;
      return `${head}scram-sha-256${tail}`;
    },
  );
  return changed ? out : null;
}

/**
 * A data directory made before passwords (trust on TCP): gives the superuser the URL's password and
 * asks for it on TCP from now on (pg_hba.conf, reloaded). Runs right after we start the server, while
 * it still trusts us; the Unix socket, inside the data directory, stays as it was.
 */
async function requirePassword(
  url: string,
  dataDir: string,
  superuser: string,
  log: ServiceLog,
): Promise<void> {
  const hbaFile = join(dataDir, 'pg_hba.conf');
  const hba = withoutTrust(readFileSync(hbaFile, 'utf8'));
  if (hba === null) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const password = decodeURIComponent(new URL(url).password);
    await client.query("SET password_encryption = 'scram-sha-256'");
    await client.query(
      `ALTER ROLE ${client.escapeIdentifier(superuser)} PASSWORD ${client.escapeLiteral(password)}`,
    );
    writeFileSync(hbaFile, hba);
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
  log(`postgres: ${dataDir} trusted every local connection; it asks for the password now`);
}

/** True when Postgres at `url` lets the URL's user in over TCP without a password. */
async function openToAnyone(url: string): Promise<boolean> {
  const bare = new URL(url);
  bare.password = '';
  bare.pathname = '/postgres';
  const client = new pg.Client({ connectionString: bare.toString(), connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A throwaway PostgreSQL cluster from Debian's packages, listening on loopback only, its socket inside
 * the data directory, run as the `postgres` user when we are root. When the URL names a password,
 * initdb gives it to the superuser and TCP connections need it (scram-sha-256); a data directory
 * from before (trust) is brought to that at its next start by us. Without a password: trust.
 */
export function createPostgresService(url: string, paths: ServicePaths): LocalService {
  const { host, port } = hostPort(url, 5432);
  const address = `${host}:${port}`;
  const pids = pidFile(paths, 'postgres');
  const dataDir = join(paths.postgres, String(port));
  const superuser = decodeURIComponent(new URL(url).username) || 'postgres';
  const password = decodeURIComponent(new URL(url).password);
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
      log(`postgres: initdb ${dataDir}${password === '' ? '' : ' (password authentication)'}`);
      // The password reaches initdb in a file only its user can read, deleted right after.
      const pwfile = join(paths.postgres, `.pwfile-${port}`);
      if (password !== '') {
        writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
        if (user !== undefined) chownSync(pwfile, user.uid, user.gid);
      }
      const auth = password === '' ? ['-A', 'trust'] : ['-A', 'scram-sha-256', `--pwfile=${pwfile}`];
      const init = spawnSync(
        join(bin, 'initdb'),
        ['-D', dataDir, '-U', superuser, ...auth, '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
        {
          uid: user?.uid,
          gid: user?.gid,
          encoding: 'utf8',
          cwd: '/',
          env: serviceEnvironment(),
        },
      );
      rmSync(pwfile, { force: true });
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
      const startedNow = (await status()).state === 'stopped';
      if (startedNow) {
        if (!isLoopback(host))
          throw new Error(`postgres: nothing answers at ${address} and it is not loopback: fix DATABASE_URL`);
        start(log);
      }
      const ready = await waitUntil(() => postgresAnswers(url), 30_000);
      if (!ready.ok)
        throw new Error(
          `postgres: not ready at ${address} (${ready.lastError ?? 'timeout'}); see ${logFile(paths, 'postgres')}`,
        );
      if (password !== '' && startedNow) await requirePassword(url, dataDir, superuser, log);
      else if (password !== '' && (await openToAnyone(url)))
        log(
          `postgres: ${address} lets anyone in without a password; a data directory of ours takes the ` +
            'one in its URL at its next start (marquee services down, then up)',
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
