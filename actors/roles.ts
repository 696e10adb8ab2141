/**
 * The actor roles of `marquee stream`: user actors and movie actors, each a consumer group of
 * partition tasks (streams/tasks/) running its stage. More processes running the same roles share
 * the partitions. Ingest, the stream's third role, is not an actor role: `marquee stream` starts it
 * beside these from src/cli/ingest-role.ts (`--only` picks among the three).
 */
import type { Redis } from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import type { Config } from '../config/load-config.ts';
import { spans } from '../otel/names.ts';
import { topicPartitioner } from '../streams/event-pack.ts';
import { createOffsetStore } from '../src/state/offset-store.ts';
import { TASK_DEFAULTS, type StreamRecord, type TaskOptions } from '../streams/tasks/partition-task.ts';
import type { RunningRole } from '../streams/running-role.ts';
import type { Topics } from '../streams/topics.ts';
import type { RedisKeys } from '../src/store/redis-keys.ts';
import { startTaskGroup, type TaskGroup } from '../streams/tasks/consumer-group.ts';
import type { ModelSpaceSource } from './model-space.ts';
import { createMovieStage, type MovieStageStats } from './movie/movie-stage.ts';
import type { MovieState } from './movie/movie-actor.ts';
import { ActorRegistry, type RegistryOptions } from './runtime/registry.ts';
import { createUserStage } from './user/user-stage.ts';
import type { StreamExperimentSource } from './experiment-arms.ts';
import type { UserState } from './user/user-actor.ts';

/** Everything a role may use; built once by the composition root. */
export interface RoleContext {
  readonly config: Config;
  readonly kafka: Kafka;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly topics: Topics;
  /** The idempotent producer every role shares. */
  readonly producer: Producer;
  /** The model version the actors live in (followed while running). */
  readonly space: ModelSpaceSource;
  /** The running A/B experiment, evaluated online by the user actors. */
  readonly experiments?: StreamExperimentSource;
  readonly tasks: TaskOptions;
  readonly registry: RegistryOptions;
  readonly sessionTimeoutMs: number;
  readonly log: (line: string) => void;
  /** Called after every committed batch of a group. */
  readonly onCommit: (group: string, records: readonly StreamRecord[], committedAt: number) => void;
  /** Called between producing a batch's outputs and committing it (crash tests' failpoint). */
  readonly afterProduce: (() => void) | undefined;
  /** Redis Cluster only: called mid-commit, half of the batch's slots written (crash tests' failpoint). */
  readonly midCommit?: (() => void) | undefined;
  /** Called per committed rating with the seconds from Kafka to the user's factors in Redis. */
  readonly onRatingFresh: (seconds: number) => void;
  /** When Redis lost a group's offsets: refuse (default) or rebuild from Kafka (lost-state.ts). */
  readonly onLostState?: 'refuse' | 'rebuild';
}

/** A running actor role. */
export interface RunningStreamRole extends RunningRole {
  readonly group: TaskGroup;
  /** Live actors and passivations of the role's actor kind. */
  readonly registry?: ActorRegistry<UserState> | ActorRegistry<MovieState>;
  readonly movieStats?: MovieStageStats;
}

/** Starts one role. */
export interface RoleStarter {
  readonly name: string;
  start(ctx: RoleContext): Promise<RunningStreamRole>;
}

const RATE_TYPE = Buffer.from('"type":"rate"');

/** Default bounds of the actor registries: 100k live actors, passivated after 5 idle minutes. */
export const REGISTRY_DEFAULTS: RegistryOptions = { maxLive: 100_000, idleMs: 5 * 60_000 };

/**
 * Joins one actor kind's consumer group: the shared wiring of both roles. After each commit the
 * registry passivates idle actors (only between committed batches) and the context hears of it.
 */
function joinGroup(
  ctx: RoleContext,
  groupId: string,
  topic: string,
  stage: Parameters<typeof startTaskGroup>[0]['stage'],
  offsets: ReturnType<typeof createOffsetStore>,
  registry: { passivate(): void },
  extra: {
    afterProduce?: (() => void) | undefined;
    onCommitted?: (records: readonly StreamRecord[], at: number) => void;
    /** The span of each traced event the group receives (otel/names.ts). */
    eventSpan: string;
  },
): Promise<TaskGroup> {
  return startTaskGroup({
    eventSpan: extra.eventSpan,
    kafka: ctx.kafka,
    groupId,
    topic,
    stage,
    offsets,
    producer: ctx.producer,
    taskOptions: ctx.tasks,
    sessionTimeoutMs: ctx.sessionTimeoutMs,
    log: ctx.log,
    afterProduce: extra.afterProduce,
    ...(ctx.onLostState !== undefined && { onLostState: ctx.onLostState }),
    onCommit(records, committedAt) {
      registry.passivate();
      ctx.onCommit(groupId, records, committedAt);
      extra.onCommitted?.(records, committedAt);
    },
  });
}

/** The user actors: `user-events` → p_u, b_u, history → `movie-events`. */
export const userRole: RoleStarter = {
  name: 'user',
  async start(ctx) {
    const groupId = `${ctx.config.kafka.topicPrefix}user-actors`;
    const registry = new ActorRegistry<UserState>(ctx.registry);
    const offsets = createOffsetStore(ctx.redis, ctx.keys, groupId, ctx.midCommit);
    const moviePartition = await topicPartitioner(ctx.kafka, ctx.topics.movieEvents);
    const stage = createUserStage({ ...ctx, registry, moviePartition });
    const group = await joinGroup(ctx, groupId, ctx.topics.userEvents, stage, offsets, registry, {
      afterProduce: ctx.afterProduce,
      eventSpan: spans.userReceive,
      onCommitted(records, committedAt) {
        // Kafka's timestamp is when the rating entered Kafka: one sample per rating in the pack. A
        // byte search, not a second decode: the stage validated the records, and this only feeds a
        // latency histogram.
        for (const { value, timestamp } of records) {
          if (value === null) continue;
          const seconds = (committedAt - timestamp) / 1000;
          for (let at = value.indexOf(RATE_TYPE); at >= 0; at = value.indexOf(RATE_TYPE, at + 1))
            ctx.onRatingFresh(seconds);
        }
      },
    });
    return { name: 'user', group, registry, stop: () => group.stop() };
  },
};

/** The movie actors: `movie-events` → q_i, b_i, counters, boards. */
export const movieRole: RoleStarter = {
  name: 'movie',
  async start(ctx) {
    const groupId = `${ctx.config.kafka.topicPrefix}movie-actors`;
    const registry = new ActorRegistry<MovieState>(ctx.registry);
    const offsets = createOffsetStore(ctx.redis, ctx.keys, groupId, ctx.midCommit);
    const stage = createMovieStage({ ...ctx, offsets, registry });
    const group = await joinGroup(ctx, groupId, ctx.topics.movieEvents, stage, offsets, registry, {
      eventSpan: spans.movieReceive,
    });
    return { name: 'movie', group, registry, movieStats: stage.stats, stop: () => group.stop() };
  },
};

/** The actor roles `marquee stream` runs, in start order (ingest is started by src/cli/stream.ts). */
export const streamRoles: readonly RoleStarter[] = [userRole, movieRole];

/** Task bounds used by `marquee stream` unless told otherwise. */
export const STREAM_TASK_DEFAULTS: TaskOptions = TASK_DEFAULTS;
