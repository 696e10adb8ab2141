import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Config } from '../config/load-config.ts';

// Every producer here uses kafkajs 2's default (Java-compatible murmur2) partitioner on purpose;
// its one-time notice about the v1 → v2 change is noise in every role's output.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/**
 * Broker answers that kafkajs handles by itself and that are part of normal life: a transaction
 * started right after the previous commit, before the coordinator has written its markers; a
 * coordinator still loading after a broker start; a consumer group rebalancing as members join or
 * leave; roles starting together and creating the same topics (kafkajs returns quietly when every error is "already exists"). kafkajs logs each at ERROR
 * before it retries; if the retries run out or the error is real, it reaches the role's own code,
 * which reports it.
 */
const RETRIED_RACES = [
  'another concurrent operation on the same transaction was ongoing', // CONCURRENT_TRANSACTIONS
  'The coordinator is loading', // COORDINATOR_LOAD_IN_PROGRESS
  'This is not the correct coordinator', // NOT_COORDINATOR
  'Response CreateTopics', // TOPIC_ALREADY_EXISTS among others: ensureTopics' caller sees a real failure
  'The group is rebalancing', // REBALANCE_IN_PROGRESS: a consumer joined or left; kafkajs re-joins
];

/**
 * The line a kafkajs log entry prints as, or null when it is not worth a line: below WARN, or a
 * retried race (RETRIED_RACES). The broker's error, which kafkajs keeps beside the message (e.g.
 * "Response InitProducerId(key: 22, version: 1)"), is appended.
 */
export function kafkaLogLine(role: string, entry: Pick<LogEntry, 'level' | 'log'>): string | null {
  if (entry.level > logLevel.WARN) return null;
  const { message, error } = entry.log as { message: string; error?: unknown };
  const cause = error instanceof Error ? error.message : error;
  const text = typeof cause === 'string' && !message.includes(cause) ? `${message}: ${cause}` : message;
  if (RETRIED_RACES.some((race) => text.includes(race))) return null;
  return `[kafka ${role}] ${text}\n`;
}

/**
 * The kafkajs client for one role. kafkajs logs reconnect noise at ERROR while a broker restarts;
 * we pass warnings and errors through with the role's name so they are attributable.
 */
export function createKafka(config: Config, role: string): Kafka {
  return new Kafka({
    clientId: `${config.kafka.clientId}-${role}`,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const line = kafkaLogLine(role, entry);
      if (line !== null) process.stderr.write(line);
    },
  });
}
