import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { describeRetrain } from './demo-model.ts';
import { DEMO_NAMESPACE, demoEnv } from './demo.ts';

describe('marquee demo', () => {
  it('keeps to its own topics, keys, schema and groups unless the environment names them', () => {
    const config = loadConfig(demoEnv({ REDIS_KEY_PREFIX: 't:mine:', TOPIC_PREFIX: '  ' }));
    expect(config.kafka.topicPrefix).toBe(DEMO_NAMESPACE.TOPIC_PREFIX);
    expect(config.kafka.movielogTopic).toBe(DEMO_NAMESPACE.MOVIELOG_TOPIC);
    expect(config.kafka.clientId).toBe(DEMO_NAMESPACE.KAFKA_CLIENT_ID);
    expect(config.postgres.schema).toBe(DEMO_NAMESPACE.DATABASE_SCHEMA);
    expect(config.redis.keyPrefix).toBe('t:mine:');
    // A deployment's defaults and the demo's never overlap.
    const deployment = loadConfig({});
    expect(config.kafka.topicPrefix).not.toBe(deployment.kafka.topicPrefix);
    expect(DEMO_NAMESPACE.REDIS_KEY_PREFIX.startsWith(deployment.redis.keyPrefix)).toBe(false);
    expect(config.postgres.schema).not.toBe(deployment.postgres.schema);
  });

  it("reads and writes the movielog under the user's own topic prefix, not the shared demo log", () => {
    const config = loadConfig(demoEnv({ TOPIC_PREFIX: 'uw.' }));
    expect(config.kafka.topicPrefix).toBe('uw.');
    expect(config.kafka.movielogTopic).toBe('uw.movielog');
    expect(
      loadConfig(demoEnv({ TOPIC_PREFIX: 'uw.', MOVIELOG_TOPIC: 'movielog15' })).kafka.movielogTopic,
    ).toBe('movielog15');
  });

  it('says what a retrain published, what it cost, and why the gate let it through', () => {
    expect(
      describeRetrain({
        version: '3',
        status: 'active',
        ratingsUsed: 8_063,
        timings: { read: 0.1, train: 0.62, refit: 0.7 },
        reason: 'no active model to compare with',
      }),
    ).toEqual([
      'published model 3: trained on 8063 ratings in 1.42 s (read 0.1, train 0.6, refit 0.7)',
      'gate: no active model to compare with',
    ]);
    expect(
      describeRetrain({ version: '4', status: 'rejected', ratingsUsed: 10, timings: {}, reason: 'worse' })[0],
    ).toBe('model 4 was NOT published: the gate rejected it');
  });
});
