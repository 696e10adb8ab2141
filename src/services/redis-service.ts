import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startDaemon, stopDaemon } from './daemon.ts';
import { hasExecutable, installDebianPackages } from './debian-packages.ts';
import { serviceStatus } from './service-status.ts';
import { hostPort, type LocalService, type ServiceStatus } from './local-service.ts';
import { logFile, pidFile, type ServicePaths } from './service-paths.ts';
import { waitUntil } from '../lib/time.ts';
import { isLoopback } from './tcp-probe.ts';

/** True when Redis at `url` answers PING. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    client.disconnect();
  }
}

/**
 * What makes Marquee's Redis durable: an append-only file fsynced every second (a crash loses at
 * most about a second of writes, which the stream replays from Kafka), and no eviction — actor
 * state, offsets and BullMQ's queues must never vanish to make room (a full Redis refuses writes
 * instead: the stream stops committing, the API answers from its fallback).
 */
export const REDIS_DURABILITY = {
  appendonly: 'yes',
  appendfsync: 'everysec',
  'maxmemory-policy': 'noeviction',
} as const;

/** Turns on {@link REDIS_DURABILITY} in a running Redis (one started before it was the default). */
export async function makeRedisDurable(url: string): Promise<string[]> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  const changed: string[] = [];
  try {
    await client.connect();
    for (const [name, value] of Object.entries(REDIS_DURABILITY)) {
      const [, current] = (await client.config('GET', name)) as [string, string];
      if (current === value) continue;
      await client.config('SET', name, value);
      changed.push(`${name} ${value}`);
    }
    return changed;
  } finally {
    client.disconnect();
  }
}

/** True when Redis at `url` (its host and port) answers a command without a password. */
async function openToAnyone(url: string): Promise<boolean> {
  const bare = new URL(url);
  bare.password = '';
  bare.username = '';
  const client = new Redis(bare.toString(), {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Redis from Debian's redis-server, in the foreground of a detached process, with the append-only
 * file in `$MARQUEE_HOME/redis` ({@link REDIS_DURABILITY}): Redis holds the stream's offsets and
 * every actor's state, so a restart must find them again. When the URL names a password, Redis
 * starts with it as `requirepass`, from a config file only the owner can read (a command-line
 * argument would show in `ps`). A Redis of ours already running without one is reused as it is —
 * clients that send a password to it still work — and takes the password at its next start.
 */
export function createRedisService(url: string, paths: ServicePaths): LocalService {
  const { host, port } = hostPort(url, 6379);
  const address = `${host}:${port}`;
  const pids = pidFile(paths, 'redis');
  const password = decodeURIComponent(new URL(url).password);
  const status = (): Promise<ServiceStatus> => serviceStatus('redis', pids, host, port, 'started by marquee');
  return {
    name: 'redis',
    status,
    async up(log) {
      let current = await status();
      if (current.state === 'stopped') {
        if (!isLoopback(host))
          throw new Error(`redis: nothing answers at ${address} and it is not loopback: fix REDIS_URL`);
        if (!hasExecutable('redis-server')) installDebianPackages(['redis-server'], log);
        mkdirSync(paths.redis, { recursive: true });
        log(`redis: starting on ${address}${password === '' ? '' : ' with a password'}`);
        // The config file comes first on redis-server's command line; the rest override it.
        const conf = join(paths.redis, `redis-${port}.conf`);
        const quoted = password.replace(/[\\"]/g, (ch) => `\\${ch}`);
        writeFileSync(conf, password === '' ? '' : `requirepass "${quoted}"\n`, { mode: 0o600 });
        const args = [
          conf,
          '--bind',
          host,
          '--port',
          String(port),
          '--save',
          '',
          ...Object.entries(REDIS_DURABILITY).flatMap(([name, value]) => [`--${name}`, value]),
          '--dir',
          paths.redis,
        ];
        startDaemon({ command: 'redis-server', args, logFile: logFile(paths, 'redis'), pidFile: pids });
        current = await status();
      }
      const ready = await waitUntil(() => redisAnswers(url), 20_000);
      if (!ready.ok)
        throw new Error(
          `redis: no PONG from ${address} (${ready.lastError ?? 'timeout'}); see ${logFile(paths, 'redis')}`,
        );
      // One of ours started without persistence (before it was the default): turn it on in place.
      if (current.state === 'running') {
        const changed = await makeRedisDurable(url);
        if (changed.length > 0) log(`redis: now ${changed.join(', ')}`);
      }
      if (password !== '' && (await openToAnyone(url)))
        log(
          `redis: ${address} runs without a password; it takes the one in its URL at its next start` +
            (current.state === 'running' ? ' (marquee services down, then up)' : ''),
        );
      return current;
    },
    async down() {
      await stopDaemon(pids, 'SIGTERM', 10_000);
      return status();
    },
  };
}
