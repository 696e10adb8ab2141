/**
 * The chaos suite's run (`npm run chaos`, and its short form in `npm test`): Marquee as `marquee up
 * --no-services --only stream,sink,api` on private Kafka, Redis and Postgres, under paced /recommend
 * load and a paced replay of a synthetic world into the movielog topic, while Kafka, then Redis, then
 * Postgres are SIGKILLed (one at a time) and started again. Reports the API's answers throughout, the
 * roles' exits, and the final counts in Postgres and Redis against those computed from what the
 * movielog topic holds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Kafka, Producer } from 'kafkajs';
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/load-config.ts';
import { generateSyntheticWorld } from '../../src/data/synthetic-world.ts';
import { buildReplay, type ReplayMessage } from '../../src/data/replay.ts';
import { sleep, waitUntil } from '../../src/lib/time.ts';
import { publishModel } from '../../src/store/model-store.ts';
import { writePopularLists } from '../../src/store/popular-lists.ts';
import { redisKeys } from '../../src/store/redis-keys.ts';
import type { UserEvent } from '../../streams/events.ts';
import { parseMovielogLine } from '../../streams/movielog-parser.ts';
import { prepareTopics, topicNames } from '../../streams/topics.ts';
import { createTestScope, type TestScope } from '../isolation.ts';
import { spawnUp, type UpProcess } from './marquee-up-process.ts';
import { startPrivateServices, type ServiceName } from './private-services.ts';
import { callRecommend, type RecommendAnswer } from './recommend-calls.ts';
import { countersOf, expectedCounts, linesIngested, readCounts, waitForCaughtUp } from './stream-checks.ts';
import { syntheticServingModel } from './synthetic-model.ts';

/** How hard and how long. */
export interface ChaosOptions {
  readonly label: string;
  /** /recommend calls per second, throughout. */
  readonly recommendRate: number;
  /** Ratings in the synthetic world replayed (its watch lines come with them). */
  readonly ratings: number;
  /** Movielog lines per second. */
  readonly replayRate: number;
  /** How long each killed service stays down. */
  readonly downMs: number;
  /** Load before the first kill, and between one service's restart and the next kill. */
  readonly settleMs: number;
  /** How long the stream and sink get to catch up at the end. */
  readonly catchUpMs: number;
  readonly log: (line: string) => void;
}

/** One fault: when the service was killed and when it answered again (ms from the start of load). */
export interface Fault {
  readonly service: ServiceName;
  readonly killedAt: number;
  readonly upAt: number;
}

