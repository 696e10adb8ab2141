/**
 * The course around Marquee, on one machine, for the end-to-end test and the course check: an
 * isolated scope (topics, Redis keys, Postgres schema), a stand-in of the course's user/movie services
 * as METADATA_URL, Marquee as `marquee up --no-services` child processes on a free port, and the
 * course's lines played into the movielog topic. Everything it starts, `stop` ends; the scope is
 * cleaned unless kept.
 */
import { createServer, type AddressInfo } from 'node:net';
import type pg from 'pg';
import { metrics } from '../../otel/names.ts';
import { prepareTopics, topicNames } from '../../streams/topics.ts';
import type { CoursePlay } from '../../src/data/course-play.ts';
import {
  startCourseStandIn,
  type CourseStandIn,
  type CourseStandInOptions,
} from '../../src/data/course-stand-in.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { produceReplay } from '../../src/data/replay-producer.ts';
import { waitUntil } from '../../src/lib/time.ts';
import { loadModelVersion, readActiveVersion } from '../../src/store/model-store.ts';
import { readVersion, type ModelVersionRow } from '../../src/store/postgres/model-versions.ts';
import { redisKeys } from '../../src/store/redis-keys.ts';
import { createTestScope, type TestScope } from '../isolation.ts';
import { callRecommend } from './recommend-calls.ts';
import { linesIngested, waitForCaughtUp } from './stream-checks.ts';
import { alive, spawnUp, type UpProcess } from './marquee-up-process.ts';

/** What to run. */
export interface CourseStackOptions {
  /** Names the scope (topic prefix, Redis prefix, schema). */
  readonly label: string;
  /** Served by the stand-in (every user and movie, held-out ones included, as the course's services). */
  readonly dataset: Dataset;
  readonly standIn?: CourseStandInOptions;
  /** More environment for every role (RETRAIN_MIN_RATINGS, RETRAIN_CHECK_INTERVAL, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Every output line of `marquee up` (prefixed by role). */
  readonly onUpLine?: (line: string) => void;
}

/** A published model's movies: those it carries metadata for (the rest serve as undescribed), and the adult ones. */
export interface PublishedCatalogue {
  readonly items: number;
  readonly described: ReadonlySet<string>;
  readonly adult: ReadonlySet<string>;
}

/** A running course stack. */
export interface CourseStack {
  readonly scope: TestScope;
  readonly standIn: CourseStandIn;
  readonly up: UpProcess;
  /** e.g. `http://127.0.0.1:41234`. */
  readonly apiUrl: string;
  /** Waits until `marquee up` says its API answers (throws with its output on timeout). */
  waitForApiReady(timeoutMs: number): Promise<void>;
  /** The scope's Postgres (migrated). */
  postgres(): Promise<pg.Pool>;
  /** Plays the messages into the movielog topic, flat out; resolves with the lines sent. */
  play(play: CoursePlay, onProgress?: (sent: number) => void): Promise<number>;
  /** Waits until ingest, both actor groups and the sink hold every line of `play` (throws on timeout). */
  waitCaughtUp(play: CoursePlay, timeoutMs: number): Promise<void>;
  /** Waits for an active model the worker published that `accept`s (throws on timeout, with up's output). */
  waitForModel(accept: (row: ModelVersionRow) => boolean, timeoutMs: number): Promise<ModelVersionRow>;
  /** A published version's movies, and how many of them came with metadata (and were flagged adult). */
  publishedCatalogue(version: string): Promise<PublishedCatalogue>;
  /**
   * Waits until the API answers `probeUser` from `version`, or from the version active when it
   * answers: the worker may publish a newer one (a growth retrain) after `version` was read, and the
   * API then rightly never serves `version` again. Throws on timeout, with up's output.
   */
  waitForApi(version: string, probeUser: string, timeoutMs: number): Promise<void>;
  /**
   * Waits until the API serves `version` with at least `described` titles carrying metadata (its
   * `/metrics`: every worker rebuilt on the worker's catalogue notice); false on timeout.
   */
  waitForApiCatalogue(version: string, described: number, timeoutMs: number): Promise<boolean>;
  /** Stops `marquee up` and the stand-in; cleans the scope unless `keep`. Never throws for a stop. */
  stop(options?: { keep?: boolean }): Promise<{ upExit: number | null; leftovers: number[] }>;
}

