/**
 * The one place a Redis client is built from the config: one Redis at REDIS_URL (the default), or
 * ioredis's Cluster client over REDIS_CLUSTER_NODES (docs/scaling.md). Both are handed around as
 * `Redis`: the Cluster client speaks the same commands, routing each by its key's slot. What differs
 * is made to work here, so callers need not care:
 * - a pipeline must stay on one node in ioredis's Cluster; ours read many actors (each on its own
 *   slot) in one round trip, so a cluster client's `pipeline()` sends each queued command at once
 *   and lets auto-pipelining batch them per node (same replies, same order); MULTI stays the real one;
 * - multi-key commands and scripts must stay on one slot: the stream's commit uses the cluster
 *   protocol (src/state/cluster/), and the other scripts and MULTIs touch one key or one hash tag.
 */
import { Cluster, Redis, type ChainableCommander, type RedisOptions } from 'ioredis';
import type { Config } from '../../config/load-config.ts';

/** True for a Redis Cluster client (built by {@link createRedisClient} from REDIS_CLUSTER_NODES). */
export function isClusterClient(redis: Redis | Cluster): redis is Cluster {
  return redis instanceof Cluster;
}

/** The seed nodes as ioredis takes them. */
export function seedNodes(nodes: readonly string[]): { host: string; port: number }[] {
  return nodes.map((n) => {
    const at = n.lastIndexOf(':');
    return { host: n.slice(0, at), port: Number(n.slice(at + 1)) };
  });
}

type Call = (...args: unknown[]) => Promise<unknown>;

/**
 * A pipeline look-alike over a cluster client: every queued command is sent at once (auto-pipelining
 * groups the commands of one event-loop turn per node); `exec` gathers the replies in order as
 * `[error, result]` pairs, like a pipeline's.
 */
function spreadPipeline(cluster: Cluster): ChainableCommander {
  const replies: Promise<[Error | null, unknown]>[] = [];
  const commands = cluster as unknown as Record<string, Call>;
  const self: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_target, name) {
      if (name === 'exec') return () => Promise.all(replies);
      if (name === 'length') return replies.length;
      if (typeof name !== 'string' || typeof commands[name] !== 'function') return undefined;
      return (...args: unknown[]) => {
        replies.push(
          (commands[name] as Call).apply(cluster, args).then(
            (result): [Error | null, unknown] => [null, result],
            (error: unknown): [Error | null, unknown] => [
              error instanceof Error ? error : new Error(String(error)),
              null,
            ],
          ),
        );
        return self;
      };
    },
  });
  return self;
}

/**
 * A client for `config` (`config.redis.clusterNodes` set: a Cluster client). `options` apply to each
 * node's connection; a cluster client retries a command through failovers and redirections.
 */
export function createRedisClient(config: Pick<Config, 'redis'>, options: RedisOptions = {}): Redis {
  const nodes = config.redis.clusterNodes;
  if (nodes === undefined) return new Redis(config.redis.url, options);
  const password = config.redis.clusterPassword;
  const cluster = new Cluster(seedNodes(nodes), {
    // Every node asks for the same password (docs/scaling.md); a node without one ignores it.
    redisOptions: password === undefined ? options : { password, ...options },
    enableAutoPipelining: true,
    ...(options.maxRetriesPerRequest !== undefined && { maxRedirections: 16 }),
    // A master that died (no replica here) is down until it restarts: keep asking, the callers back off.
    clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
  });
  // A proxy, not a patched instance: ioredis's own auto-pipelining calls `pipeline()` on the client
  // and must get a real one. Methods are bound to the client, so internal calls never see the proxy.
  const client = new Proxy(cluster, {
    get(target, name) {
      if (name === 'pipeline') return () => spreadPipeline(target);
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? (value as Call).bind(target) : value;
    },
  });
  return client as unknown as Redis;
}

/** Runs `work` on every master of a cluster client, or once on a single Redis (scans, flushes). */
export async function forEachMaster(redis: Redis, work: (node: Redis) => Promise<void>): Promise<void> {
  const client: Redis | Cluster = redis;
  if (!(client instanceof Cluster)) return work(redis);
  const cluster = client as Cluster;
  // A client made a moment ago knows no nodes until it has read the slot map.
  if (cluster.status !== 'ready')
    await new Promise<void>((resolve, reject) => {
      cluster.once('ready', resolve);
      cluster.once('end', () => reject(new Error('redis cluster: connection ended before it was ready')));
    });
  await Promise.all(cluster.nodes('master').map(work));
}
