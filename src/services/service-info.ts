import { createRedisClient } from '../store/redis-client.ts';
import { Kafka, logLevel } from 'kafkajs';
import type { Config } from '../../config/load-config.ts';
import { createPool } from '../store/postgres/pool.ts';

/** One line per service saying what answers there: versions, sizes, counts. */
export async function describeServices(config: Config): Promise<string[]> {
  const kafka = new Kafka({
    clientId: `${config.kafka.clientId}-info`,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const redis = createRedisClient(config, { maxRetriesPerRequest: 1 });
  const pool = createPool(config.postgres, 1);
  try {
    await admin.connect();
    const [cluster, topics, info, version, tables] = await Promise.all([
      admin.describeCluster(),
      admin.listTopics(),
      redis.info('server'),
      pool.query<{ server_version: string }>('SHOW server_version'),
      pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'pgmigrations'`,
        [config.postgres.schema],
      ),
    ]);
    const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const own = topics.filter((t) => !t.startsWith('__'));
    return [
      `kafka     ${cluster.brokers.length} broker(s), controller ${cluster.controller ?? 'none'}, ${own.length} topic(s) at ${config.kafka.brokers.join(',')}`,
      `redis     ${redisVersion}, ${await redis.dbsize()} key(s) at ${config.redis.url}`,
      `postgres  ${version.rows[0]?.server_version ?? 'unknown'}, schema ${config.postgres.schema} with ${tables.rows[0]?.n ?? 0} table(s)`,
    ];
  } finally {
    await admin.disconnect();
    redis.disconnect();
    await pool.end();
  }
}
