import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Config } from '../config/load-config.ts';

// Every producer here uses kafkajs 2's default (Java-compatible murmur2) partitioner on purpose;
// its one-time notice about the v1 → v2 change is noise in every role's output.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/**
 * The kafkajs client for one role. kafkajs logs reconnect noise at ERROR while a broker restarts;
 * we pass warnings and errors through with the role's name so they are attributable.
 */
export function createKafka(config: Config, role: string): Kafka {
  return new Kafka({
    clientId: `${config.kafka.clientId}-${role}`,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        if (level > logLevel.WARN) return;
        process.stderr.write(`[kafka ${role}] ${log.message}\n`);
      },
  });
}
