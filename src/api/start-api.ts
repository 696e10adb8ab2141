import { serve, type ServerType } from '@hono/node-server';
import { createRedisClient } from '../store/redis-client.ts';
import { redisWhere } from '../store/redis-check.ts';
import { Partitioners } from 'kafkajs';
import { Counter } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Config } from '../../config/load-config.ts';
import { clusterMetricsText } from '../../otel/cluster-metrics.ts';
import { createMetricsRegistry } from '../../otel/metrics.ts';
import { defaultLiveHeadCap } from '../guardrails/debias.ts';
import { attributes, metrics, spans } from '../../otel/names.ts';
import { inSpan, startTracing, traceparentOf } from '../../otel/tracing.ts';
import { singleTraceHeader } from '../../streams/trace-headers.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { ensureTopics, topicNames } from '../../streams/topics.ts';
import { createCourseServices } from '../data/course-services.ts';
import { GLOBAL_COHORT, readPopular, readSafeList } from '../store/popular-lists.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { createApp } from './app.ts';
import { ListenError, listenErrorMessage } from './listen-check.ts';
import { createFallbackList } from '../serving/fallback-list.ts';
import { defaultGuardrailSettings, type GuardrailSettings } from '../serving/guardrail-settings.ts';
import { createLiveHeadCap } from '../serving/head-cap.ts';
import { registerLiveMetrics } from '../serving/live-metrics.ts';
import { createLiveSignals } from '../serving/live-signals.ts';
import { createExperimentFollower } from '../serving/experiment-follower.ts';
import { registerExperimentMetrics } from '../serving/experiment-metrics.ts';
import { registerModelMetrics } from '../serving/model-metrics.ts';
import { createModelHolder } from '../serving/model-holder.ts';
import { experimentReport } from '../experiments/experiment-report.ts';
import { createPool } from '../store/postgres/pool.ts';
import { createPopularityHolder } from '../serving/popularity-holder.ts';
import { createRecommender, type DemographicsSource } from '../serving/recommender.ts';
import { createServedRecorder } from '../serving/served-log/served-recorder.ts';
import { startServedSinksThread } from '../serving/served-log/served-sinks-thread.ts';
import { BudgetExceededError, sleep, withTimeout } from '../lib/time.ts';
import { createThrottledLog } from '../lib/throttled-log.ts';

/** Run-time options of `marquee api` beyond the config. */
export interface ApiRunOptions {
  readonly port?: number;
  readonly settings?: GuardrailSettings;
  readonly corsOrigins?: readonly string[];
  /** Requests per IP per window on /v1 (default 100 per 1 s). */
  readonly ratePoints?: number;
  readonly rateWindowSec?: number;
  /**
   * Where ages and genders come from for users whose state has none (default: the course's user
   * service at METADATA_URL, if set). `marquee demo` passes its synthetic world's users.
   */
  readonly demographics?: DemographicsSource;
  /** Bounds of the HTTP server (default API_SERVER_LIMITS). */
  readonly limits?: Partial<ApiServerLimits>;
  readonly log?: (line: string) => void;
  /** One of `marquee api --workers N`: /metrics answers for all workers (otel/cluster-metrics.ts). */
  readonly clustered?: boolean;
}

/** The HTTP server's bounds (ApiRunOptions.limits overrides any of them). */
export interface ApiServerLimits {
  /** Open connections at most; more are closed as they arrive. */
  readonly maxConnections: number;
  /** Time to receive a request's headers (slow-header clients). */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request (slow-body clients; bodies are at most 16 KiB). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
}

/**
 * Defaults: the course allows 600 ms per answer, so a client that has not sent its headers in 5 s
 * or its request in 10 s is broken or hostile; 1,000 connections sit under the usual limit of 1,024
 * open files a process gets.
 */
export const API_SERVER_LIMITS: ApiServerLimits = {
  maxConnections: 1_000,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
};

/** The per-IP throttle on /v1 by default: 100 requests per address per second (the sims use it too). */
export const API_RATE_LIMIT = { points: 100, windowSec: 1 } as const;

