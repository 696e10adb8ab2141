/**
 * Kafka, Redis and Postgres of one's own, on free loopback ports with their own data directories,
 * for runs that kill services (the chaos suite): the shared services are never touched. Kafka's jars
 * are linked from the configured MARQUEE_HOME (fetched once by `marquee services up`).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newPassword } from '../../config/service-secrets.ts';
import { createKafkaService } from '../../src/services/kafka-service.ts';
import { kafkaVersion } from '../../src/services/kafka-runtime.ts';
import type { LocalService } from '../../src/services/local-service.ts';
import { createPostgresService } from '../../src/services/postgres-service.ts';
import { createRedisService } from '../../src/services/redis-service.ts';
import { servicePaths, type ServicePaths } from '../../src/services/service-paths.ts';
import { runningDaemon } from '../../src/services/daemon.ts';
import { pidFile } from '../../src/services/service-paths.ts';

/** Which of the three. */
export type ServiceName = 'kafka' | 'redis' | 'postgres';

/** Private services and the environment that points Marquee at them. */
export interface PrivateServices {
  /** KAFKA_BROKERS, REDIS_URL, DATABASE_URL (and MARQUEE_HOME) for these services. */
  readonly env: Readonly<Record<string, string>>;
  readonly paths: ServicePaths;
  /** Starts (or restarts) one service and waits until it answers. */
  up(name: ServiceName): Promise<void>;
  /** SIGKILLs one service's whole process group (no clean shutdown). */
  kill(name: ServiceName): void;
  /** Stops all three and deletes their files. */
  remove(): Promise<void>;
}

/** A loopback port nothing listens on now (with `pair`, the next one is free too: Kafka's controller). */
export async function freePort(pair = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    if (!pair) return port;
    const next = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      next.once('error', () => resolve(false));
      next.listen(port + 1, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      await new Promise((resolve) => next.close(resolve));
      return port;
    }
  }
  throw new Error('no two free consecutive loopback ports');
}

/** Starts private Kafka, Redis and Postgres; `sharedHome` is where Kafka's jars already are. */
export async function startPrivateServices(sharedHome: string): Promise<PrivateServices> {
  const home = mkdtempSync(join(tmpdir(), 'marquee-private-'));
  const root = process.getuid?.() === 0;
  const paths: ServicePaths = {
    ...servicePaths(home),
    // As root, Postgres's files must be where the `postgres` user can enter (not under /tmp/…0700).
    postgres: root ? join('/var/lib/marquee', home.split('/').pop() as string) : join(home, 'postgres'),
  };
  const version = kafkaVersion();
  mkdirSync(join(paths.kafka, version), { recursive: true });
  symlinkSync(join(sharedHome, 'kafka', version, 'libs'), join(paths.kafka, version, 'libs'));
  const [kafkaPort, redisPort, postgresPort] = [await freePort(true), await freePort(), await freePort()];
  // With passwords, as `marquee services up` starts them: the suite runs against credentials too.
  const env = {
    MARQUEE_HOME: home,
    KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
    REDIS_URL: `redis://:${newPassword()}@127.0.0.1:${redisPort}`,
    DATABASE_URL: `postgres://postgres:${newPassword()}@127.0.0.1:${postgresPort}/marquee`,
  };
  const services: Record<ServiceName, LocalService> = {
    kafka: createKafkaService([env.KAFKA_BROKERS], paths),
    redis: createRedisService(env.REDIS_URL, paths),
    postgres: createPostgresService(env.DATABASE_URL, paths),
  };
  const quiet = () => undefined;
  const self: PrivateServices = {
    env,
    paths,
    async up(name) {
      await services[name].up(quiet);
    },
    kill(name) {
      const record = runningDaemon(pidFile(paths, name));
      if (record === undefined) throw new Error(`${name} is not running`);
      process.kill(-record.pid, 'SIGKILL');
    },
    async remove() {
      await Promise.all(Object.values(services).map((s) => s.down().catch(() => undefined)));
      rmSync(home, { recursive: true, force: true });
      if (root) rmSync(paths.postgres, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all((['kafka', 'redis', 'postgres'] as const).map((name) => self.up(name)));
  } catch (error) {
    await self.remove();
    throw error;
  }
  return self;
}
