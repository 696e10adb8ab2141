import type { Message } from 'kafkajs';

/** Bytes per produce request we aim under; the broker's record-batch limit is 1 MiB by default. */
export const CHUNK_BYTES = 512 * 1024;

function size(message: Message): number {
  const value = message.value;
  const key = message.key;
  return (
    (typeof value === 'string' ? Buffer.byteLength(value) : (value?.length ?? 0)) +
    (typeof key === 'string' ? Buffer.byteLength(key) : (key?.length ?? 0)) +
    64
  );
}

/**
 * Splits messages into consecutive groups in which no partition gets more than `maxBytes` (a larger
 * message goes alone), so no produce request exceeds the broker's per-partition batch limit however
 * long the lines are, while one request still carries every partition's share. Messages without an
 * explicit partition (keyed) share one budget: their partition is not known here.
 */
export function chunkByBytes(messages: readonly Message[], maxBytes = CHUNK_BYTES): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  const bytes = new Map<number, number>();
  for (const message of messages) {
    const n = size(message);
    const partition = message.partition ?? -1;
    const used = bytes.get(partition) ?? 0;
    if (used > 0 && used + n > maxBytes) {
      chunks.push(current);
      current = [];
      bytes.clear();
    }
    current.push(message);
    bytes.set(partition, (bytes.get(partition) ?? 0) + n);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
