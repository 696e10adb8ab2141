/** The chaos run's replay: movielog lines at a pace, kept going through a broker that dies. */
import type { Kafka, Producer } from 'kafkajs';
import type { ReplayMessage } from '../../../src/data/replay.ts';
import { sleep } from '../../../src/lib/time.ts';

/**
 * Replays `messages` at `rate` lines/s and keeps going through a broker that dies: a batch that fails
 * is sent again on a fresh producer once Kafka answers. A batch the broker had written before it died
 * can land twice; the counts are computed from what the topic holds, so that is still exact.
 */
export async function resilientReplay(
  kafka: Kafka,
  topic: string,
  messages: readonly ReplayMessage[],
  rate: number,
): Promise<{ sent: number; retries: number }> {
  const batchSize = Math.max(1, Math.ceil(rate / 10));
  let producer: Producer | undefined;
  let retries = 0;
  const started = Date.now();
  for (let sent = 0; sent < messages.length;) {
    const due = started + (sent / rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    const batch = messages.slice(sent, sent + batchSize).map((m) => ({ key: m.key, value: m.value }));
    try {
      if (producer === undefined) {
        producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3 } });
        await producer.connect();
      }
      await producer.send({ topic, messages: batch, acks: -1 });
      sent += batch.length;
    } catch {
      retries++;
      await producer?.disconnect().catch(() => undefined);
      producer = undefined;
      await sleep(500);
    }
  }
  await producer?.disconnect().catch(() => undefined);
  return { sent: messages.length, retries };
}
