/**
 * A local Redis Cluster for development and tests: one Debian `redis-server` per node (cluster
 * enabled, append-only file as the single Redis, {@link REDIS_DURABILITY}), joined as masters
 * without replicas by `redis-cli --cluster create`. Idempotent: a healthy cluster at the addresses
 * is reused; a node of ours that stopped is restarted on its own data (its nodes file keeps its slots).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
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

/** `CLUSTER INFO` of one node as a map (null when it does not answer). */
export async function clusterInfo(address: string): Promise<Map<string, string> | null> {
  const client = new Redis(`redis://${address}`, {
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
export async function clusterHealthy(nodes: readonly string[]): Promise<boolean> {
  const infos = await Promise.all(nodes.map(clusterInfo));
  return infos.every((i) => i?.get('cluster_state') === 'ok' && i.get('cluster_slots_ok') === '16384');
}

/** The pid file name of one node. */
function nodeService(port: number): string {
  return `redis-cluster-${port}`;
}

/** Starts node `address` (loopback only) on its data directory under `paths.home`. */
function startNode(address: string, paths: ServicePaths, log: (line: string) => void): void {
  const { host, port } = hostPort(address, 6379);
  if (!isLoopback(host))
    throw new Error(
      `redis-cluster: nothing answers at ${address} and it is not loopback: fix REDIS_CLUSTER_NODES`,
    );
  const dir = join(paths.home, 'redis-cluster', String(port));
  mkdirSync(dir, { recursive: true });
  log(`redis-cluster: starting node ${address}`);
  const args = [
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

/** Brings the cluster at `nodes` up: starts the nodes that do not answer, creates the cluster once. */
export async function ensureRedisCluster(
  nodes: readonly string[],
  paths: ServicePaths,
  log: (line: string) => void,
): Promise<void> {
  if (await clusterHealthy(nodes)) return;
  if (!hasExecutable('redis-server')) installDebianPackages(['redis-server'], log);
  for (const address of nodes) {
    const answers = await redisAnswers(`redis://${address}`).catch(() => false);
    if (!answers) startNode(address, paths, log);
  }
  for (const address of nodes) {
    const ready = await waitUntil(() => redisAnswers(`redis://${address}`), 20_000);
    if (!ready.ok)
      throw new Error(
        `redis-cluster: no PONG from ${address}; see ${logFile(paths, nodeService(hostPort(address, 6379).port))}`,
      );
  }
  const infos = await Promise.all(nodes.map(clusterInfo));
  // Fresh nodes know no slots: create the cluster. Nodes that know slots (a restart) rejoin by themselves.
  if (infos.every((i) => i?.get('cluster_slots_assigned') === '0')) {
    log(`redis-cluster: creating a cluster of ${nodes.length} masters`);
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], {
      stdio: 'ignore',
    });
  }
  const healthy = await waitUntil(() => clusterHealthy(nodes), 30_000, 200);
  if (!healthy.ok)
    throw new Error(
      `redis-cluster: not ok after 30 s at ${nodes.join(',')} (nodes of another cluster? see ${paths.logs})`,
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

/** The cluster as one `marquee services` entry (`--with redis-cluster`). */
export function createRedisClusterService(nodes: readonly string[], paths: ServicePaths): LocalService {
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
    const healthy = await clusterHealthy(nodes);
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
      await ensureRedisCluster(nodes, paths, log);
      return status();
    },
    async down() {
      for (const address of nodes) await stopClusterNode(address, paths, 'SIGTERM');
      return status();
    },
  };
}
