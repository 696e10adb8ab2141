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
 * Splits messages into consecutive groups of at most `maxBytes` (a larger message goes alone), so no
 * produce request exceeds the broker's batch limit however long the lines are.
 */
export function chunkByBytes(messages: readonly Message[], maxBytes = CHUNK_BYTES): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const n = size(message);
    if (current.length > 0 && bytes + n > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
