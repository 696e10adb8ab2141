import kafkajs from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../test/isolation.ts';
import { waitUntil } from '../src/lib/time.ts';
import { keepConsuming } from './keep-consuming.ts';

const scope = createTestScope('keep-consuming');
afterAll(() => scope.cleanup());

describe('keepConsuming', () => {
  it('starts a consumer again after a crash kafkajs would not restart, and it reads on from its commit', async () => {
    const topic = await scope.createTopic('input', 1);
    const consumer = scope.kafka.consumer({ groupId: scope.groupId('keeper') });
    const seen: string[] = [];
    const lines: string[] = [];
    let failOnce = true;
    let stopped = false;
    const start = async () => {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const value = message.value?.toString() ?? '';
          if (value === 'b' && failOnce) {
            failOnce = false;
            // What a broker coming back answers at times ("Failed to find group coordinator").
            throw new kafkajs.KafkaJSNonRetriableError('Failed to find group coordinator');
          }
          seen.push(value);
        },
      });
    };
    keepConsuming(consumer, start, {
      name: 'keeper',
      log: (line) => lines.push(line),
      stopped: () => stopped,
    });
    await start();
    const producer = scope.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.disconnect();
    const done = await waitUntil(async () => seen.includes('c'), 30_000);
    stopped = true;
    await consumer.disconnect();
    expect(done.ok, lines.join('\n')).toBe(true);
    expect(seen.filter((v) => v === 'b')).toHaveLength(1);
    expect(lines.some((l) => l.includes('starting it again'))).toBe(true);
    expect(lines.some((l) => l.includes('consumer running again'))).toBe(true);
  }, 60_000);
});
