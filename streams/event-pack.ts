/**
 * Packs of events on Marquee's own topics (user-events, movie-events). A record's value is one or
 * more JSON events separated by '\n' (JSON.stringify never writes a raw newline), all keyed to the
 * record's partition, in order. A record with one event is a pack of one, so producers that send
 * single events (the API) are read the same way. Readers that predate packs read only single-event
 * records: upgrade every reader before any writer.
 *
 * Why: kafkajs spends ≈ 10 µs of CPU per record it produces (a Buffer, varints and Long maths per
 * record) and the broker pays per record too; one record per event made Kafka the largest cost of
 * the stream (docs/stream.md, "Packs"). A pack pays that once for hundreds of events.
 */
import { Partitioners, type Kafka, type Message, type PartitionMetadata, type Producer } from 'kafkajs';
import { deadLetterRecord } from './events.ts';
import { chunkByBytes } from './send-in-chunks.ts';
import { packTraceHeader } from './trace-headers.ts';

/** Events per pack at most: keeps an event's index within its record small and batches fine-grained. */
export const PACK_MAX_EVENTS = 1000;
/**
 * UTF-16 code units per pack at most (a larger single event goes alone): ≤ 768 KiB of UTF-8 even if
 * every character took 3 bytes, under the broker's default 1 MiB record limit.
 */
export const PACK_MAX_CHARS = 256 * 1024;

const NEWLINE = 0x0a;

/** Where the key's records go: kafkajs's default (Java-compatible murmur2) partitioner, as for keyed sends. */
export type PartitionOf = (key: string) => number;

/** The partition a keyed message would get from every Marquee producer, for a topic of `partitions`. */
export function keyPartitioner(partitions: number): PartitionOf {
  if (!Number.isSafeInteger(partitions) || partitions < 1)
    throw new Error(`a topic has at least one partition, got ${partitions}`);
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  // murmur2 over a fresh Buffer per call was 5 % of the actors' CPU: remember the answers (ids repeat;
  // forgetting them all now and then bounds the memory).
  const known = new Map<string, number>();
  return (key) => {
    let partition = known.get(key);
    if (partition === undefined) {
      if (known.size >= PARTITION_CACHE_SIZE) known.clear();
      partition = partitioner({ topic: '', partitionMetadata, message: { key, value: null } });
      known.set(key, partition);
    }
    return partition;
  };
}

/** Keys whose partition a keyPartitioner remembers before it starts over. */
const PARTITION_CACHE_SIZE = 100_000;

/** The partition count of an existing topic. */
export async function partitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const n = topics[0]?.partitions.length ?? 0;
    if (n === 0) throw new Error(`topic ${topic} has no partitions (does it exist?)`);
    return n;
  } finally {
    await admin.disconnect();
  }
}

/** keyPartitioner for an existing topic's partition count. */
export async function topicPartitioner(kafka: Kafka, topic: string): Promise<PartitionOf> {
  return keyPartitioner(await partitionCount(kafka, topic));
}

/** One event to pack: the key it is routed by and its JSON. */
export interface Keyed {
  readonly key: string;
  readonly value: string;
  /** The W3C traceparent of a sampled event: travels in its pack's header (trace-headers.ts). */
  readonly traceparent?: string | undefined;
}

/**
 * Packs events into records per destination partition, keeping their order within each partition
 * (so per-key order is kept), at most PACK_MAX_EVENTS events and PACK_MAX_CHARS per record.
 * Each record names its partition explicitly and carries its first event's key for tooling.
 */