/** Whether an API's `/metrics` text says it serves `version` with at least `described` described titles. */
export function servesCatalogue(metricsText: string, version: string, described: number): boolean {
  const info = new RegExp(`^${metrics.modelVersionInfo}\\{[^}]*\\bversion="${version}"[^}]*\\} 1$`, 'm');
  const movies = new RegExp(`^${metrics.modelDescribedMovies}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(
    metricsText,
  );
  return info.test(metricsText) && movies !== null && Number(movies[1]) >= described;
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the stand-in and `marquee up --no-services` in a fresh scope; resolves as soon as `marquee up`
 * is spawned, so a caller can stop it whatever happens next (then `waitForApiReady`).
 */
export async function startCourseStack(options: CourseStackOptions): Promise<CourseStack> {
  const scope = createTestScope(options.label);
  const prefix = scope.config.kafka.topicPrefix;
  // The ingest and sink groups are <KAFKA_CLIENT_ID>-ingest/-sink: keep them under the scope's prefix.
  const clientId = `${prefix}marquee`;
  for (const group of ['marquee-ingest', 'marquee-sink', 'user-actors', 'movie-actors']) scope.groupId(group);
  let standIn: CourseStandIn | undefined;
  let port: number;
  try {
    await prepareTopics(scope.kafka, scope.config);
    standIn = await startCourseStandIn(options.dataset, options.standIn);
    port = await freePort();
  } catch (error) {
    await standIn?.close();
    await scope.cleanup().catch(() => undefined);
    throw error;
  }
  const up = spawnUp(
    ['--no-services'],
    {
      ...scope.env,
      KAFKA_CLIENT_ID: clientId,
      API_PORT: String(port),
      METADATA_URL: standIn.url,
      ...options.env,
    },
    options.onUpLine,
  );
  const keys = redisKeys(scope.config.redis.keyPrefix);
  const redis = scope.redis();
  const apiUrl = `http://127.0.0.1:${port}`;
  let pool: Promise<pg.Pool> | undefined;
  const stack: CourseStack = {
    scope,
    standIn,
    up,
    apiUrl,
    async waitForApiReady(timeoutMs) {
      if (!(await up.seen(/^API ready: /m, timeoutMs)))
        throw new Error(
          `marquee up did not announce its API within ${timeoutMs} ms:\n${up.output().slice(-4_000)}`,
        );
    },
    postgres: () => (pool ??= scope.postgres()),
    play: (play, onProgress) =>
      produceReplay(scope.kafka, topicNames(scope.config).movielog, play.messages, {
        ...(onProgress && { onProgress }),
      }),
    async waitCaughtUp(play, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const topics = topicNames(scope.config);
      const admin = scope.kafka.admin();
      await admin.connect();
      let ingested = 0;
      try {
        const ok = await waitUntil(
          async () =>
            (ingested = await linesIngested(admin, `${clientId}-ingest`, topics.movielog)) >=
            play.messages.length,
          timeoutMs,
          250,
        );
        if (!ok.ok)
          throw new Error(`ingest took ${ingested} of ${play.messages.length} lines in ${timeoutMs} ms`);
      } finally {
        await admin.disconnect();
      }
      await waitForCaughtUp(scope.kafka, redis, keys, scope.config, Math.max(1, deadline - Date.now()), {
        transactionalInput: true,
      });
      const pool = await stack.postgres();
      const want = { ratings: play.delivered.ratings.length, watches: play.delivered.watches.length };
      let got = { ratings: 0, watches: 0 };
      const sunk = await waitUntil(
        async () => {
          const r = await pool.query<{ r: string; w: string }>(
            'SELECT (SELECT count(*) FROM ratings) AS r, (SELECT count(*) FROM watches) AS w',
          );
          got = { ratings: Number(r.rows[0]?.r ?? 0), watches: Number(r.rows[0]?.w ?? 0) };
          return got.ratings >= want.ratings && got.watches >= want.watches;
        },
        Math.max(1, deadline - Date.now()),
        250,
      );
      if (!sunk.ok)
        throw new Error(
          `the sink stored ${got.ratings}/${want.ratings} ratings and ${got.watches}/${want.watches} watches`,
        );
    },
    async waitForModel(accept, timeoutMs) {
      const pool = await stack.postgres();
      let found: ModelVersionRow | null = null;
      const ok = await waitUntil(
        async () => {
          const active = await readActiveVersion(redis, keys);
          const row = active === null ? null : await readVersion(pool, active);
          found = row !== null && accept(row) ? row : null;
          return found !== null;
        },
        timeoutMs,
        500,
      );
      if (!ok.ok || found === null)
        throw new Error(
          `no accepted model within ${timeoutMs} ms; marquee up said:\n${up.output().slice(-4_000)}`,
        );
      return found;
    },
    async publishedCatalogue(version) {
      const published = await loadModelVersion(redis, keys, version);
      if (published === null) throw new Error(`model ${version} is not stored`);
      return {
        items: published.artifact.itemIds.length,
        described: new Set(published.movies.map((m) => m.movieId)),
        adult: new Set(published.movies.filter((m) => m.adult).map((m) => m.movieId)),
      };
    },
    async waitForApi(version, probeUser, timeoutMs) {
      let served: string | null = null;
      let active: string | null = null;
      const ok = await waitUntil(
        async () => {
          served = (await callRecommend(apiUrl, probeUser, 2_000)).modelVersion;
          if (served === version) return true;
          active = await readActiveVersion(redis, keys);
          return served !== null && served === active;
        },
        timeoutMs,
        250,
      );
      if (!ok.ok)
        throw new Error(
          `the API did not serve model ${version} (nor the active one) within ${timeoutMs} ms: it served ` +
            `${served ?? 'no answer'}, the active model is ${active ?? 'none'}; marquee up said:\n${up.output().slice(-4_000)}`,
        );
    },
    async waitForApiCatalogue(version, described, timeoutMs) {
      const ok = await waitUntil(
        async () => {
          const text = await fetch(`${apiUrl}/metrics`).then((r) => (r.ok ? r.text() : ''));
          return servesCatalogue(text, version, described);
        },
        timeoutMs,
        250,
      );
      return ok.ok;
    },
    async stop(stopOptions = {}) {
      const upExit = await up.stop();
      const leftovers = up.pids().filter(alive);
      await standIn.close().catch(() => undefined);
      if (stopOptions.keep !== true) await scope.cleanup();
      else {
        redis.disconnect();
        await (await pool)?.end();
      }
      return { upExit, leftovers };
    },
  };
  return stack;
}
