import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { Partitioners } from 'kafkajs';
import type pg from 'pg';
import type { Config } from '../../config/load-config.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import type { RunningRole } from '../../streams/running-role.ts';
import { topicNames } from '../../streams/topics.ts';
import { rebaseAnnouncer } from '../jobs/rebase-announcer.ts';
import {
  enqueueRetrain,
  pendingAutomaticRetrain,
  retrainEvents,
  retrainQueue,
  type RetrainJobData,
  type RetrainJobResult,
} from '../jobs/retrain-queue.ts';
import { startRetrainWorker } from '../jobs/retrain-worker.ts';
import { sleep } from '../lib/time.ts';
import { countRatings } from '../store/postgres/rating-log.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import { compact, seconds } from './demo-view.ts';
import type { Interrupt } from './interrupt.ts';
import { retrainProgressBar } from './retrain-progress.ts';

/** What the model step needs; what it starts goes onto `running`, to be stopped by the caller. */
export interface ModelStepDeps {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly interrupt: Interrupt;
  readonly running: RunningRole[];
  readonly out: (line: string) => void;
  readonly log: (line: string) => void;
  /** How long the retrain may take before the demo gives up. */
  readonly timeoutMs: number;
}

/**
 * Runs `marquee worker`'s retrain worker in this process, as `marquee worker` composes it, and
 * follows one retrain to its end: the one the worker's own check asked for (bootstrap: no model yet
 * and RETRAIN_MIN_RATINGS in the log; growth: the log grew by RETRAIN_GROWTH), or else one queued
 * now as `marquee retrain` does. Resolves with the job's result (published or rejected by the gate).
 */
export async function runModelStep(deps: ModelStepDeps): Promise<RetrainJobResult> {
  const { config, pool, redis, keys, interrupt, running, out, log } = deps;
  const kafka = createKafka(config, 'worker');
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  running.push({ name: 'rebase producer', stop: () => producer.disconnect() });
  await producer.connect();
  const queue = retrainQueue(config);
  const events = retrainEvents(config);
  // Closing the queue also ends a pending waitUntilFinished (BullMQ rejects it on 'closing').
  running.push({
    name: 'retrain queue',
    stop: async () => void (await Promise.all([events.close(), queue.close()])),
  });
  await interrupt.race(events.waitUntilReady());
  const ratings = await countRatings(pool);
  const worker = await startRetrainWorker({
    config,
    pool,
    redis,
    keys,
    announce: rebaseAnnouncer(kafka, producer, topicNames(config).userEvents),
    log,
  });
  running.push(worker);
  interrupt.signal.throwIfAborted();

  let job = await pendingAutomaticRetrain(queue);
  if (job !== undefined)
    out(
      `    the worker found ${compact(ratings)} ratings in Postgres ${job.data.trigger === 'bootstrap' ? 'and no model yet' : 'since its last model'}: it queued a ${job.data.trigger} retrain by itself`,
    );
  else {
    job = await enqueueRetrain(queue, { trigger: 'manual' });
    out(
      `    ${compact(ratings)} ratings in Postgres; queued a retrain for the worker, as \`marquee retrain\` does (it also runs every ${config.retrain.intervalMs / 3_600_000} h)`,
    );
  }
  const bar = retrainProgressBar(events, String(job.id));
  const done = new AbortController();
  const waiting = AbortSignal.any([interrupt.signal, done.signal]);
  const timedOut = sleep(deps.timeoutMs, waiting).then(() => {
    throw new Error(`the retrain did not finish within ${seconds(deps.timeoutMs)}`);
  });
  let finished = false;
  try {
    const result = await Promise.race([jobFinished(queue, events, String(job.id), waiting), timedOut]);
    finished = true;
    return result;
  } finally {
    done.abort();
    bar.stop(finished);
  }
}

/**
 * Resolves with a job's result once it completed; rejects with its reason once it failed for good
 * (after BullMQ's retries), or with the signal's reason. Not BullMQ's waitUntilFinished: its ttl
 * timer outlives an interrupted wait, and a wait begun while the queue closes rejects unhandled.
 */
function jobFinished(
  queue: Queue<RetrainJobData, RetrainJobResult>,
  events: QueueEvents,
  jobId: string,
  signal: AbortSignal,
): Promise<RetrainJobResult> {
  return new Promise((resolve, reject) => {
    const onCompleted = (args: { jobId: string; returnvalue: unknown }) => {
      if (args.jobId === jobId) end(() => resolve(args.returnvalue as RetrainJobResult));
    };
    const onFailed = (args: { jobId: string; failedReason: string }) => {
      if (args.jobId === jobId) end(() => reject(new Error(args.failedReason)));
    };
    const onAbort = () => end(() => reject(signal.reason as Error));
    const end = (settle: () => void) => {
      events.off('completed', onCompleted);
      events.off('failed', onFailed);
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    events.on('completed', onCompleted);
    events.on('failed', onFailed);
    // The job may have ended before the listeners were in place.
    void (async () => {
      const job = await queue.getJob(jobId);
      const state = await job?.getState();
      if (state === 'completed') end(() => resolve(job?.returnvalue as RetrainJobResult));
      else if (state === 'failed') end(() => reject(new Error(job?.failedReason)));
      else if (job === undefined) end(() => reject(new Error(`retrain job ${jobId} is gone`)));
    })().catch((error: unknown) => end(() => reject(error as Error)));
  });
}

/** The two lines that say what a retrain did: the version and its cost, then the gate's reason. */
export function describeRetrain(result: RetrainJobResult): string[] {
  const total = Object.values(result.timings).reduce<number>((s, t) => s + (t ?? 0), 0);
  const stages = Object.entries(result.timings)
    .map(([stage, t]) => `${stage} ${(t ?? 0).toFixed(1)}`)
    .join(', ');
  const head =
    result.status === 'active'
      ? `published model ${result.version}: trained on ${compact(result.ratingsUsed)} ratings in ${seconds(total * 1000)} (${stages})`
      : `model ${result.version} was NOT published: the gate rejected it`;
  return [head, `gate: ${result.reason}`];
}
