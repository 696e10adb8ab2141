import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startDaemon, stopDaemon } from './daemon.ts';
import {
  ensureKafkaJars,
  formatStorage,
  kafkaVersion,
  log4jProperties,
  serverProperties,
} from './kafka-runtime.ts';
import { serviceStatus } from './service-status.ts';
import { hostPort, type LocalService, type ServiceStatus } from './local-service.ts';
import { logFile, pidFile, type ServicePaths } from './service-paths.ts';
import { waitUntil } from '../lib/time.ts';
import { isLoopback } from './tcp-probe.ts';

/** Kafka's heap: bounded, because it shares two cores and the memory with everything else. */
const heap = ['-Xms256m', '-Xmx768m'];

/**
 * True when the cluster at `brokers` answers metadata and can create (and delete) a topic: an open
 * port alone is not ready, since KRaft accepts connections before its controller has a quorum.
 */
export async function kafkaAnswers(brokers: readonly string[]): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'marquee-probe',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0 || cluster.controller === null) return false;
    const topic = `marquee.readiness.${process.pid}.${Date.now()}`;
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    await admin.deleteTopics({ topics: [topic] });
    return true;
  } finally {
    await admin.disconnect();
  }
}

/** Apache Kafka in KRaft mode from Maven Central's jars: one combined broker and controller on loopback. */
export function createKafkaService(brokers: readonly string[], paths: ServicePaths): LocalService {
  const { host, port } = hostPort(brokers[0] ?? '127.0.0.1:9092', 9092);
  const address = `${host}:${port}`;
  const pids = pidFile(paths, 'kafka');
  const status = (): Promise<ServiceStatus> =>
    serviceStatus('kafka', pids, host, port, `started by marquee (Kafka ${kafkaVersion()}, KRaft)`);
  return {
    name: 'kafka',
    status,
    async up(log) {
      if ((await status()).state === 'stopped') {
        if (!isLoopback(host))
          throw new Error(`kafka: nothing answers at ${address} and it is not loopback: fix KAFKA_BROKERS`);
        const version = kafkaVersion();
        const libsDir = join(paths.kafka, version, 'libs');
        ensureKafkaJars(libsDir, log);
        const dataDir = join(paths.kafka, `data-${port}`);
        const propertiesFile = join(paths.kafka, `server-${port}.properties`);
        const log4jFile = join(paths.kafka, 'log4j.properties');
        mkdirSync(dataDir, { recursive: true });
        writeFileSync(propertiesFile, serverProperties(host, port, dataDir));
        writeFileSync(log4jFile, log4jProperties);
        formatStorage(libsDir, propertiesFile, dataDir, log);
        log(`kafka: starting Kafka ${version} on ${address}`);
        startDaemon({
          command: 'java',
          args: [
            ...heap,
            '-XX:+UseG1GC',
            '-Djava.awt.headless=true',
            `-Dlog4j.configuration=file:${log4jFile}`,
            '-cp',
            `${libsDir}/*`,
            'kafka.Kafka',
            propertiesFile,
          ],
          logFile: logFile(paths, 'kafka'),
          pidFile: pids,
        });
      }
      const ready = await waitUntil(() => kafkaAnswers(brokers), 90_000, 500);
      if (!ready.ok)
        throw new Error(
          `kafka: not ready at ${address} (${ready.lastError ?? 'timeout'}); see ${logFile(paths, 'kafka')}`,
        );
      return status();
    },
    async down() {
      await stopDaemon(pids, 'SIGTERM', 30_000);
      return status();
    },
  };
}