/** What a chaos run saw. */
export interface ChaosReport {
  readonly faults: readonly Fault[];
  readonly requests: number;
  /** Answers 200 with a non-empty list. */
  readonly good: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The failed answers, by what they were (status or error). */
  readonly failures: Readonly<Record<string, number>>;
  /** Failed answers per fault window (kill to restart + 5 s). */
  readonly failuresPerFault: readonly number[];
  readonly replay: { readonly lines: number; readonly sendRetries: number; readonly inTopic: number };
  readonly postgres: {
    readonly expected: { readonly ratings: number; readonly watches: number };
    readonly got: { readonly ratings: number; readonly watches: number };
  };
  /** Whether every Redis counter (per user, per movie, histogram, day boards) equals the input's. */
  readonly redisExact: boolean;
  readonly redisDiff: string;
  /** Lines in which `marquee up` reported a role ending (and being restarted). */
  readonly roleExits: readonly string[];
  /** Seconds from the last restart until Postgres and Redis held every event. */
  readonly catchUpSeconds: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Replays `messages` at `rate` lines/s and keeps going through a broker that dies: a batch that fails
 * is sent again on a fresh producer once Kafka answers. A batch the broker had written before it died
 * can land twice; the counts are computed from what the topic holds, so that is still exact.
 */
async function resilientReplay(
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

/** Every value in `topic` (read from the start to its current ends). */
async function readTopic(kafka: Kafka, topic: string, groupId: string): Promise<string[]> {
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

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
}

/** Runs the whole chaos scenario and reports; everything it started is stopped and removed. */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const sharedHome = loadConfig(process.env).home;
  o.log('starting private Kafka, Redis and Postgres');
  const services = await startPrivateServices(sharedHome);
  let scope: TestScope | undefined;
  let up: UpProcess | undefined;
  try {
    scope = createTestScope(o.label, { ...process.env, ...services.env });
    const { config } = scope;
    const prefix = config.kafka.topicPrefix;
    const clientId = `${prefix}marquee`;
    for (const group of ['marquee-ingest', 'marquee-sink', 'user-actors', 'movie-actors'])
      scope.groupId(group);
    // A broker that just started may answer "does not host this topic-partition" for a moment while
    // it creates them: creating is idempotent, so try again.
    const created = await waitUntil(() => prepareTopics(scope!.kafka, config).then(() => true), 60_000, 500);
    if (!created.ok) throw new Error(`topics not created: ${created.lastError ?? 'timeout'}`);
    await scope.postgres();
    const keys = redisKeys(config.redis.keyPrefix);
    const world = generateSyntheticWorld({
      users: 300,
      movies: 400,
      ratings: o.ratings,
      seed: 23,
    });
    const redis = new Redis(config.redis.url);
    const { artifact, movies } = syntheticServingModel(world, 16);
    await writePopularLists(redis, keys, world);
    await publishModel(redis, keys, artifact, { movies, version: '1' });
    redis.disconnect();
    const port = await freePort();
    up = spawnUp(['--no-services', '--only', 'stream,sink,api'], {
      ...scope.env,
      KAFKA_CLIENT_ID: clientId,
      API_PORT: String(port),
    });
    const base = `http://127.0.0.1:${port}`;
    if (!(await up.seen(/^API ready: /m, 90_000)))
      throw new Error(`marquee up did not start:\n${up.output().slice(-3_000)}`);
    for (const role of [/^\[stream\] stream: .* running/m, /^\[sink\] +sink: /m])
      if (!(await up.seen(role, 90_000)))
        throw new Error(`marquee up did not start its roles:\n${up.output().slice(-3_000)}`);
    const loaded = await waitUntil(async () => (await callRecommend(base, '1')).modelVersion === '1', 60_000);
    if (!loaded.ok) throw new Error(`the API never served model 1: ${loaded.lastError ?? 'timeout'}`);
    o.log(`marquee up (stream, sink, api) ready on :${port}`);

    const messages = buildReplay(world);
    const answers: { at: number; answer: RecommendAnswer }[] = [];
    const faults: Fault[] = [];
    const started = Date.now();
    const since = () => Date.now() - started;
    let loadOn = true;
    const load = (async () => {
      const calls: Promise<void>[] = [];
      for (let k = 0; loadOn; k++) {
        const due = started + (k * 1000) / o.recommendRate;
        await sleep(Math.max(0, due - Date.now()));
        const at = since();
        calls.push(
          callRecommend(base, String(1 + (k % 300))).then((answer) => void answers.push({ at, answer })),
        );
      }
      await Promise.all(calls);
    })();
    const topics = topicNames(config);
    o.log(`replaying ${messages.length} movielog lines at ${o.replayRate}/s`);
    const replay = resilientReplay(scope.kafka, topics.movielog, messages, o.replayRate);
    for (const service of ['kafka', 'redis', 'postgres'] as const) {
      await sleep(o.settleMs);
      services.kill(service);
      const killedAt = since();
      o.log(`${service}: SIGKILL at ${(killedAt / 1000).toFixed(1)} s`);
      await sleep(o.downMs);
      await services.up(service);
      const upAt = since();
      o.log(`${service}: answering again at ${(upAt / 1000).toFixed(1)} s`);
      faults.push({ service, killedAt, upAt });
    }
    await sleep(o.settleMs);
    loadOn = false;
    await load;
    const replayed = await replay;
    const lastUp = Date.now();
    o.log(`load stopped after ${answers.length} requests; replay done (${replayed.retries} batches resent)`);

    // What the movielog holds is the input; count it as the stream and the sink must.
    const values = await readTopic(scope.kafka, topics.movielog, scope.groupId('chaos-reader'));
    const events: UserEvent[] = [];
    for (const value of values) {
      const parsed = parseMovielogLine(value);
      if (parsed.ok && (parsed.event.type === 'rate' || parsed.event.type === 'watch'))
        events.push({ ...parsed.event, eventId: '0'.repeat(32) } as UserEvent);
    }
    const expectedPg = {
      ratings: events.filter((e) => e.type === 'rate').length,
      watches: events.filter((e) => e.type === 'watch').length,
    };
    const admin = scope.kafka.admin();
    await admin.connect();
    const deadline = Date.now() + o.catchUpMs;
    const ingested = await waitUntil(
      async () => (await linesIngested(admin, `${clientId}-ingest`, topics.movielog)) >= values.length,
      o.catchUpMs,
      250,
    );
    await admin.disconnect();
    if (!ingested.ok)
      throw new Error(`ingest did not take every line (see ${ARTIFACTS}/${o.label}-marquee-up.log)`);
    const check = new Redis(config.redis.url);
    const pool = await scope.postgres();
    let gotPg = { ratings: 0, watches: 0 };
    try {
      await waitForCaughtUp(scope.kafka, check, keys, config, Math.max(1, deadline - Date.now()), {
        transactionalInput: true,
      });
      await waitUntil(
        async () => {
          const r = await pool.query<{ r: string; w: string }>(
            'SELECT (SELECT count(*) FROM ratings) AS r, (SELECT count(*) FROM watches) AS w',
          );
          gotPg = { ratings: Number(r.rows[0]?.r ?? 0), watches: Number(r.rows[0]?.w ?? 0) };
          return gotPg.ratings >= expectedPg.ratings && gotPg.watches >= expectedPg.watches;
        },
        Math.max(1, deadline - Date.now()),
        250,
      );
      const catchUpSeconds = (Date.now() - lastUp) / 1000;
      // A moment more, so a late duplicate would show as a count above the input's.
      await sleep(2_000);
      const r = await pool.query<{ r: string; w: string }>(
        'SELECT (SELECT count(*) FROM ratings) AS r, (SELECT count(*) FROM watches) AS w',
      );
      gotPg = { ratings: Number(r.rows[0]?.r ?? 0), watches: Number(r.rows[0]?.w ?? 0) };
      const expected = expectedCounts(events);
      const got = await readCounts(check, keys, expected, 16);
      const want = countersOf(expected);
      const have = countersOf(got);
      const exact = isDeepStrictEqual(want, have);
      const ms = answers.map((a) => a.answer.ms).sort((a, b) => a - b);
      const bad = answers.filter((a) => !(a.answer.valid && a.answer.ids.length > 0));
      const failures: Record<string, number> = {};
      for (const { answer } of bad) {
        const label = answer.error ?? String(answer.status);
        failures[label] = (failures[label] ?? 0) + 1;
      }
      return {
        faults,
        requests: answers.length,
        good: answers.length - bad.length,
        p50Ms: quantile(ms, 0.5),
        p99Ms: quantile(ms, 0.99),
        maxMs: ms[ms.length - 1] ?? 0,
        failures,
        failuresPerFault: faults.map(
          (f) => bad.filter((a) => a.at >= f.killedAt && a.at <= f.upAt + 5_000).length,
        ),
        replay: { lines: messages.length, sendRetries: replayed.retries, inTopic: values.length },
        postgres: { expected: expectedPg, got: gotPg },
        redisExact: exact,
        redisDiff: exact ? '' : firstDifference(want, have),
        roleExits: up
          .output()
          .split('\n')
          .filter((line) => /^\[[a-z]+\] +(exited|killed)/.test(line)),
        catchUpSeconds,
      };
    } finally {
      check.disconnect();
    }
  } finally {
    await up?.stop().catch(() => undefined);
    if (up !== undefined) {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `${o.label}-marquee-up.log`), up.output());
    }
    await scope?.cleanup().catch(() => undefined);
    await services.remove();
  }
}

