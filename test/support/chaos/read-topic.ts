/** Reads a whole topic as it stands (the chaos run's input: what the movielog holds after the faults). */
import type { Kafka } from 'kafkajs';
import { sleep } from '../../../src/lib/time.ts';

/** Every value in `topic`, read from the start to its current ends (gives up after 2 minutes). */
export async function readTopic(kafka: Kafka, topic: string, groupId: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)] as const),
  );
  await admin.disconnect();
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  const values: string[] = [];
  if (total === 0) return values;
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (Number(message.offset) >= (ends.get(partition) ?? 0)) return;
        values.push(message.value?.toString() ?? '');
        if (++seen === total) resolve();
      },
    });
  });
  const read = await Promise.race([done.then(() => true), sleep(120_000).then(() => false)]);
  await consumer.disconnect();
  if (!read) throw new Error(`read ${seen} of ${total} records of ${topic}`);
  return values;
}
