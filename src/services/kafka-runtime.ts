import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasExecutable } from './debian-packages.ts';
import type { ServiceLog } from './local-service.ts';

/** The pom that pins the Kafka version; kept in the repo so the version is reviewed like code. */
export const kafkaPom = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'scripts',
  'kafka',
  'pom.xml',
);

/** The Kafka version the pom pins. */
export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(kafkaPom, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`kafka: no <kafka.version> in ${kafkaPom}`);
  return match[1];
}

/**
 * Copies Kafka's jars from Maven Central into `libsDir` once; a marker file records a complete copy so
 * an interrupted download is redone rather than half-used.
 */
export function ensureKafkaJars(libsDir: string, log: ServiceLog): void {
  const marker = join(libsDir, '.complete');
  if (existsSync(marker)) return;
  for (const tool of ['java', 'mvn']) {
    if (!hasExecutable(tool))
      throw new Error(
        `kafka: ${tool} is not installed (Java 17 and Maven are needed to run Kafka without Docker)`,
      );
  }
  mkdirSync(libsDir, { recursive: true });
  log(`kafka: fetching Kafka ${kafkaVersion()} jars from Maven Central into ${libsDir}`);
  const result = spawnSync(
    'mvn',
    ['-q', '-B', '-f', kafkaPom, 'dependency:copy-dependencies', `-DoutputDirectory=${libsDir}`],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0)
    throw new Error(
      `kafka: mvn dependency:copy-dependencies failed:\n${(result.stdout + result.stderr).slice(-2000)}`,
    );
  writeFileSync(marker, new Date().toISOString());
}

/** A Kafka cluster id: 16 random bytes, base64url without padding, as `kafka-storage random-uuid` makes. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** server.properties for one combined broker/controller in KRaft mode on loopback. */
export function serverProperties(host: string, port: number, dataDir: string): string {
  const controllerPort = port + 1;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

/** reload4j settings: Kafka's own INFO lines to stdout (the service log), chatty internals at WARN. */
export const log4jProperties = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.org.apache.kafka=WARN',
  'log4j.logger.kafka.log=WARN',
  'log4j.logger.state.change.logger=WARN',
  '',
].join('\n');

/** Formats the KRaft storage once (StorageTool refuses to format twice, so we check first). */
export function formatStorage(
  libsDir: string,
  propertiesFile: string,
  dataDir: string,
  log: ServiceLog,
): void {
  if (existsSync(join(dataDir, 'meta.properties'))) return;
  log(`kafka: formatting storage in ${dataDir}`);
  const result = spawnSync(
    'java',
    ['-cp', `${libsDir}/*`, 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', propertiesFile],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0)
    throw new Error(`kafka: storage format failed:\n${(result.stdout + result.stderr).slice(-2000)}`);
}
