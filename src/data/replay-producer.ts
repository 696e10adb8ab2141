import type { Kafka } from 'kafkajs';
import { sleep } from '../lib/time.ts';
import type { ReplayMessage } from './replay.ts';

/** How fast to replay: lines per second, or as fast as Kafka takes them. */
export interface ReplayPace {
  /** Lines per second; undefined = flat out. */
  readonly rate?: number;
  /** Messages per produce request. */
  readonly batchSize?: number;
  readonly onProgress?: (sent: number) => void;
}

/**
 * Produces replay messages to `topic` in order, in batches, paced to `rate` by sleeping until each
 * batch is due (so a slow broker is not hit with a burst later to catch up). Returns lines sent.
 */
export async function produceReplay(
  kafka: Kafka,
  topic: string,
  messages: readonly ReplayMessage[],
  pace: ReplayPace = {},
): Promise<number> {
  const batchSize = Math.max(
    1,
    Math.min(pace.batchSize ?? 2_000, pace.rate === undefined ? Infinity : Math.ceil(pace.rate / 10)),
  );
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = Date.now();
  let sent = 0;
  try {
    while (sent < messages.length) {
      const batch = messages.slice(sent, sent + batchSize);
      if (pace.rate !== undefined) {
        const due = started + (sent / pace.rate) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      await producer.send({ topic, messages: batch.map((m) => ({ key: m.key, value: m.value })) });
      sent += batch.length;
      pace.onProgress?.(sent);
    }
  } finally {
    await producer.disconnect();
  }
  return sent;
}
