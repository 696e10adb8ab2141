/**
 * The composition root of the stream roles: builds the Kafka client, the idempotent producer, the
 * Redis client and the metrics, then starts the chosen roles. `marquee stream`, the tests and the
 * bench all start the stream through here, so they run the same code.
 */
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Config } from '../config/load-config.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { TASK_DEFAULTS, type StreamRecord, type TaskOptions } from '../streams/tasks/partition-task.ts';
import { prepareTopics, topicNames } from '../streams/topics.ts';
import { svdFromArtifact } from '../src/model/svd-artifact.ts';
import { loadActiveModel } from '../src/store/model-store.ts';
import { redisKeys, type RedisKeys } from '../src/store/redis-keys.ts';
import { optionsFromModel } from './initial-factors.ts';
import { STREAM_MODEL_DEFAULTS, type StreamModelOptions } from './model-options.ts';
import { createStreamMetrics } from './stream-metrics.ts';
import { REGISTRY_DEFAULTS, streamRoles, type RoleStarter, type RunningStreamRole } from './roles.ts';
import type { RegistryOptions } from './runtime/registry.ts';

/** How to run the stream; every field has a default. */
export interface StreamOptions {
  /** Roles to run (default: every role in `streamRoles`). */
  readonly roles?: readonly RoleStarter[];
  readonly model?: Partial<StreamModelOptions>;
  /**
   * Start unseen users and movies from the model published in Redis (`model:active`), taking its μ
   * and factor count; without one, seeded vectors. Read once at start.
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
}

/** A running stream process. */
export interface RunningStream {
  readonly roles: readonly RunningStreamRole[];
  readonly model: StreamModelOptions;
  /** Flushes batches in flight, commits them, leaves the groups and closes the clients. */
  stop(): Promise<void>;
}

async function fromActiveModel(
  redis: Redis,
  keys: RedisKeys,
  model: StreamModelOptions,
  log: (line: string) => void,
): Promise<StreamModelOptions> {
  try {
    const published = await loadActiveModel(redis, keys);
    if (published === null) {
      log(
        `stream: no published model; unseen users and movies start from seeded vectors (${model.factors} factors)`,
      );
      return model;
    }
    const next = optionsFromModel(svdFromArtifact(published.artifact), model);
    log(
      `stream: starting unseen users and movies from model ${published.version} (${next.factors} factors, μ ${next.mu.toFixed(3)})`,
    );
    return next;
  } catch (error) {
    // A model the stream cannot continue from (not biased MF, corrupt): seeded vectors still work.
    log(
      `stream: cannot start from the published model (${error instanceof Error ? error.message : String(error)}); using seeded vectors`,
    );
    return model;
  }
}

/** Starts the stream roles against `config`'s Kafka and Redis. */
export async function startStream(config: Config, options: StreamOptions = {}): Promise<RunningStream> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const kafka = createKafka(config, 'stream');
  await prepareTopics(kafka, config);
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 3 });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const keys = redisKeys(config.redis.keyPrefix);
  let model: StreamModelOptions = { ...STREAM_MODEL_DEFAULTS, ...options.model };
  if (options.fromActiveModel === true) model = await fromActiveModel(redis, keys, model, log);
  const roles: RunningStreamRole[] = [];
  const started = options.roles ?? streamRoles;
  const ctx = {
    config,
    kafka,
    redis,
    keys,
    topics: topicNames(config),
    producer,
    model,
    tasks: { ...TASK_DEFAULTS, ...options.tasks },
    registry: { ...REGISTRY_DEFAULTS, ...options.registry },
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    log,
    afterProduce: options.afterProduce,
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
        });
  for (const role of started) roles.push(await role.start(ctx));
  return {
    roles,
    model,
    async stop() {
      for (const role of [...roles].reverse()) await role.stop();
      await producer.disconnect();
      redis.disconnect();
    },
  };
}