export function packByPartition(events: readonly Keyed[], partitionOf: PartitionOf): Message[] {
  const open = new Map<number, { key: string; values: string[]; chars: number; traced?: string[] }>();
  const packs: Message[] = [];
  const close = (partition: number) => {
    const pack = open.get(partition);
    if (pack === undefined) return;
    open.delete(partition);
    const value = pack.values.join('\n');
    packs.push(
      pack.traced === undefined
        ? { key: pack.key, value, partition }
        : { key: pack.key, value, partition, headers: packTraceHeader(pack.traced) },
    );
  };
  for (const { key, value, traceparent } of events) {
    const partition = partitionOf(key);
    let pack = open.get(partition);
    if (
      pack !== undefined &&
      (pack.values.length >= PACK_MAX_EVENTS || pack.chars + value.length > PACK_MAX_CHARS)
    ) {
      close(partition);
      pack = undefined;
    }
    if (pack === undefined) open.set(partition, (pack = { key, values: [], chars: 0 }));
    if (traceparent !== undefined) (pack.traced ??= []).push(`${pack.values.length}=${traceparent}`);
    pack.values.push(value);
    pack.chars += value.length + 1;
  }
  for (const partition of [...open.keys()]) close(partition);
  return packs;
}

/** A record's events (byte slices, in order), or why the record as a whole is not a pack. */
export type Unpacked = { readonly events: Buffer[] } | { readonly malformed: string };

/**
 * The events of a record, in order, as slices of its bytes (so a bad one can be dead-lettered
 * byte-exact). A record with an empty line (a trailing newline included) or more than
 * PACK_MAX_EVENTS lines is not something Marquee writes: the caller dead-letters it whole, once,
 * rather than one dead letter per line. A null or empty value is one empty event.
 */
export function unpack(value: Buffer | null): Unpacked {
  if (value === null || value.length === 0) return { events: [Buffer.alloc(0)] };
  const events: Buffer[] = [];
  let start = 0;
  for (;;) {
    const end = value.indexOf(NEWLINE, start);
    const line = value.subarray(start, end < 0 ? value.length : end);
    if (line.length === 0) return { malformed: 'empty line in a pack of events' };
    events.push(line);
    if (events.length > PACK_MAX_EVENTS)
      return { malformed: `more than ${PACK_MAX_EVENTS} events in one record` };
    if (end < 0) return { events };
    start = end + 1;
  }
}

/**
 * Reads one record of a pack topic: each event `decode` accepts goes to `use` with its index; an
 * event it rejects (a string reason), and a malformed record as a whole, go to `dead` as dead letters
 * with their position. Returns how many events the record counts for.
 */
export function readPack<T>(
  value: Buffer | null,
  source: { readonly topic: string; readonly partition: number; readonly offset: number | string },
  decode: (text: string) => T | string,
  use: (event: T, index: number) => void,
  dead: Message[],
): number {
  const unpacked = unpack(value);
  if ('malformed' in unpacked) {
    dead.push(deadLetterRecord(value ?? '', unpacked.malformed, source));
    return 1;
  }
  unpacked.events.forEach((bytes, index) => {
    const event = decode(bytes.toString('utf8'));
    if (typeof event === 'string') dead.push(deadLetterRecord(bytes, event, { ...source, index }));
    else use(event, index);
  });
  return unpacked.events.length;
}

/**
 * Sends keyed events to `topic` as packs (one record per partition, packByPartition), in requests of
 * at most 512 KiB (chunkByBytes), one after the other so their order holds, acknowledged by all replicas.
 */
export async function sendPacked(
  producer: Pick<Producer, 'send'>,
  topic: string,
  events: readonly Keyed[],
  partitionOf: PartitionOf,
): Promise<void> {
  for (const chunk of chunkByBytes(packByPartition(events, partitionOf)))
    await producer.send({ topic, messages: chunk, acks: -1 });
}

/** How many events a record holds, without decoding it. */
export function eventCount(value: Buffer | null): number {
  if (value === null) return 1;
  let n = 1;
  // Past the bound the record is dead-lettered whole: it weighs no more than a full pack.
  for (let at = value.indexOf(NEWLINE); at >= 0 && n <= PACK_MAX_EVENTS; at = value.indexOf(NEWLINE, at + 1))
    n++;
  return n;
}

/** A pack's events as text, for readers that need no dead letters (tests, tools); throws on a malformed record. */
export function unpackText(value: Buffer | null): string[] {
  const unpacked = unpack(value);
  if ('malformed' in unpacked) throw new Error(unpacked.malformed);
  return unpacked.events.map((e) => e.toString('utf8'));
}
