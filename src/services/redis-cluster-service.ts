/**
 * A local Redis Cluster for development and tests: one Debian `redis-server` per node (cluster
 * enabled, append-only file as the single Redis, {@link REDIS_DURABILITY}), joined as masters
 * without replicas by `redis-cli --cluster create`. Idempotent: a healthy cluster at the addresses
 * is reused; a node of ours that stopped is restarted on its own data (its nodes file keeps its slots).
 * With a password (the single Redis's: REDIS_PASSWORD or `$MARQUEE_HOME/secrets.env`), every node
 * starts with it as `requirepass` and `masterauth` (so a replica added later can follow its master),
 * from a config file only the owner reads; a node of ours already running without one is reused as it
 * is — clients that send the password still work — and takes it at its next start.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startDaemon, stopDaemon } from './daemon.ts';
import { hasExecutable, installDebianPackages } from './debian-packages.ts';
import { serviceStatus } from './service-status.ts';
import { hostPort, type LocalService, type ServiceStatus } from './local-service.ts';
import { logFile, pidFile, type ServicePaths } from './service-paths.ts';
import { REDIS_DURABILITY, redisAnswers } from './redis-service.ts';
import { waitUntil } from '../lib/time.ts';
import { isLoopback } from './tcp-probe.ts';

/** The cluster `marquee services up --with redis-cluster` starts when REDIS_CLUSTER_NODES is unset. */
export const LOCAL_CLUSTER_NODES = ['127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7003'] as const;

/** The URL of node `address`, with `password` when there is one. */
function nodeUrl(address: string, password: string | undefined): string {
  return password === undefined
    ? `redis://${address}`
    : `redis://:${encodeURIComponent(password)}@${address}`;
}

