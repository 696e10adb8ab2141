import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../src/lib/time.ts';
import { appendEventsIsolating, type LoggedRating } from '../src/store/postgres/event-log.ts';
import { createPool } from '../src/store/postgres/pool.ts';
import { createTestScope } from '../test/isolation.ts';
import { deadLetterSchema, eventIdForKey, type DeadLetter, type WatchEvent } from './events.ts';
import { startPostgresSink } from './postgres-sink.ts';
import { ensureTopics, topicNames } from './topics.ts';

const scope = createTestScope('postgres-sink');
const topics = topicNames(scope.config);

const rate = (n: number, movieId = `movie+${n}`) =>
  JSON.stringify({
    type: 'rate',
    userId: '7',
    movieId,
    rating: 4,
    at: 1_700_000_000_000 + n,
    eventId: eventIdForKey(`r${n}`),
  });
const watch = (n: number, minute: number) =>
  JSON.stringify({
    type: 'watch',
    userId: '7',
    movieId: `movie+${n}`,
    minute,
    at: 1_700_000_000_000,
    eventId: eventIdForKey(`w${n}`),
  });

async function ratingCount(): Promise<number> {
  const pool = await scope.postgres();
  return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ratings')).rows[0]?.n ?? -1;
}

async function readDeadLetters(count: number): Promise<DeadLetter[]> {
  const consumer = scope.kafka.consumer({ groupId: scope.groupId(`dlq-${Date.now()}`) });
  const records: DeadLetter[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: topics.deadLetter, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      records.push(deadLetterSchema.parse(JSON.parse(message.value?.toString() ?? '')));
    },
  });
  await waitUntil(async () => records.length >= count, 30_000);
  await consumer.disconnect();
  return records;
}

beforeAll(async () => {
  const admin = scope.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, scope.config);
  await admin.disconnect();
  await scope.postgres();
}, 120_000);
afterAll(() => scope.cleanup(), 60_000);

describe('the Postgres sink with poison records', () => {
  it('dead-letters a NUL-byte movie id and a minute Postgres cannot store, and keeps writing later ratings', async () => {
    const producer = scope.kafka.producer();
    await producer.connect();
    // One pack per record, all on the user's partition: a poison event sits between good ones.
    const key = '7';
    await producer.send({
      topic: topics.userEvents,
      messages: [
        { key, value: [rate(1), rate(2, 'a\u0000b'), watch(3, 2 ** 40), rate(4)].join('\n') },
        { key, value: rate(5) },
      ],
    });
    const sink = await startPostgresSink({
      kafka: scope.kafka,
      topics,
      pool: await scope.postgres(),
      groupId: scope.groupId('sink'),
    });
    try {
      const first = await waitUntil(async () => (await ratingCount()) === 3, 60_000);
      expect(first.ok).toBe(true);
      // Ratings sent after the poison ones reach Postgres too: the sink did not stop.
      await producer.send({ topic: topics.userEvents, messages: [{ key, value: rate(6) }] });
      const later = await waitUntil(async () => (await ratingCount()) === 4, 30_000);
      expect(later.ok).toBe(true);
    } finally {
      await sink.stop();
      await producer.disconnect();
    }
    expect(sink.stats().deadLettered).toBe(2);
    const dead = await readDeadLetters(2);
    const byIndex = new Map(dead.map((d) => [d.index, d]));
    expect(byIndex.get(1)?.reason).toMatch(/movie id: control character/);
    expect(byIndex.get(2)?.reason).toMatch(/postgres refused the row \(22003\)/);
    for (const d of dead) expect(d).toMatchObject({ topic: topics.userEvents, offset: expect.any(String) });
    expect(JSON.parse(byIndex.get(2)?.line ?? '{}')).toMatchObject({ type: 'watch', minute: 2 ** 40 });
  }, 120_000);
});

describe('appendEventsIsolating', () => {
  const logged = (n: number, movieId = `m+${n}`): LoggedRating => ({
    event: {
      type: 'rate',
      userId: '9',
      movieId,
      rating: 3,
      at: 1_700_000_000_000,
      eventId: eventIdForKey(`i${n}`),
    },
    source: { topic: 'x', partition: 0, offset: n, index: 0 },
  });

  it('writes every row but the refused ones, naming each refused row by its index and reason', async () => {
    const pool = await scope.postgres();
    const ratings = Array.from({ length: 40 }, (_, n) =>
      logged(100 + n, n === 7 || n === 31 ? 'a\u0000b' : undefined),
    );
    const watches: WatchEvent[] = [
      { type: 'watch', userId: '9', movieId: 'w', minute: 2 ** 31, at: 0, eventId: eventIdForKey('iw') },
    ];
    const result = await appendEventsIsolating(pool, ratings, watches);
    expect(result.ratings).toBe(38);
    expect(result.watches).toBe(0);
    expect(result.refused.map((r) => `${r.table}:${r.index}`).sort()).toEqual([
      'ratings:31',
      'ratings:7',
      'watches:0',
    ]);
    expect(result.refused.find((r) => r.index === 7)?.reason).toMatch(/\(22021\).*0x00/);
    // A replay of the same batch adds nothing and refuses the same rows.
    const again = await appendEventsIsolating(pool, ratings, watches);
    expect([again.ratings, again.refused.length]).toEqual([0, 3]);
  });

  it('throws, dead-lettering nothing, when Postgres cannot be reached', async () => {
    const down = createPool({ url: 'postgres://postgres@127.0.0.1:1/none', schema: 'public' }, 1);
    try {
      await expect(appendEventsIsolating(down, [logged(1)], [])).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await down.end();
    }
  });
});