/** Where each run leaves `marquee up`'s output (its roles' lines through the faults). */
export const ARTIFACTS = 'test-artifacts/chaos';

/** The first counter that differs, for the report. */
function firstDifference(want: object, have: object, path = ''): string {
  if (typeof want !== 'object' || want === null || typeof have !== 'object' || have === null)
    return `${path}: expected ${JSON.stringify(want)}, got ${JSON.stringify(have)}`;
  const keys = new Set([...Object.keys(want), ...Object.keys(have)]);
  for (const k of keys) {
    const a = (want as Record<string, unknown>)[k];
    const b = (have as Record<string, unknown>)[k];
    if (JSON.stringify(a) !== JSON.stringify(b))
      return firstDifference(a as object, b as object, `${path}.${k}`);
  }
  return '';
}

/** The report as the lines `npm run chaos` prints. */
export function formatChaosReport(r: ChaosReport, o: ChaosOptions): string[] {
  const pct = (100 * r.good) / Math.max(1, r.requests);
  return [
    `faults (SIGKILL, then started again; each down ${o.downMs / 1000} s):`,
    ...r.faults.map(
      (f, j) =>
        `  ${f.service.padEnd(9)} killed at ${(f.killedAt / 1000).toFixed(1).padStart(5)} s, answering at ${(f.upAt / 1000).toFixed(1).padStart(5)} s; failed /recommend answers in that window: ${r.failuresPerFault[j]}`,
    ),
    `/recommend at ${o.recommendRate}/s: ${r.requests} requests, ${r.good} answered 200 with a non-empty list (${pct.toFixed(2)} %); p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms, max ${r.maxMs.toFixed(0)} ms` +
      (Object.keys(r.failures).length > 0 ? `; failures: ${JSON.stringify(r.failures)}` : ''),
    `replay: ${r.replay.lines} lines at ${o.replayRate}/s, ${r.replay.sendRetries} batches resent, ${r.replay.inTopic} lines in the movielog topic`,
    `postgres: ratings ${r.postgres.got.ratings} / ${r.postgres.expected.ratings} expected, watches ${r.postgres.got.watches} / ${r.postgres.expected.watches} expected`,
    `redis: every counter (per user, per movie, histogram, day boards) ${r.redisExact ? 'equals the input' : `DIFFERS: ${r.redisDiff}`}`,
    `roles: ${r.roleExits.length === 0 ? 'stream, sink and api never exited' : `${r.roleExits.length} exits, restarted by marquee up: ${r.roleExits.join(' | ')}`}`,
    `caught up ${r.catchUpSeconds.toFixed(1)} s after the load stopped`,
  ];
}
