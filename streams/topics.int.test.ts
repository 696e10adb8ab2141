import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../test/isolation.ts';
import { ConfigResourceTypes } from 'kafkajs';
import { DEAD_LETTER_MAX_BYTES, ensureTopics, topicNames } from './topics.ts';

const scope = createTestScope('topics');
const config = {
  ...scope.config,
  kafka: { ...scope.config.kafka, movielogTopic: `${scope.config.kafka.topicPrefix}movielog`, partitions: 3 },
};
const names = topicNames(config);
const admin = scope.kafka.admin();
afterAll(async () => {
  const existing = new Set(await admin.listTopics());
  await admin.deleteTopics({ topics: Object.values(names).filter((t) => existing.has(t)) });
  await admin.disconnect();
  await scope.cleanup();
});

async function deadLetterLimit(): Promise<number> {
  const { resources } = await admin.describeConfigs({
    resources: [
      { type: ConfigResourceTypes.TOPIC, name: names.deadLetter, configNames: ['max.message.bytes'] },
    ],
    includeSynonyms: false,
  });
  return Number(resources[0]?.configEntries[0]?.configValue);
}

describe('ensureTopics', () => {
  it('creates every missing topic with the configured partitions, once', async () => {
    await admin.connect();
    const created = await ensureTopics(admin, config);
    expect(created.sort()).toEqual(Object.values(names).sort());
    expect(await ensureTopics(admin, config)).toEqual([]);
    const metadata = await admin.fetchTopicMetadata({ topics: [names.userEvents] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
    expect(await deadLetterLimit()).toBe(DEAD_LETTER_MAX_BYTES);
  });

  it('raises the record limit of a dead-letter topic created without it', async () => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: names.deadLetter,
          configEntries: [
            { name: 'max.message.bytes', value: '1048588' },
            { name: 'retention.ms', value: '-1' },
          ],
        },
      ],
    });
    // KRaft applies a config change through its metadata log: the broker may answer the old value
    // for a moment (seen under load), so wait for each change to show before the next step.
    await expect.poll(deadLetterLimit, { timeout: 15_000 }).toBe(1048588);
    expect(await ensureTopics(admin, config)).toEqual([]);
    await expect.poll(deadLetterLimit, { timeout: 15_000 }).toBe(DEAD_LETTER_MAX_BYTES);
    // The topic's other overrides survive (Kafka's AlterConfigs replaces the whole set).
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: names.deadLetter, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(resources[0]?.configEntries[0]?.configValue).toBe('-1');
  });
});
