/**
 * The Redis Cluster the cluster tests run against: the local 3-master cluster the global setup brings
 * up (`marquee services up --with redis-cluster`), or another started by a test that needs its own
 * (to kill one of its masters).
 */
import { loadConfig } from '../../config/load-config.ts';
import { ensureRedisCluster, LOCAL_CLUSTER_NODES } from '../../src/services/redis-cluster-service.ts';
import { servicePaths, type ServicePaths } from '../../src/services/service-paths.ts';

/** The cluster the global setup starts. */
export const TEST_CLUSTER_NODES: readonly string[] = LOCAL_CLUSTER_NODES;

/** The environment of a process that uses the cluster at `nodes`. */
export function clusterEnv(nodes: readonly string[]): Record<string, string | undefined> {
  return { ...process.env, REDIS_CLUSTER_NODES: nodes.join(',') };
}

/** Where `marquee services` keeps the cluster nodes' files (MARQUEE_HOME). */
export function clusterPaths(): ServicePaths {
  return servicePaths(loadConfig(process.env).home);
}

/** The nodes' password, as every role reads it (REDIS_PASSWORD, else `$MARQUEE_HOME/secrets.env`). */
export function clusterPassword(): string | undefined {
  return loadConfig(process.env).redis.clusterPassword;
}

/** Brings the cluster at `nodes` up with the nodes' password (idempotent: a healthy cluster is reused). */
export function ensureTestCluster(nodes: readonly string[]): Promise<void> {
  return ensureRedisCluster(nodes, clusterPaths(), () => undefined, clusterPassword());
}
