import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import type { Config } from '../config/load-config.ts';

/** The topics of DESIGN.md, by role; names come from config (MOVIELOG_TOPIC, TOPIC_PREFIX). */
export interface Topics {
  /** Raw course lines, as the course writes them. */
  readonly movielog: string;
  /** Typed user events (rate, watch, served), keyed by user id. */
  readonly userEvents: string;
  /** Rating updates and watch counts for movie actors, keyed by movie id. */
  readonly movieEvents: string;
  /** Lists the API served, keyed by user id. */
  readonly served: string;
  /** Lines and events that could not be processed, with the reason and source offset. */
  readonly deadLetter: string;
}

/** The dead-letter topic's message size limit: room for any line the broker accepted, escaped. */
export const DEAD_LETTER_MAX_BYTES = 8 * 1024 * 1024;

/** Topic names for a config. */
export function topicNames(config: Config): Topics {
  const p = config.kafka.topicPrefix;
  return {
    movielog: config.kafka.movielogTopic,
    userEvents: `${p}user-events`,
    movieEvents: `${p}movie-events`,
    served: `${p}served`,
    deadLetter: `${p}dlq`,
  };
}

/**
 * Creates the topics that do not exist yet, with KAFKA_PARTITIONS partitions, and waits for their
 * leaders. Existing topics are left as they are (their partition count is not changed: that would
 * move keys between partitions and break per-key order).
 */
export async function ensureTopics(
  admin: Admin,
  config: Config,
  names: readonly string[] = Object.values(topicNames(config)),
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = names.filter((name) => !existing.has(name));
  const deadLetter = topicNames(config).deadLetter;
  if (existing.has(deadLetter) && names.includes(deadLetter)) await raiseDeadLetterLimit(admin, deadLetter);
  if (missing.length === 0) return [];
  await admin.createTopics({
    topics: missing.map((topic) => ({
      topic,
      numPartitions: config.kafka.partitions,
      replicationFactor: 1,
      // A dead letter carries the whole original line, JSON-escaped or base64: up to ~2× a 1 MiB line.
      ...(topic === deadLetter
        ? { configEntries: [{ name: 'max.message.bytes', value: String(DEAD_LETTER_MAX_BYTES) }] }
        : {}),
    })),
    waitForLeaders: true,
  });
  return missing;
}

// kafkajs is CommonJS and Node's ESM loader cannot see this enum as a named export (tsx and vitest can).
const { ConfigResourceTypes } = kafkajs;

/**
 * A dead-letter topic created before it was given room for whole lines (or by hand) keeps Kafka's
 * 1 MB record limit, and a long bad line would then fail ingest's transaction: raise it.
 */
async function raiseDeadLetterLimit(admin: Admin, topic: string): Promise<void> {
  const name = 'max.message.bytes';
  const { resources } = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    includeSynonyms: false,
  });
  const entries = resources[0]?.configEntries ?? [];
  const current = Number(entries.find((e) => e.configName === name)?.configValue);
  if (current >= DEAD_LETTER_MAX_BYTES) return;
  // Kafka's AlterConfigs replaces the topic's whole set of overrides: send the others back with ours.
  const overrides = entries
    .filter((e) => !e.isDefault && !e.readOnly && !e.isSensitive && e.configName !== name)
    .map((e) => ({ name: e.configName, value: e.configValue }));
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: [...overrides, { name, value: String(DEAD_LETTER_MAX_BYTES) }],
      },
    ],
  });
}

/** Connects an admin client, ensures the topics, disconnects: what every role does at start. */
export async function prepareTopics(kafka: Kafka, config: Config): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, config);
  } finally {
    await admin.disconnect();
  }
}
