import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Config } from '../config/load-config.ts';

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
