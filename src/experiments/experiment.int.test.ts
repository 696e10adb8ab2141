/**
 * An experiment end to end on real Kafka, Redis and Postgres: two versions published by the retrain
 * (SVD, then SVD++) as arms, `marquee experiment start`, every user served through the API (and again
 * after an API restart: same arm), a replayed stream of ratings and watches through the stream's user
 * actors and the sinks, the worker's batches of 1,000, and the report — CLI text with its PNG, and
 * `GET /v1/experiments/<id>` — with the per-user tests beside the seed's per-rating one.
 */
import jwt from 'jsonwebtoken';
import { Partitioners, type Producer } from 'kafkajs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStream, type RunningStream } from '../../actors/stream-runtime.ts';
import { packByPartition, topicPartitioner } from '../../streams/event-pack.ts';
import { eventIdForKey, type RateEvent, type WatchEvent } from '../../streams/events.ts';
import { startPostgresSink } from '../../streams/postgres-sink.ts';
import { startServedSink } from '../../streams/served-sink.ts';
import { topicNames } from '../../streams/topics.ts';
import { createTestScope } from '../../test/isolation.ts';
import { logRatings } from '../../test/support/rating-log.ts';
import { startApi, type RunningApi } from '../api/start-api.ts';
import { experimentCommand } from '../cli/experiment.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { startExperimentBatcher } from '../jobs/experiment-batches.ts';
import { RETRAIN_DEFAULTS, runRetrain } from '../jobs/retrain/retrain-job.ts';
import { readStoredUser } from '../state/user-state.ts';
import { readBatches } from '../store/postgres/experiments.ts';
import { readVersion } from '../store/postgres/model-versions.ts';
import { upsertMovies } from '../store/postgres/reference-data.ts';
import { redisKeys } from '../store/redis-keys.ts';
import type { ExperimentReport } from './report.ts';

const scope = createTestScope('experiment-ab');
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
const world = generateSyntheticWorld({ users: 160, movies: 300, ratings: 9_400, seed: 21 });
const byTime = [...world.ratings].sort((a, b) => a.timestamp - b.timestamp);
/** The first 4,000 ratings train both versions; the next ones are the replayed stream. */
const [trained, replayed] = [byTime.slice(0, 4_000), byTime.slice(4_000)];
const users = world.users.map((u) => u.userId);
const stops: (() => Promise<unknown>)[] = [];
let pool: pg.Pool;
let api: RunningApi;
let producer: Producer;
let stream: RunningStream;
let versions: { svd: string; svdpp: string };
let experimentId = '';

/** Runs `marquee experiment ARGS` in-process; resolves with its exit code and output lines. */
async function marquee(args: readonly string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await experimentCommand.run(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: scope.env,
  });
  return { code, out, err };
}

const startTheApi = async () => (api = await startApi(scope.config, { port: 0, log: () => undefined }));
const armOf = async (userId: string) =>
  (await fetch(`http://127.0.0.1:${api.port}/recommend/${userId}`)).headers.get('x-ab-arm');

async function send(events: readonly (RateEvent | WatchEvent)[]) {
  const topic = topicNames(scope.config).userEvents;
  const partitionOf = await topicPartitioner(scope.kafka, topic);
  for (let k = 0; k < events.length; k += 500) {
    const chunk = events.slice(k, k + 500).map((e) => ({ key: e.userId, value: JSON.stringify(e) }));
    await producer.send({ topic, messages: packByPartition(chunk, partitionOf), acks: -1 });
  }
}

