import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { newPassword } from '../../config/service-secrets.ts';
import { ownConnection, queuePrefix } from '../jobs/queue-connection.ts';
import { Queue } from 'bullmq';
import { createRedisClient } from '../store/redis-client.ts';
import { runningDaemon } from './daemon.ts';
import { clusterHealthy, ensureRedisCluster, stopClusterNode } from './redis-cluster-service.ts';
import { pidFile, servicePaths } from './service-paths.ts';

/**
 * A cluster of this file's own (three masters on 7021-7023, a temporary home): first started without
 * a password, as the previous session left the local one, then brought to the single Redis's password.
 */
const home = mkdtempSync(join(tmpdir(), 'marquee-cluster-credentials-'));
const paths = servicePaths(home);
const nodes = ['127.0.0.1:7021', '127.0.0.1:7022', '127.0.0.1:7023'];
const password = newPassword();
const lines: string[] = [];
const log = (line: string) => void lines.push(line);
const config = loadConfig(
  { REDIS_CLUSTER_NODES: nodes.join(','), REDIS_PASSWORD: password, REDIS_KEY_PREFIX: 'cred:' },
  { serviceSecrets: () => ({}) },
);

afterAll(async () => {
  for (const address of nodes) await stopClusterNode(address, paths, 'SIGTERM');
  rmSync(home, { recursive: true, force: true });
}, 60_000);

/** GET `key` on node `address` as a plain client, with or without a password. */
async function nodeGet(address: string, key: string, auth?: string): Promise<string | null> {
  const client = new Redis(`redis://${address}`, {
    ...(auth !== undefined && { password: auth }),
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.get(key);
  } finally {
    client.disconnect();
  }
}

describe('the local Redis Cluster with a password', () => {
  it('takes REDIS_PASSWORD at its next start, and every cluster client (roles, BullMQ) sends it', async () => {
    await ensureRedisCluster(nodes, paths, log);
    const before = nodes.map((a) => runningDaemon(pidFile(paths, `redis-cluster-${a.split(':')[1]}`))?.pid);

    // Running without a password: reused as it is (no restart), said so; clients that send one still work.
    await ensureRedisCluster(nodes, paths, log, password);
    expect(nodes.map((a) => runningDaemon(pidFile(paths, `redis-cluster-${a.split(':')[1]}`))?.pid)).toEqual(
      before,
    );
    expect(lines.join('\n')).toMatch(/run without a password; each takes the password at its next start/);
    const open = createRedisClient(config, { maxRetriesPerRequest: 1 });
    await open.set('cred:{a}', 'kept');
    open.disconnect();

    // The next start takes it, from a file only the owner reads, never from the command line.
    for (const address of nodes) await stopClusterNode(address, paths, 'SIGTERM');
    await ensureRedisCluster(nodes, paths, log, password);
    expect(await clusterHealthy(nodes)).toBe(false);
    expect(await clusterHealthy(nodes, password)).toBe(true);
    for (const address of nodes) {
      const port = address.split(':')[1] as string;
      await expect(nodeGet(address, 'cred:x')).rejects.toThrow(/NOAUTH/);
      const conf = join(paths.home, 'redis-cluster', port, 'password.conf');
      expect(statSync(conf).mode & 0o777).toBe(0o600);
      expect(readFileSync(conf, 'utf8')).toContain(`masterauth "${password}"`);
      const pid = runningDaemon(pidFile(paths, `redis-cluster-${port}`))?.pid;
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(password);
    }

    // The roles' client: keys on every master, the data kept across the restart (append-only file).
    const redis = createRedisClient(config, { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.get('cred:{a}')).toBe('kept');
      const keys = Array.from({ length: 30 }, (_, k) => `cred:{k${k}}`);
      for (const key of keys) await redis.set(key, key);
      expect(await Promise.all(keys.map((key) => redis.get(key)))).toEqual(keys);
    } finally {
      redis.disconnect();
    }

    // BullMQ's connection: a queue adds and counts a job on the hash-tagged prefix.
    const queue = ownConnection(
      config,
      (connection) => new Queue('cred', { connection, prefix: queuePrefix(config) }),
    );
    try {
      await queue.add('job', { n: 1 });
      expect(await queue.getWaitingCount()).toBe(1);
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  }, 120_000);
});
