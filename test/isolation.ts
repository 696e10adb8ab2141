import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type pg from 'pg';
import { loadConfig, type Config } from '../config/load-config.ts';
import { waitUntil } from '../src/lib/time.ts';
import { migrate } from '../src/store/postgres/migrate.ts';
import { createPool } from '../src/store/postgres/pool.ts';
import { createRedisClient, forEachMaster } from '../src/store/redis-client.ts';

/**
 * What one integration test file owns: a config whose topic prefix, Redis key prefix and Postgres
 * schema are unique to it, so files run in parallel, and a cleanup that removes all three.
 */
export interface TestScope {
  readonly id: string;
  readonly config: Config;
  /** The environment that yields `config`: hand it to child processes (`marquee <role>`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly kafka: Kafka;
  /** A consumer group id under this scope's prefix, deleted at cleanup. */
  groupId(name: string): string;
  /** Creates a topic under this scope's prefix and waits for its leaders (removed at cleanup). */
  createTopic(name: string, partitions: number): Promise<string>;
  /** A Redis client; every key this scope writes must start with config.redis.keyPrefix. */
  redis(): Redis;
  /** A pool on this scope's schema, migrated to the newest version. */
  postgres(): Promise<pg.Pool>;
  /** Deletes this scope's topics, keys and schema and closes its clients. */
  cleanup(): Promise<void>;
}

/**
 * A fresh scope for one test file; call `cleanup` in afterAll. `suffix` replaces the random one, for a
 * benchmark that keeps its scope between runs (`bench:retrain --keep`) and must find it again.
 */
export function createTestScope(
  label: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  suffix: string = randomBytes(4).toString('hex'),
): TestScope {
  const id = `${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${suffix.replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
  const scopedEnv = {
    ...env,
    TOPIC_PREFIX: `t.${id}.`,
    MOVIELOG_TOPIC: `t.${id}.movielog`,
    REDIS_KEY_PREFIX: `t:${id}:`,
    DATABASE_SCHEMA: `t_${id}`,
  };
  const config = loadConfig(scopedEnv);
  const kafka = new Kafka({
    clientId: `test-${id}`,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.NOTHING,
  });
  const groups: string[] = [];
  const redisClients: Redis[] = [];
  let admin: Admin | undefined;
  let pool: pg.Pool | undefined;

  const connectedAdmin = async () => {
    if (admin === undefined) {
      admin = kafka.admin();
      await admin.connect();
    }
    return admin;
  };

  return {
    id,
    config,
    env: scopedEnv,
    kafka,
    groupId(name) {
      const group = `${config.kafka.topicPrefix}${name}`;
      groups.push(group);
      return group;
    },
    async createTopic(name, partitions) {
      const topic = `${config.kafka.topicPrefix}${name}`;
      const admin = await connectedAdmin();
      await admin.createTopics({
        topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
        waitForLeaders: false,
      });
      // kafkajs's own wait gives up on "This server does not host this topic-partition", which a
      // loaded broker answers for a moment after creating a topic: poll until every partition has a
      // leader instead.
      const ready = await waitUntil(async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const meta = topics[0]?.partitions ?? [];
        return meta.length === partitions && meta.every((p) => p.leader >= 0);
      }, 30_000);
      if (!ready.ok) throw new Error(`topic ${topic} has no leaders after 30 s: ${ready.lastError ?? ''}`);
      return topic;
    },
    redis() {
      const client = createRedisClient(config, { maxRetriesPerRequest: 1 });
      redisClients.push(client);
      return client;
    },
    async postgres() {
      if (pool === undefined) {
        await migrate(config.postgres.url, config.postgres.schema);
        pool = createPool(config.postgres);
      }
      return pool;
    },
    async cleanup() {
      // Best effort: every step runs even when an earlier one fails; the first failure is rethrown.
      const failures: unknown[] = [];
      const step = async (work: () => Promise<unknown>) => {
        await work().catch((error: unknown) => failures.push(error));
      };
      await step(async () => {
        const admin = await connectedAdmin();
        const existing = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
        for (const group of groups.filter((g) => existing.has(g))) {
          // A member killed a moment ago stays listed until its session times out: retry until empty.
          const deleted = await waitUntil(() => admin.deleteGroups([group]).then(() => true), 20_000, 500);
          // A leftover group holds no data and Kafka expires it; say so rather than fail a passing test.
          if (!deleted.ok)
            console.warn(`test cleanup: consumer group ${group} not deleted: ${deleted.lastError}`);
        }
      });
      // Roles under test create topics themselves (ensureTopics): remove every topic under the prefix.
      await step(async () => {
        const admin = await connectedAdmin();
        const owned = (await admin.listTopics()).filter((t) => t.startsWith(config.kafka.topicPrefix));
        if (owned.length > 0) await admin.deleteTopics({ topics: owned });
      });
      await step(async () => admin?.disconnect());
      await step(async () => {
        const cleaner = createRedisClient(config);
        try {
          // On a cluster, every master holds some of the keys, and one UNLINK may name one slot only.
          await forEachMaster(cleaner, async (node) => {
            let cursor = '0';
            do {
              const [next, keys] = await node.scan(
                cursor,
                'MATCH',
                `${config.redis.keyPrefix}*`,
                'COUNT',
                1000,
              );
              if (keys.length > 0) {
                if (config.redis.clusterNodes === undefined) await node.unlink(...keys);
                else await Promise.all(keys.map((key) => node.unlink(key)));
              }
              cursor = next;
            } while (cursor !== '0');
          });
        } finally {
          cleaner.disconnect();
        }
      });
      for (const client of redisClients) client.disconnect();
      // Child processes given `env` may have created the schema even if this process never did.
      await step(async () => {
        const dropper = pool ?? createPool(config.postgres, 1);
        try {
          await dropper.query(`DROP SCHEMA IF EXISTS "${config.postgres.schema}" CASCADE`);
        } finally {
          await dropper.end();
        }
      });
      if (failures.length > 0) throw failures[0];
    },
  };
}
