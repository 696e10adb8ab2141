import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../src/lib/time.ts';
import { countServedLists, readServedAfter } from '../src/store/postgres/served-log.ts';
import { createTestScope } from '../test/isolation.ts';
import { keyPartitioner, packByPartition } from './event-pack.ts';
import type { ServedEvent } from './events.ts';
import { startServedSink } from './served-sink.ts';
import { ensureTopics, topicNames } from './topics.ts';

const scope = createTestScope('served-sink');
const topics = topicNames(scope.config);

const served = (n: number, userId: string, items: string[], at: number): ServedEvent => ({
  type: 'served',
  userId,
  items,
  status: 200,
  latencyMs: 1.5,
  observedBy: 'server',
  arm: n % 2 === 0 ? 'a' : 'b',
  modelVersion: '7',
  at,
  eventId: n.toString(16).padStart(32, '0'),
});

const lists = Array.from({ length: 50 }, (_, n) =>
  served(n + 1, String(n % 7), [`m${n}`, `m${n + 1}`, `m${n + 2}`], 1_700_000_000_000 + n * 1000),
);

describe('served-list sink', () => {
  beforeAll(async () => {
    const admin = scope.kafka.admin();
    await admin.connect();
    await ensureTopics(admin, scope.config, [topics.served, topics.deadLetter]);
    await admin.disconnect();
    const producer = scope.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const keyed = lists.map((e) => ({ key: e.userId, value: JSON.stringify(e) }));
    const partitionOf = keyPartitioner(scope.config.kafka.partitions);
    // The API's packs, then the first ten lists again (a producer retry), then a bad event, then a
    // list that passes validation but Postgres refuses (a latency beyond a real: 22003).
    await producer.send({ topic: topics.served, messages: packByPartition(keyed, partitionOf) });
    await producer.send({ topic: topics.served, messages: packByPartition(keyed.slice(0, 10), partitionOf) });
    await producer.send({ topic: topics.served, messages: [{ key: '1', value: '{"type":"served"}' }] });
    const refused = { ...served(99, '1', ['m1'], 1_700_000_100_000), latencyMs: 1e39 };
    await producer.send({ topic: topics.served, messages: [{ key: '1', value: JSON.stringify(refused) }] });
    await producer.disconnect();
  });
  afterAll(() => scope.cleanup());

  it('stores every served list once, even when the topic is read again from the start', async () => {
    const pool = await scope.postgres();
    for (const group of ['first', 'replay']) {
      const sink = await startServedSink({ kafka: scope.kafka, topics, pool, groupId: scope.groupId(group) });
      const read = await waitUntil(async () => sink.stats().events >= lists.length + 12, 30_000, 100);
      await sink.stop();
      expect(read.ok).toBe(true);
      expect(sink.stats().deadLettered).toBe(2);
      expect(sink.stats().listsInserted).toBe(group === 'first' ? lists.length : 0);
      expect(await countServedLists(pool)).toBe(lists.length);
    }
    const rows = await readServedAfter(pool, 0, 1000);
    const byId = new Map(rows.map((r) => [r.eventId, r]));
    for (const e of lists) {
      expect(byId.get(e.eventId)).toMatchObject({
        userId: e.userId,
        arm: e.arm,
        modelVersion: '7',
        items: e.items,
        servedAt: e.at,
      });
    }
  });
  it('retries a failed Postgres write in place: every list stored once, the two bad events dead-lettered once', async () => {
    const pool = await scope.postgres();
    await pool.query('DELETE FROM served_lists');
    const deadLetters = async () => {
      const admin = scope.kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topics.deadLetter);
        return offsets.reduce((sum, p) => sum + Number(p.high), 0);
      } finally {
        await admin.disconnect();
      }
    };
    const before = await deadLetters();
    // Postgres refuses every write while the table is away, as it would while it restarts.
    await pool.query('ALTER TABLE served_lists RENAME TO served_lists_away');
    const lines: string[] = [];
    const sink = await startServedSink({
      kafka: scope.kafka,
      topics,
      pool,
      groupId: scope.groupId('retry'),
      retryDelayMs: 20,
      log: (line) => lines.push(line),
    });
    try {
      const failing = await waitUntil(async () => lines.length >= 3, 30_000, 50);
      expect(failing.ok).toBe(true);
      expect(lines[0]).toMatch(
        /^served sink: postgres write failed \(.*served_lists.*\); retrying in \d+ ms$/,
      );
      expect(sink.stats().listsInserted).toBe(0);
    } finally {
      await pool.query('ALTER TABLE served_lists_away RENAME TO served_lists');
    }
    const read = await waitUntil(async () => sink.stats().events >= lists.length + 12, 30_000, 100);
    await sink.stop();
    expect(read.ok).toBe(true);
    expect(sink.stats().listsInserted).toBe(lists.length);
    expect(await countServedLists(pool)).toBe(lists.length);
    expect(await deadLetters()).toBe(before + 2);
  });
});
