/**
 * The retrain queue as producers see it (`marquee retrain`, the worker's own checks): its name and
 * key prefix, the job's data, and how a caller follows one job's progress. The worker that consumes
 * it is retrain-worker.ts; a process builds only the side it uses (BullMQ's split).
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Config } from '../../config/load-config.ts';
import { ownConnection, queuePrefix } from './queue-connection.ts';
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

/** Failed jobs are retried with exponential back-off: 3 attempts, 30 s then 60 s. */
const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
} as const;

/** The retrain queue (producer side). */
export function retrainQueue(config: Config): Queue<RetrainJobData, RetrainJobResult> {
  return ownConnection(
    config,
    (connection) =>
      new Queue<RetrainJobData, RetrainJobResult>(RETRAIN_QUEUE, {
        connection,
        prefix: queuePrefix(config),
        defaultJobOptions: JOB_OPTIONS,
      }),
  );
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
  return ownConnection(
    config,
    (connection) => new QueueEvents(RETRAIN_QUEUE, { connection, prefix: queuePrefix(config) }),
  );
}

/** A job's progress as the worker reports it, or null for anything else. */
export function progressOf(value: unknown): RetrainProgress | null {
  if (typeof value !== 'object' || value === null) return null;
  const p = value as Partial<RetrainProgress>;
  return typeof p.stage === 'string' && typeof p.fraction === 'number' ? (p as RetrainProgress) : null;
}
