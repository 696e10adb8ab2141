/**
 * The retrain queue as producers see it (`marquee retrain`, the worker's own checks): its name and
 * key prefix, the job's data, and how a caller follows one job's progress. The worker that consumes
 * it is retrain-worker.ts; a process builds only the side it uses (BullMQ's split).
 */
import { Queue, QueueEvents, type ConnectionOptions, type Job } from 'bullmq';
import { Cluster } from 'ioredis';
import type { Config } from '../../config/load-config.ts';
import type { RetrainOutcome, RetrainProgress } from './retrain/retrain-job.ts';

/** The queue's name; its keys live under `<REDIS_KEY_PREFIX>bull:`. */
export const RETRAIN_QUEUE = 'retrain';

/** Why a retrain was asked for. */
export type RetrainTrigger = 'schedule' | 'manual' | 'bootstrap' | 'growth';

/** A retrain job's data. */
export interface RetrainJobData {
  readonly trigger: RetrainTrigger;
  /** Parameter overrides for this run (`key=value`, as `marquee train --param`). */
  readonly params?: Readonly<Record<string, string>>;
  /** The algorithm for this run (svd or svd++; default the worker's, svd). */
  readonly algorithm?: string;
}

/** What a finished job returns (kept in Redis with the job). */
export type RetrainJobResult = Pick<RetrainOutcome, 'version' | 'status' | 'ratingsUsed' | 'timings'> & {
  readonly reason: string;
};

/**
 * BullMQ's key prefix for this deployment: every queue key starts with REDIS_KEY_PREFIX. On Redis
 * Cluster the prefix is a hash tag (`mq:{bull}`), so all of a queue's keys share one slot: BullMQ's
 * scripts touch several of them at once.
 */
export function queuePrefix(config: Config): string {
  return config.redis.clusterNodes === undefined
    ? `${config.redis.keyPrefix}bull`
    : `${config.redis.keyPrefix}{bull}`;
}

/**
 * BullMQ's connection options for `config`'s Redis URL. Options rather than a client, so BullMQ owns
 * (and closes) its connections; a worker blocks on its own, which must never time out commands. On
 * Redis Cluster, a Cluster client of its own (BullMQ takes a cluster only as a client; a worker
 * duplicates it for its blocking connection).
 */
export function queueConnection(config: Config): ConnectionOptions {
  const nodes = config.redis.clusterNodes;
  if (nodes !== undefined)
    return new Cluster(
      nodes.map((n) => ({
        host: n.slice(0, n.lastIndexOf(':')),
        port: Number(n.slice(n.lastIndexOf(':') + 1)),
      })),
      { redisOptions: { maxRetriesPerRequest: null } },
    );
  const url = new URL(config.redis.url);
  const db = Number(url.pathname.replace(/^\//, '') || 0);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username !== '' && { username: decodeURIComponent(url.username) }),
    ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
    ...(Number.isInteger(db) && db > 0 && { db }),
    ...(url.protocol === 'rediss:' && { tls: {} }),
    maxRetriesPerRequest: null,
  };
}

/** Failed jobs are retried with exponential back-off: 3 attempts, 30 s then 60 s. */
const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
} as const;

/** The retrain queue (producer side). */
export function retrainQueue(config: Config): Queue<RetrainJobData, RetrainJobResult> {
  return new Queue(RETRAIN_QUEUE, {
    connection: queueConnection(config),
    prefix: queuePrefix(config),
    defaultJobOptions: JOB_OPTIONS,
  });
}

/** The deduplication id every automatic (bootstrap, growth) request shares. */
const AUTOMATIC_ID = 'retrain-automatic';

/**
 * Asks for a retrain. Automatic triggers share one deduplication id, so while one of them waits or
 * runs, further checks add nothing; a manual request always queues.
 */
export function enqueueRetrain(
  queue: Queue<RetrainJobData, RetrainJobResult>,
  data: RetrainJobData,
): Promise<Job<RetrainJobData, RetrainJobResult>> {
  const automatic = data.trigger === 'bootstrap' || data.trigger === 'growth';
  return queue.add('retrain', data, automatic ? { deduplication: { id: AUTOMATIC_ID } } : {});
}

/** The automatic retrain waiting or running now, if any (`marquee demo` follows the one the worker asked for). */
export async function pendingAutomaticRetrain(
  queue: Queue<RetrainJobData, RetrainJobResult>,
): Promise<Job<RetrainJobData, RetrainJobResult> | undefined> {
  const id = await queue.getDeduplicationJobId(AUTOMATIC_ID);
  return id === null ? undefined : await queue.getJob(id);
}

/** Events of the retrain queue, for following a job (`marquee retrain --wait`). */
export function retrainEvents(config: Config): QueueEvents {
  return new QueueEvents(RETRAIN_QUEUE, { connection: queueConnection(config), prefix: queuePrefix(config) });
}

/** A job's progress as the worker reports it, or null for anything else. */
export function progressOf(value: unknown): RetrainProgress | null {
  if (typeof value !== 'object' || value === null) return null;
  const p = value as Partial<RetrainProgress>;
  return typeof p.stage === 'string' && typeof p.fraction === 'number' ? (p as RetrainProgress) : null;
}
