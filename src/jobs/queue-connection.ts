/**
 * How BullMQ reaches Redis: the queues' key prefix and connection for one Redis or Redis Cluster,
 * and who closes a cluster connection (every queue, queue-events and worker is built through
 * {@link ownConnection}).
 */
import type { ConnectionOptions } from 'bullmq';
import { Cluster } from 'ioredis';
import type { Config } from '../../config/load-config.ts';
import { seedNodes } from '../store/redis-client.ts';

/**
 * BullMQ's key prefix for this deployment: every queue key starts with REDIS_KEY_PREFIX. On Redis
 * Cluster the prefix is a hash tag (`mq:{bull}`), so all of a queue's keys share one slot: BullMQ's
 * scripts touch several of them at once.
 */
export function queuePrefix(config: Config): string {
  return config.redis.clusterNodes === undefined
    ? `${config.redis.keyPrefix}bull`
    : `${config.redis.keyPrefix}{bull}`;
}

/**
 * BullMQ's connection options for `config`'s Redis URL. Options rather than a client, so BullMQ owns
 * (and closes) its connections; a worker blocks on its own, which must never time out commands. On
 * Redis Cluster, a Cluster client of its own with the nodes' password (BullMQ takes a cluster only as
 * a client; a worker duplicates it for its blocking connection), which BullMQ leaves open: build
 * through {@link ownConnection}, which closes it.
 */
function queueConnection(config: Config): ConnectionOptions {
  const nodes = config.redis.clusterNodes;
  if (nodes !== undefined) {
    const password = config.redis.clusterPassword;
    return new Cluster(seedNodes(nodes), {
      redisOptions: { maxRetriesPerRequest: null, ...(password !== undefined && { password }) },
    });
  }
  const url = new URL(config.redis.url);
  const db = Number(url.pathname.replace(/^\//, '') || 0);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username !== '' && { username: decodeURIComponent(url.username) }),
    ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
    ...(Number.isInteger(db) && db > 0 && { db }),
    ...(url.protocol === 'rediss:' && { tls: {} }),
    maxRetriesPerRequest: null,
  };
}

/**
 * Builds a BullMQ queue, queue-events or worker on {@link queueConnection}. BullMQ treats a client it
 * is handed as shared and never closes it, so on Redis Cluster the object's `close` is made to end its
 * cluster client too: otherwise a process that closed every queue keeps running (`marquee retrain
 * --wait` never exited, nor `marquee worker` on SIGTERM). One Redis: BullMQ owns its connections.
 */
export function ownConnection<T extends { close(...args: never[]): Promise<void> }>(
  config: Config,
  build: (connection: ConnectionOptions) => T,
): T {
  const connection = queueConnection(config);
  let built: T;
  try {
    built = build(connection);
  } catch (error) {
    if (connection instanceof Cluster) connection.disconnect();
    throw error;
  }
  if (connection instanceof Cluster) {
    const close = built.close.bind(built) as (...args: unknown[]) => Promise<void>;
    Object.assign(built, {
      close: async (...args: unknown[]) => {
        try {
          await close(...args);
        } finally {
          connection.disconnect();
        }
      },
    });
  }
  return built;
}
