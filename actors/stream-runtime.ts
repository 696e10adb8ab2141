/**
 * The composition root of the stream roles: builds the Kafka client, the idempotent producer, the
 * Redis client and the metrics, then starts the chosen roles. `marquee stream`, the tests and the
 * bench all start the stream through here, so they run the same code.
 */
import { createRedisClient } from '../src/store/redis-client.ts';
import { createThrottledLog } from '../src/lib/throttled-log.ts';
import type { Registry } from 'prom-client';
import type { Config } from '../config/load-config.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { TASK_DEFAULTS, type StreamRecord, type TaskOptions } from '../streams/tasks/partition-task.ts';
import { prepareTopics, topicNames } from '../streams/topics.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { STREAM_MODEL_DEFAULTS, type StreamModelOptions } from './model-options.ts';
import { fixedSpace, followActiveModel, seededSpace, type ModelSpaceSource } from './model-space.ts';
import { followExperiment, noExperiments } from './experiment-arms.ts';
import { createStreamMetrics } from './stream-metrics.ts';
import { REGISTRY_DEFAULTS, streamRoles, type RoleStarter, type RunningStreamRole } from './roles.ts';
import type { RegistryOptions } from './runtime/registry.ts';

/** How to run the stream; every field has a default. */
export interface StreamOptions {
  /** Roles to run (default: every role in `streamRoles`). */
  readonly roles?: readonly RoleStarter[];
  readonly model?: Partial<StreamModelOptions>;
  /**
   * Follow the model published in Redis (`model:active`): unseen users and movies start from its
   * vectors, and every actor moves onto each newly published version. Without it, seeded vectors
   * and no version changes (tests and benchmarks of the stream alone).
   */
  readonly fromActiveModel?: boolean;
  readonly tasks?: Partial<TaskOptions>;
  readonly registry?: Partial<RegistryOptions>;
  readonly sessionTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** Where the stream's instruments register (a role's prom-client registry). */
  readonly metrics?: Registry;
  readonly onCommit?: (group: string, records: readonly StreamRecord[], committedAt: number) => void;
  readonly onRatingFresh?: (seconds: number) => void;
  /** Called between producing a batch's outputs and committing it (crash tests' failpoint). */
  readonly afterProduce?: () => void;
  /**
   * Redis Cluster only: called in the middle of a batch's commit, when half of the slots it writes
   * hold their writes and the rest do not (the crash tests' worst moment on a cluster).
   */
  readonly midCommit?: () => void;
  /**
   * When Redis lost a group's offsets while Kafka shows it consumed (streams/tasks/lost-state.ts):
   * `refuse` (default: start fails with LostStateError) or `rebuild` from the earliest records.
   */
  readonly onLostState?: 'refuse' | 'rebuild';
}

/** A running stream process. */
export interface RunningStream {
  readonly roles: readonly RunningStreamRole[];
  /** The model version the actors live in now. */
  readonly space: ModelSpaceSource;
  /** Flushes batches in flight, commits them, leaves the groups and closes the clients. */
  stop(): Promise<void>;
}

/** Starts the stream roles against `config`'s Kafka and Redis. */
export async function startStream(config: Config, options: StreamOptions = {}): Promise<RunningStream> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const kafka = createKafka(config, 'stream');
  await prepareTopics(kafka, config);
  const redis = createRedisClient(config, { maxRetriesPerRequest: 3 });
  // It reconnects on its own; each failure is a line, not an "Unhandled error event" stack per retry.
  const redisLog = createThrottledLog(log);
  redis.on('error', (error: Error) => redisLog('stream: redis', error.message));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const keys = redisKeys(config.redis.keyPrefix);
  // The daily cap comes from the config (RATING_DAILY_CAP), as the retrain's does, unless overridden;
  // so does the served take-up weight on the popularity boards (SERVED_POPULARITY_WEIGHT).
  const base: StreamModelOptions = {
    ...STREAM_MODEL_DEFAULTS,
    dailyCap: config.dailyCap,
    servedPopularityWeight: config.servedPopularityWeight,
    ...options.model,
  };
  const space: ModelSpaceSource =
    options.fromActiveModel === true
      ? await followActiveModel(redis, keys, base, log)
      : fixedSpace(seededSpace(base));
  // The real stream (following published models) also follows the running experiment.
  const experiments =
    options.fromActiveModel === true ? await followExperiment(redis, keys, log) : noExperiments;
  const roles: RunningStreamRole[] = [];
  const started = options.roles ?? streamRoles;
  const ctx = {
    config,
    kafka,
    redis,
    keys,
    topics: topicNames(config),
    producer,
    space,
    experiments,
    tasks: { ...TASK_DEFAULTS, ...options.tasks },
    registry: { ...REGISTRY_DEFAULTS, ...options.registry },
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    log,
    afterProduce: options.afterProduce,
    midCommit: options.midCommit,
    ...(options.onLostState !== undefined && { onLostState: options.onLostState }),
    onCommit: (group: string, records: readonly StreamRecord[], at: number) => {
      metrics?.committed(
        group,
        records.reduce((n, r) => n + r.events, 0),
      );
      options.onCommit?.(group, records, at);
    },
    onRatingFresh: (seconds: number) => {
      metrics?.freshness(seconds);
      options.onRatingFresh?.(seconds);
    },
  };
  const metrics =
    options.metrics === undefined
      ? undefined
      : createStreamMetrics(options.metrics, {
          kinds: started.map((r) => r.name),
          groups: started.map((r) => r.name),
          actorsLive: (k) => roles.find((r) => r.name === k)?.registry?.size ?? 0,
          activations: (k) => roles.find((r) => r.name === k)?.registry?.activations ?? 0,
          passivations: (k) => roles.find((r) => r.name === k)?.registry?.passivations ?? 0,
          lag: (g) => roles.find((r) => r.name === g)?.group.lag() ?? 0,
          replaysDropped: () => roles.reduce((n, r) => n + (r.movieStats?.replaysDropped ?? 0), 0),
          capHits: () => roles.reduce((n, r) => n + (r.movieStats?.capHits ?? 0), 0),
          pushedTitles: () => roles.reduce((n, r) => n + (r.movieStats?.pushedTitles ?? 0), 0),
        });
  try {
    for (const role of started) roles.push(await role.start(ctx));
  } catch (error) {
    // A role that refuses (lost state) must not leave the others, the producer or Redis open.
    for (const role of [...roles].reverse()) await role.stop().catch(() => undefined);
    space.stop();
    experiments.stop();
    await producer.disconnect().catch(() => undefined);
    redis.disconnect();
    throw error;
  }
  return {
    roles,
    space,
    async stop() {
      for (const role of [...roles].reverse()) await role.stop();
      space.stop();
      experiments.stop();
      await producer.disconnect();
      redis.disconnect();
    },
  };
}
