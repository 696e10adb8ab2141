import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticWorld } from '../src/data/synthetic-world.ts';
import { datasetMetadataSource } from '../src/data/metadata-source.ts';
import { buildReplay } from '../src/data/replay.ts';
import { produceReplay } from '../src/data/replay-producer.ts';
import { waitUntil } from '../src/lib/time.ts';
import { migrate } from '../src/store/postgres/migrate.ts';
import { createPool } from '../src/store/postgres/pool.ts';
import { createTestScope } from '../test/isolation.ts';
import { deadLetterSchema } from './events.ts';
import { startIngest } from './ingest.ts';
import { createMetadataEnricher } from './metadata-enricher.ts';
import { parseMovielogLine } from './movielog-parser.ts';
import { startPostgresSink } from './postgres-sink.ts';
import { ensureTopics, topicNames } from './topics.ts';

const scope = createTestScope('course-stream');
const topics = topicNames(scope.config);
const world = generateSyntheticWorld({ users: 400, movies: 600, ratings: 6_000, seed: 11 });
const messages = buildReplay(world, { limit: 20_000, malformedShare: 0.02, seed: 3 });
const parsed = messages.map((m) => parseMovielogLine(m.value));
const valid = parsed.flatMap((p) => (p.ok ? [p.event] : []));
const expectedRatings = valid
  .flatMap((e) => (e.type === 'rate' ? [`${e.userId}|${e.movieId}|${e.rating}|${e.at}`] : []))
  .sort();
const expectedWatches = valid
  .flatMap((e) => (e.type === 'watch' ? [`${e.userId}|${e.movieId}|${e.minute}|${e.at}`] : []))
  .sort();
const malformed = parsed.filter((p) => !p.ok).length;

async function counts(schema = scope.config.postgres.schema) {
  const pool = createPool({ url: scope.config.postgres.url, schema }, 1);
  try {
    const r = await pool.query<{ ratings: number; watches: number }>(
      'SELECT (SELECT count(*)::int FROM ratings) AS ratings, (SELECT count(*)::int FROM watches) AS watches',
    );
    return r.rows[0] ?? { ratings: -1, watches: -1 };
  } finally {
    await pool.end();
  }
}

async function deadLetters(): Promise<{ offsets: Set<string>; reasons: Set<string> }> {
  const consumer = scope.kafka.consumer({ groupId: scope.groupId(`dlq-reader-${Date.now()}`) });
  const offsets = new Set<string>();
  const reasons = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topic: topics.deadLetter, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const record = deadLetterSchema.parse(JSON.parse(message.value?.toString() ?? ''));
      offsets.add(`${record.topic}:${record.partition}:${record.offset}`);
      reasons.add(record.reason);
    },
  });
  await waitUntil(async () => offsets.size >= malformed, 30_000);
  await consumer.disconnect();
  return { offsets, reasons };
}

beforeAll(async () => {
  const admin = scope.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, scope.config);
  await admin.disconnect();
  await scope.postgres();
  await produceReplay(scope.kafka, topics.movielog, messages);
}, 120_000);
afterAll(() => scope.cleanup(), 60_000);

describe('the course stream, on real Kafka and Postgres', () => {
  it('keeps every valid rating and watch once, dead-letters every malformed line, and enriches every id', async () => {
    expect(malformed).toBeGreaterThan(200);
    const pool = await scope.postgres();
    const enricher = createMetadataEnricher({
      pool,
      source: datasetMetadataSource(world),
      sourceName: 'synthetic',
    });
    const ingest = await startIngest({
      kafka: scope.kafka,
      topics,
      groupId: scope.groupId('ingest'),
      enricher,
    });
    const sink = await startPostgresSink({
      kafka: scope.kafka,
      topics,
      pool,
      groupId: scope.groupId('sink'),
    });
    try {
      const done = await waitUntil(async () => {
        const c = await counts();
        return c.ratings === expectedRatings.length && c.watches === expectedWatches.length;
      }, 90_000);
      expect(done.ok).toBe(true);
      await enricher.drain();
    } finally {
      await sink.stop();
      await ingest.stop();
    }

    const ratings = await pool.query<{ k: string }>(
      `SELECT user_id || '|' || movie_id || '|' || rating::int || '|' || (extract(epoch FROM rated_at) * 1000)::bigint AS k FROM ratings`,
    );
    expect(ratings.rows.map((r) => r.k).sort()).toEqual(expectedRatings);
    const watches = await pool.query<{ k: string }>(
      `SELECT user_id || '|' || movie_id || '|' || minute || '|' || (extract(epoch FROM watched_at) * 1000)::bigint AS k FROM watches`,
    );
    expect(watches.rows.map((r) => r.k).sort()).toEqual(expectedWatches);

    const dlq = await deadLetters();
    expect(dlq.offsets.size).toBe(malformed);
    expect(dlq.reasons.size).toBeGreaterThan(3);

    const seenUsers = new Set(valid.map((e) => e.userId));
    const seenMovies = new Set(valid.flatMap((e) => (e.type === 'served' ? [] : [e.movieId])));
    const users = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM users WHERE user_id = ANY($1)',
      [[...seenUsers]],
    );
    const movies = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM movies WHERE movie_id = ANY($1)',
      [[...seenMovies]],
    );
    expect(users.rows[0]?.n).toBe(seenUsers.size);
    expect(movies.rows[0]?.n).toBe(seenMovies.size);
  }, 150_000);

  it('adds nothing when ingest and sink run again from offset 0', async () => {
    const pool = await scope.postgres();
    const before = await counts();
    const ingest = await startIngest({ kafka: scope.kafka, topics, groupId: scope.groupId('ingest-again') });
    const sink = await startPostgresSink({
      kafka: scope.kafka,
      topics,
      pool,
      groupId: scope.groupId('sink-again'),
    });
    const caughtUp = await waitUntil(
      async () => ingest.stats().lines === messages.length && sink.stats().events >= 2 * valid.length,
      90_000,
    );
    await sink.stop();
    await ingest.stop();
    expect(caughtUp.ok).toBe(true);
    expect(sink.stats().ratingsInserted + sink.stats().watchesInserted).toBe(0);
    expect(await counts()).toEqual(before);
  }, 150_000);

  it('still writes every event exactly once after the sink is killed with SIGKILL mid-run', async () => {
    const schema = `${scope.config.postgres.schema}_kill`;
    await migrate(scope.config.postgres.url, schema);
    const env = { ...process.env, ...scope.env, DATABASE_SCHEMA: schema };
    const group = scope.groupId('sink-killed');
    const startSink = () =>
      spawn(
        process.execPath, // Small batches (about 40 events each) so the kill surely lands mid-run.
        ['bin/marquee.js', 'sink', '--group', group, '--batch-bytes', '8192'],
        { env, stdio: 'ignore' },
      );
    const total = expectedRatings.length + expectedWatches.length;
    try {
      const first = startSink();
      const started = await waitUntil(
        async () => {
          const c = await counts(schema);
          return c.ratings + c.watches > 0;
        },
        60_000,
        20,
      );
      expect(started.ok).toBe(true);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const atKill = await counts(schema);
      expect(atKill.ratings + atKill.watches).toBeLessThan(total);

      const second = startSink();
      const finished = await waitUntil(async () => {
        const c = await counts(schema);
        return c.ratings + c.watches >= total;
      }, 90_000);
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
      expect(finished.ok).toBe(true);
      expect(await counts(schema)).toEqual({
        ratings: expectedRatings.length,
        watches: expectedWatches.length,
      });
    } finally {
      const pool = await scope.postgres();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  }, 200_000);
});