beforeAll(async () => {
  pool = await scope.postgres();
  await upsertMovies(pool, world.movies, 'test');
  await logRatings(pool, trained, 0, 'experiment');
  const deps = {
    pool,
    redis,
    keys,
    settings: { ...RETRAIN_DEFAULTS, params: { factors: '8', epochs: '10' }, tolerance: 10 },
  };
  const svd = await runRetrain(deps, { trigger: 'test', jobId: 'svd' });
  // The challenger as `marquee retrain --algorithm svd++` asks for it.
  const svdpp = await runRetrain(deps, { trigger: 'test', jobId: 'svdpp', algorithm: 'svd++' });
  expect([svd.status, svdpp.status]).toEqual(['active', 'active']);
  versions = { svd: svd.version, svdpp: svdpp.version };
  expect((await readVersion(pool, svdpp.version))?.algorithm).toBe('svd++');
  for (const name of ['user-events', 'movie-events', 'served', 'dlq']) await scope.createTopic(name, 2);
  for (const g of ['user-actors', 'movie-actors', 'sink', 'sink-served']) scope.groupId(g);
  producer = scope.kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  stream = await startStream(scope.config, { fromActiveModel: true, log: () => undefined });
  const topics = topicNames(scope.config);
  const sink = await startPostgresSink({ kafka: scope.kafka, topics, pool, groupId: scope.groupId('sink') });
  const served = await startServedSink({
    kafka: scope.kafka,
    topics,
    pool,
    groupId: scope.groupId('sink-served'),
  });
  const batcher = startExperimentBatcher({ pool, redis, keys }, 300);
  stops.push(
    () => batcher.stop(),
    () => served.stop(),
    () => sink.stop(),
    () => stream.stop(),
    () => producer.disconnect(),
  );
  await startTheApi();
}, 180_000);

afterAll(async () => {
  await api?.stop();
  for (const stop of stops) await stop().catch(() => undefined);
  await scope.cleanup();
});