/** `CLUSTER INFO` of one node as a map (null when it does not answer, or refuses `password`). */
export async function clusterInfo(address: string, password?: string): Promise<Map<string, string> | null> {
  const client = new Redis(nodeUrl(address, password), {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const text = (await client.cluster('INFO')) as string;
    return new Map(
      text
        .split(/\r?\n/)
        .filter((line) => line.includes(':'))
        .map((line) => line.split(':', 2) as [string, string]),
    );
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

/** True when every node says the cluster is ok with all 16,384 slots served. */
export async function clusterHealthy(nodes: readonly string[], password?: string): Promise<boolean> {
  const infos = await Promise.all(nodes.map((address) => clusterInfo(address, password)));
  return infos.every((i) => i?.get('cluster_state') === 'ok' && i.get('cluster_slots_ok') === '16384');
}

/** The pid file name of one node. */
function nodeService(port: number): string {
  return `redis-cluster-${port}`;
}

/** Starts node `address` (loopback only) on its data directory under `paths.home`. */
function startNode(
  address: string,
  paths: ServicePaths,
  password: string | undefined,
  log: (line: string) => void,
): void {
  const { host, port } = hostPort(address, 6379);
  if (!isLoopback(host))
    throw new Error(
      `redis-cluster: nothing answers at ${address} and it is not loopback: fix REDIS_CLUSTER_NODES`,
    );
  const dir = join(paths.home, 'redis-cluster', String(port));
  mkdirSync(dir, { recursive: true });
  log(`redis-cluster: starting node ${address}${password === undefined ? '' : ' with a password'}`);
  // The config file comes first on redis-server's command line (a password in argv would show in `ps`).
  const conf = join(dir, 'password.conf');
  const quoted = password?.replace(/[\\"]/g, (ch) => `\\${ch}`);
  writeFileSync(conf, quoted === undefined ? '' : `requirepass "${quoted}"\nmasterauth "${quoted}"\n`, {
    mode: 0o600,
  });
  const args = [
    conf,
    '--bind',
    host,
    '--port',
    String(port),
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    // A master that stops is down after 5 s (no replica to fail over to: its slots wait for its restart).
    '--cluster-node-timeout',
    '5000',
    '--save',
    '',
    ...Object.entries(REDIS_DURABILITY).flatMap(([name, value]) => [`--${name}`, value]),
    '--dir',
    dir,
  ];
  const service = nodeService(port);
  startDaemon({
    command: 'redis-server',
    args,
    logFile: logFile(paths, service),
    pidFile: pidFile(paths, service),
  });
}

/**
 * Brings the cluster at `nodes` up: starts the nodes that do not answer, creates the cluster once.
 * `password`: the nodes' (see above; clients send it, and a node without one ignores it).
 */
export async function ensureRedisCluster(
  nodes: readonly string[],
  paths: ServicePaths,
  log: (line: string) => void,
  password?: string,
): Promise<void> {
  if (await clusterHealthy(nodes, password)) return warnOpen(nodes, password, log);
  if (!hasExecutable('redis-server')) installDebianPackages(['redis-server'], log);
  for (const address of nodes) {
    const answers = await redisAnswers(nodeUrl(address, password)).catch(() => false);
    if (!answers) startNode(address, paths, password, log);
  }
  for (const address of nodes) {
    const ready = await waitUntil(() => redisAnswers(nodeUrl(address, password)), 20_000);
    if (!ready.ok)
      throw new Error(
        `redis-cluster: no PONG from ${address}; see ${logFile(paths, nodeService(hostPort(address, 6379).port))}`,
      );
  }
  const infos = await Promise.all(nodes.map((address) => clusterInfo(address, password)));
  // Fresh nodes know no slots: create the cluster. Nodes that know slots (a restart) rejoin by themselves.
  if (infos.every((i) => i?.get('cluster_slots_assigned') === '0')) {
    log(`redis-cluster: creating a cluster of ${nodes.length} masters`);
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], {
      stdio: 'ignore',
      // redis-cli reads the password from its environment (not argv, which `ps` shows).
      env: { PATH: process.env.PATH, ...(password !== undefined && { REDISCLI_AUTH: password }) },
    });
  }
  const healthy = await waitUntil(() => clusterHealthy(nodes, password), 30_000, 200);
  if (!healthy.ok)
    throw new Error(
      `redis-cluster: not ok after 30 s at ${nodes.join(',')} (nodes of another cluster? see ${paths.logs})`,
    );
  await warnOpen(nodes, password, log);
}

/** Says which nodes run without the password they were given (started before nodes had one). */
async function warnOpen(
  nodes: readonly string[],
  password: string | undefined,
  log: (line: string) => void,
): Promise<void> {
  if (password === undefined) return;
  const open = [];
  for (const address of nodes) if ((await clusterInfo(address)) !== null) open.push(address);
  if (open.length > 0)
    log(
      `redis-cluster: ${open.join(', ')} run without a password; each takes the password at its next start (marquee services down, then up)`,
    );
}

/** Stops node `address` if Marquee started it (SIGKILL: the master-kill test's fault). */
export function stopClusterNode(
  address: string,
  paths: ServicePaths,
  signal: NodeJS.Signals,
): Promise<boolean> {
  return stopDaemon(pidFile(paths, nodeService(hostPort(address, 6379).port)), signal, 10_000);
}

/** The cluster as one `marquee services` entry (`--with redis-cluster`); `password`: the nodes'. */
export function createRedisClusterService(
  nodes: readonly string[],
  paths: ServicePaths,
  password?: string,
): LocalService {
  const first = hostPort(nodes[0] ?? LOCAL_CLUSTER_NODES[0], 6379);
  const status = async (): Promise<ServiceStatus> => {
    const own = await serviceStatus(
      'redis-cluster',
      pidFile(paths, nodeService(first.port)),
      first.host,
      first.port,
      'started by marquee',
    );
    if (own.state === 'stopped') return own;
    const healthy = await clusterHealthy(nodes, password);
    return {
      ...own,
      address: nodes.join(','),
      detail: healthy ? `${own.detail}, ${nodes.length} masters` : 'not ok',
    };
  };
  return {
    name: 'redis-cluster',
    afterOthers: true,
    status,
    async up(log) {
      await ensureRedisCluster(nodes, paths, log, password);
      return status();
    },
    async down() {
      for (const address of nodes) await stopClusterNode(address, paths, 'SIGTERM');
      return status();
    },
  };
}
