import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';

const scope = createTestScope('kafka');
afterAll(() => scope.cleanup());

describe('the local Kafka broker', () => {
  it('delivers every message of a two-partition topic to a consumer group, in order per partition', async () => {
    const topic = await scope.createTopic('two-partitions', 2);
    const producer = scope.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = Array.from({ length: 40 }, (_, n) => ({ key: `user-${n % 10}`, value: String(n) }));
    await producer.send({ topic, messages });
    await producer.disconnect();

    const groupId = scope.groupId('group');
    const received = new Map<number, number[]>();
    const members = [0, 1].map(() =>
      scope.kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 }),
    );
    let total = 0;
    const done = new Promise<void>((resolve) => {
      for (const consumer of members) {
        void (async () => {
          await consumer.connect();
          await consumer.subscribe({ topic, fromBeginning: true });
          await consumer.run({
            eachMessage: async ({ partition, message }) => {
              received.set(partition, [
                ...(received.get(partition) ?? []),
                Number(message.value?.toString()),
              ]);
              total += 1;
              if (total === messages.length) resolve();
            },
          });
        })();
      }
    });
    await done;
    await Promise.all(members.map((c) => c.disconnect()));

    expect([...received.keys()].sort()).toEqual([0, 1]);
    const all = [...received.values()].flat().sort((a, b) => a - b);
    expect(all).toEqual(messages.map((_, n) => n));
    for (const values of received.values()) expect(values).toEqual([...values].sort((a, b) => a - b));

    const admin = scope.kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    const committed = offsets?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(messages.length);
  });
});