describe('an SVD against SVD++ experiment on real services', () => {
  it('starts with the two published versions as arms; the API labels every user by parity, also after a restart', async () => {
    const started = await marquee([
      'start',
      '--arm',
      `svd=${versions.svd}`,
      '--arm',
      `svdpp=${versions.svdpp}`,
      '--name',
      'svd vs svd++',
      '--tuning',
      '160',
    ]);
    expect(started.code, started.err.join('\n')).toBe(0);
    experimentId = /experiment (\d+) running/.exec(started.out[0] ?? '')?.[1] ?? '';
    expect(experimentId).not.toBe('');
    // A second experiment is refused while this one runs.
    await expect(
      marquee(['start', '--arm', `a=${versions.svd}`, '--arm', `b=${versions.svdpp}`]),
    ).rejects.toThrow(/is running: stop it first/);
    await expect.poll(() => armOf('2'), { timeout: 10_000 }).toBe(`e${experimentId}.svd`);
    const before = new Map<string, string | null>();
    for (const u of users) before.set(u, await armOf(u));
    for (const u of users)
      expect(before.get(u)).toBe(`e${experimentId}.${Number(u) % 2 === 0 ? 'svd' : 'svdpp'}`);
    await api.stop();
    await startTheApi();
    await expect.poll(() => armOf('2'), { timeout: 10_000 }).toBe(`e${experimentId}.svd`);
    for (const u of users.slice(0, 40)) expect(await armOf(u)).toBe(before.get(u));
  });

  it('evaluates the replayed ratings online per arm, in batches of 1,000, and the report decides', async () => {
    // The user actors must know each user's served list (the exposure) before the ratings arrive.
    await expect
      .poll(
        async () => {
          let known = 0;
          for (const u of users) if (((await readStoredUser(redis, keys, u))?.served ?? 0) > 0) known++;
          return known;
        },
        { timeout: 30_000 },
      )
      .toBe(users.length);
    const now = Date.now();
    const rates: RateEvent[] = replayed.map((r, k) => ({
      type: 'rate',
      userId: r.userId,
      movieId: r.movieId,
      rating: Math.max(1, Math.round(r.rating)),
      at: now + k,
      eventId: eventIdForKey(`experiment-rate-${k}`),
    }));
    // Watches: the title at the top of the served list, for every third user, minutes after serving.
    const lists = await pool.query<{ user_id: string; items: string[] }>(
      'SELECT user_id, items FROM served_lists',
    );
    const watches: WatchEvent[] = lists.rows
      .filter((l) => Number(l.user_id) % 3 === 0 && l.items.length > 0)
      .map((l, k) => ({
        type: 'watch',
        userId: l.user_id,
        movieId: l.items[0] as string,
        minute: 1,
        at: now + 60_000,
        eventId: eventIdForKey(`experiment-watch-${k}`),
      }));
    await send([...rates, ...watches]);
    await expect
      .poll(
        async () => {
          const batches = await readBatches(pool, experimentId);
          return Math.min(...['svd', 'svdpp'].map((arm) => batches.filter((b) => b.arm === arm).length));
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(2);

    const dir = await mkdtemp(join(tmpdir(), 'experiment-report-'));
    try {
      const report = await marquee(['report', experimentId, '--out', dir]);
      expect(report.code, report.err.join('\n')).toBe(0);
      const text = report.out.join('\n');
      console.log(text);
      expect(text).toMatch(/svd batch RMSEs: \d\.\d{3} \d\.\d{3}/);
      expect(text).toMatch(/svdpp batch RMSEs: \d\.\d{3} \d\.\d{3}/);
      expect(text).toMatch(/MSE, per rating \(the seed's test; invalid\)/);
      expect(text).toMatch(/^decision \(look 1, rmse\): /m);
      const png = await readFile(join(dir, 'rmse-batches.png'));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const token = jwt.sign({ sub: 'ops', roles: ['admin'] }, scope.config.secrets.jwtSecret as string, {
      algorithm: 'HS256',
      expiresIn: 300,
    });
    const res = await fetch(`http://127.0.0.1:${api.port}/v1/experiments/${experimentId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as ExperimentReport;
    expect(json.arms.map((a) => a.name)).toEqual(['svd', 'svdpp']);
    for (const arm of json.arms) {
      expect(arm.batches.length).toBeGreaterThanOrEqual(2);
      expect(arm.exposedUsers).toBe(users.length / 2);
      expect(arm.ratings).toBeGreaterThanOrEqual(2_000);
      expect(arm.rmse).toBeGreaterThan(0.3);
      expect(arm.rmse).toBeLessThan(2);
      // Every third user watched the top title of a list: about a third of the lists led to a watch.
      expect(arm.watchThrough).toBeGreaterThan(0.15);
      expect(arm.watchThrough).toBeLessThan(0.6);
    }
    const [c] = json.comparisons;
    // Both tests ran on the same ratings; the per-rating one counts ratings as independent units.
    expect(Number.isFinite(c?.mse.perRating.p)).toBe(true);
    expect(Number.isFinite(c?.mse.perUser.p)).toBe(true);
    expect(c?.mse.perRating.df).toBeGreaterThan(10 * (c?.mse.perUser.df ?? Infinity));
    expect(json.srm.flagged).toBe(false);
    expect(['continue', 'a-better', 'b-better']).toContain(json.decision.verdict);
    expect(json.decision.look).toBe(2);
    expect(await (await fetch(`http://127.0.0.1:${api.port}/v1/experiments/${experimentId}`)).status).toBe(
      401,
    );

    // The worker's batches reach the API's /metrics (read every 2 s, off the scrape path).
    const scrape = async () => (await fetch(`http://127.0.0.1:${api.port}/metrics`)).text();
    const sample = (text: string, name: string) =>
      new RegExp(`^${name}\\{[^}]*arm="e${experimentId}\\.svdpp"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1];
    await expect
      .poll(async () => Number(sample(await scrape(), 'marquee_online_rmse_batches_total')), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(2);
    expect(Number(sample(await scrape(), 'marquee_online_rmse_stars'))).toBeCloseTo(
      json.arms[1]?.batches.at(-1)?.rmse ?? NaN,
      6,
    );
  });

  it('stops: every user is served the active model under the plain label again', async () => {
    const stopped = await marquee(['stop']);
    expect(stopped.code).toBe(0);
    await expect.poll(() => armOf('2'), { timeout: 10_000 }).toBe('a');
    const list = await marquee(['list']);
    expect(list.out.join('\n')).toMatch(new RegExp(`^\\s*${experimentId}  stopped `, 'm'));
  });
});