/** A running API: its address and a stop that drains and closes every client. */
export interface RunningApi {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Counts one rating against a subject's daily quota unless it is spent: `withinQuota`'s rule, in
 * Redis so the check and the count are one step (ARGV[1] ratings per day, 0 none; ARGV[2] the count's
 * lifetime in seconds). Answers 1 when counted, 0 when refused.
 */
const SPEND_QUOTA = `
local limit = tonumber(ARGV[1])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if limit > 0 and used >= limit then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** The composition root of the API role: clients, model holder, recommender, app and server. */
export async function startApi(config: Config, options: ApiRunOptions = {}): Promise<RunningApi> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { share: headShare, ...liveCap } = config.headCap;
  const settings = options.settings ?? {
    ...defaultGuardrailSettings,
    debias: { ...defaultGuardrailSettings.debias, maxHeadShare: headShare },
  };
  const keys = redisKeys(config.redis.keyPrefix);
  const stopTracing = startTracing({
    role: 'api',
    otlpEndpoint: config.otlpEndpoint,
    sampleRatio: config.traceSampleRatio,
  });
  const registry = createMetricsRegistry('api', process.env['npm_package_version'] ?? '0.1.0');
  // Fail fast while Redis is down (no offline queue): the recommender answers from its fallback.
  const redisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 250 };
  const redis = createRedisClient(config, redisOptions);
  // The subscriber keeps ioredis's offline queue: its SUBSCRIBE goes through whenever Redis comes up.
  const subscriber = createRedisClient(config);
  const logError = createThrottledLog(log);
  const clientErrors = new Counter({
    name: metrics.clientErrors,
    help: 'Errors reported by Redis and Kafka clients (they reconnect by themselves)',
    labelNames: ['client'],
    registers: [registry],
  });
  // ioredis reconnects by itself; without a listener an 'error' event would crash the process.
  for (const [name, client] of [
    ['redis', redis],
    ['redis-subscriber', subscriber],
  ] as const)
    client.on('error', (error: Error) => {
      clientErrors.inc({ client: name });
      logError(name, error.message);
    });
  const fallback = createFallbackList();
  // With no model and no popular list there is nothing to answer with: the course's contract takes
  // an empty 200 (better than an error), and the log says why, once and then throttled.
  const whyEmpty = () =>
    redis.status === 'ready'
      ? 'no model published and no popular list in Redis yet (`marquee worker` writes both)'
      : `no model loaded and no popular list: ${redisWhere(config)} is not reachable`;
  const refreshFallback = async () => {
    const serving = models.current();
    // Before the first model: the worker's live list of popular titles safe for every age.
    if (serving === undefined) {
      const safe = await readSafeList(redis, keys).catch(() => []);
      // A model may have loaded (and filled the list from itself) while the safe list was read.
      if (models.current() === undefined) fallback.update(safe);
      return;
    }
    fallback.update(serving.safeForAll.map((i) => serving.catalogue.itemIds[i] as string));
    const popular = await readPopular(redis, keys, GLOBAL_COHORT, 500).catch(() => []);
    const safe = popular.filter((id) => {
      const i = serving.catalogue.indexOf(id);
      return i !== undefined && serving.masks.allowed(null, i);
    });
    fallback.update(safe.slice(0, 100));
  };
  const models = createModelHolder({
    redis,
    subscriber,
    keys,
    settings,
    onLoad: (m) => {
      log(`model ${m.version} loaded: ${m.model.nItems} movies × ${m.model.data.factors} factors`);
      void refreshFallback();
    },
    onError: (error) => log(`model load failed, keeping the current one: ${String(error)}`),
  });
  // The client fails fast without an offline queue: wait (bounded) for its connection, or the first
  // model load fails with "Stream isn't writeable" and the API starts on the fallback list.
  await withTimeout(
    new Promise((resolve) => (redis.status === 'ready' ? resolve(undefined) : redis.once('ready', resolve))),
    2_000,
    'redis connection',
  ).catch(() => log('redis not reachable yet; serving the fallback list until it is'));
  await withTimeout(models.start(), 2_000, 'model subscription').catch((error: unknown) =>
    log(`no model yet (${String(error)}); serving the fallback list until one is published`),
  );
  const periodic = setInterval(() => void models.refresh().then(refreshFallback), 30_000);
  periodic.unref();
  // Until a model loads, the safe list is all there is to answer with: read it often.
  await refreshFallback();
  if (fallback.size === 0) log(`/recommend answers an empty line (200) for now: ${whyEmpty()}`);
  const early = setInterval(() => {
    if (models.current() === undefined) void refreshFallback();
  }, 5_000);
  early.unref();
  // Live popularity for the ranking blend, read from the stream's boards every 5 s off the request path.
  const popularity = createPopularityHolder({
    redis,
    keys,
    models,
    onError: (error) => logError('popularity boards', error instanceof Error ? error.message : String(error)),
  });
  popularity.start();

  const kafka = createKafka(config, 'api');
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let kafkaUp = false;
  producer.on(producer.events.CONNECT, () => (kafkaUp = true));
  producer.on(producer.events.DISCONNECT, () => (kafkaUp = false));
  const topics = topicNames(config);
  const stopping = new AbortController();
  // Kafka may be down when the API starts: keep trying (1 s doubling to 30 s) until the topics exist
  // and the producer is connected; until then ratings answer 503 and served lists wait (bounded).
  // Settles on success, or on stop so nothing waits for it forever.
  const topicsReady = (async () => {
    for (let attempt = 1; !stopping.signal.aborted; attempt++) {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await ensureTopics(admin, config, [topics.served, topics.userEvents]);
        await producer.connect();
        if (attempt > 1) log(`kafka reachable after ${attempt} attempts: ratings and served lists flow`);
        return;
      } catch (error) {
        clientErrors.inc({ client: 'kafka' });
        logError('kafka not reachable yet, retrying', String(error));
        await sleep(Math.min(30_000, 1_000 * 2 ** (attempt - 1)), stopping.signal).catch(() => undefined);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
  })();
  const dropped = new Counter({
    name: metrics.servedDropped,
    help: 'Served-list events that could not be recorded',
    registers: [registry],
  });
  // Kafka and leaderboard writes of served lists run in a worker thread, off the request loop.
  const sinks = startServedSinksThread(config, topicsReady, (client, message) => {
    clientErrors.inc({ client });
    logError(client, message);
  });
  const served = createServedRecorder({
    publish: sinks.publish,
    countServed: sinks.countServed,
    onDropped: (n) => dropped.inc(n),
  });
  // Feedback-loop signals from the Redis boards, read off the request path (docs/fairness.md): on
  // /metrics, on the /live page, and driving the popularity cap the recommender ranks with.
  const live = createLiveSignals({
    redis,
    keys,
    models,
    onError: (error) => logError('live signals', error instanceof Error ? error.message : String(error)),
  });
  live.start();
  const headCap = createLiveHeadCap(settings, live, { ...defaultLiveHeadCap, ...liveCap });
  registerLiveMetrics(registry, live, headCap.maxHeadShare);
  registerModelMetrics(registry, models);
  const course =
    config.metadataUrl === undefined
      ? undefined
      : createCourseServices({ baseUrl: config.metadataUrl, timeoutMs: 500, retries: 1 });
  const demographics: DemographicsSource | undefined =
    options.demographics ??
    (course &&
      (async (userId) => {
        const r = await course.user(userId);
        return r.status === 'found' ? { age: r.value.age, gender: r.value.gender } : null;
      }));
  const fallbacks = new Counter({
    name: metrics.recommendFallbacks,
    help: 'Recommendations answered from the fallback list because something failed',
    labelNames: ['kind'],
    registers: [registry],
  });
  // The running experiment: its arms' models held beside the active one, each user's arm, online RMSE on /metrics.
  const experiments = createExperimentFollower({
    redis,
    keys,
    models,
    onChange: (e) =>
      log(
        e === null
          ? 'no experiment running'
          : `experiment ${e.id} running: ${e.arms.map((a) => `${a.name}=v${a.version}`).join(', ')}`,
      ),
    onError: (error) => logError('experiment', error instanceof Error ? error.message : String(error)),
  });
  await withTimeout(experiments.start(), 5_000, 'experiment').catch((error: unknown) =>
    log(`experiment not read yet (${String(error)}); serving without it until it is`),
  );
  registerExperimentMetrics(registry, experiments);
  // Postgres only for experiment reports (GET /v1/experiments/:id), never on the request path.
  const pool = createPool(config.postgres, 2);
  const recommend = createRecommender({
    redis,
    keys,
    models,
    experiments,
    settings: headCap.settings,
    fallback,
    popularity,
    ...(demographics && { demographics }),
    onFallback(error) {
      const kind = error instanceof BudgetExceededError ? 'timeout' : 'error';
      fallbacks.inc({ kind });
      logError(`recommend fell back (${kind})`, error instanceof Error ? error.message : String(error));
      if (fallback.size === 0) logError('recommend answered an empty line', whyEmpty());
    },
  });
  const points = options.ratePoints ?? API_RATE_LIMIT.points;
  const duration = options.rateWindowSec ?? API_RATE_LIMIT.windowSec;
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: keys.rateLimitPrefix(),
    points,
    duration,
    insuranceLimiter: new RateLimiterMemory({ points, duration }),
  });
  const auth = {
    secret: config.secrets.jwtSecret,
    publicKey: config.secrets.jwtPublicKey,
    maxAgeSec: config.auth.maxAgeSec,
    audience: config.auth.audience,
    issuer: config.auth.issuer,
  };
  const app = createApp({
    recommendations: {
      recommend,
      served,
      noiseSecret: config.secrets.noiseSecret,
      noise: settings.noise,
      rankNoise: {
        secret: config.secrets.noiseSecret,
        options: config.rankNoise,
        minGenres: settings.diversify.minGenres,
      },
      auth,
    },
    ratings: {
      auth,
      publish: async (event) => {
        // Not connected yet (Kafka down since start): a quick 503, not kafkajs's 30 s of retries.
        if (!kafkaUp) throw new Error('kafka not connected');
        // A sampled rating's context travels in the record's headers (W3C traceparent) to the actors.
        await inSpan(spans.apiPublish, { [attributes.topic]: topics.userEvents }, async (span) => {
          const traceparent = traceparentOf(span);
          await producer.send({
            topic: topics.userEvents,
            messages: [
              {
                key: event.userId,
                value: JSON.stringify(event),
                ...(traceparent !== undefined && { headers: singleTraceHeader(traceparent) }),
              },
            ],
          });
        });
      },
      // SET NX GET (Redis 7): claims the key, or answers the record that holds it, in one step.
      claimKey: (key, record, ttlSec) => redis.set(keys.idempotency(key), record, 'EX', ttlSec, 'NX', 'GET'),
      completeKey: async (key, record, ttlSec) =>
        void (await redis.set(keys.idempotency(key), record, 'EX', ttlSec)),
      releaseKey: async (key) => void (await redis.del(keys.idempotency(key))),
      quota: {
        perDay: config.auth.ratingQuota,
        async spend(subject, day, perDay) {
          // One script: the check and the count together, so concurrent ratings of one subject can
          // neither both pass the last slot nor refuse each other; no reply is an error (503).
          const spent = await redis.eval(SPEND_QUOTA, 1, keys.ratingQuota(subject, day), perDay, 2 * 86_400);
          if (spent !== 0 && spent !== 1) throw new Error(`quota script answered ${String(spent)}`);
          return spent === 1;
        },
        refund: async (subject, day) => void (await redis.decr(keys.ratingQuota(subject, day))),
      },
    },
    experiments: {
      auth,
      report: (id) => experimentReport({ pool, redis, keys }, id, { look: true }),
      onError: (error) =>
        logError('experiment report', error instanceof Error ? error.message : String(error)),
    },
    registry,
    ...(options.clustered === true && { metricsText: clusterMetricsText(registry) }),
    live: { signals: live, headCap: headCap.maxHeadShare },
    readiness: {
      model: async () => models.current() !== undefined,
      redis: async () => (await redis.ping()) === 'PONG',
      kafka: async () => kafkaUp,
    },
    rateLimit: { limiter },
    ...(options.corsOrigins && { corsOrigins: options.corsOrigins }),
    log: (error) =>
      log(`unhandled: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  });
  const limits = { ...API_SERVER_LIMITS, ...options.limits };
  /** Everything started above winds down in this order; the server closes after `pause`. */
  const pause = async () => {
    stopping.abort();
    clearInterval(periodic);
    clearInterval(early);
    experiments.stop();
    await popularity.stop();
  };
  const release = async () => {
    await served.stop();
    await sinks.stop();
    await live.stop();
    await models.stop();
    await producer.disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
    redis.disconnect();
    subscriber.disconnect();
    await stopTracing();
  };
  const port = options.port ?? config.api.port;
  const server: ServerType = await new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: config.api.host,
        port,
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          // How often Node checks the two timeouts above (default 30 s would let them overrun).
          connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
        },
      },
      () => {
        // Listening: later server errors (e.g. EMFILE on accept) are logged, not taken for a failed start.
        s.off('error', onListenError);
        s.on('error', (error: Error) => logError('http server', error.message));
        resolve(s);
      },
    );
    // A port in use (or not ours to take) fails the start with one line, not an unhandled 'error'.
    const onListenError = (error: Error) =>
      reject(new ListenError(listenErrorMessage(error, config.api.host, port)));
    s.once('error', onListenError);
    // Past the cap Node closes new connections at once: memory and file descriptors stay bounded.
    s.maxConnections = limits.maxConnections;
  }).catch(async (error: unknown) => {
    await pause();
    await release();
    throw error;
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    async stop() {
      await pause();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await release();
    },
  };
}
