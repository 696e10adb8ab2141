/**
 * `marquee worker`'s retrain side: a BullMQ worker that runs retrain jobs one at a time, the job
 * scheduler that asks for one every RETRAIN_INTERVAL, and a check every RETRAIN_CHECK_INTERVAL that
 * asks for one when no model is active yet and the log holds RETRAIN_MIN_RATINGS (bootstrap), or
 * when the log grew by RETRAIN_GROWTH since the last attempt (growth). A job whose worker died is
 * found stalled by BullMQ and run again; failures are retried with back-off; the active model is
 * only ever changed by a successful publish.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from '../../config/load-config.ts';
import { attributes, metrics, spans } from '../../otel/names.ts';
import { inSpan } from '../../otel/tracing.ts';
import { readActiveVersion } from '../store/model-store.ts';
import { listVersions, readPublishedSummary, readVersion } from '../store/postgres/model-versions.ts';
import { countRatings } from '../store/postgres/rating-log.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import { refreshCatalogue, refreshSafeList } from './catalogue-refresh.ts';
import {
  enqueueRetrain,
  RETRAIN_QUEUE,
  retrainQueue,
  type RetrainJobData,
  type RetrainJobResult,
  type RetrainTrigger,
} from './retrain-queue.ts';
import { ownConnection, queuePrefix } from './queue-connection.ts';
import {
  RETRAIN_DEFAULTS,
  RETRAIN_STAGES,
  RetrainRefused,
  runRetrain,
  type RetrainDeps,
  type RetrainSettings,
} from './retrain/retrain-job.ts';

/** The job scheduler that asks for a retrain every RETRAIN_INTERVAL. */
const SCHEDULER_ID = 'retrain-every';

/** What the retrain worker needs. */
export interface RetrainWorkerDeps {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly announce?: RetrainDeps['announce'];
  readonly registry?: Registry;
  readonly log: (line: string) => void;
  /** How long a running job's lock lasts without renewal (BullMQ default 30 s): a dead worker's job is retried after it. */
  readonly lockMs?: number;
}

/** A running retrain worker. */
export interface RunningRetrainWorker {
  readonly name: string;
  /** Runs the bootstrap/growth check now; resolves with the trigger it queued, if any. */
  check(): Promise<RetrainTrigger | null>;
  stop(): Promise<void>;
}

/** Whether the log calls for an automatic retrain (pure, so the rule is tested on its own). */
export function automaticTrigger(
  state: { active: boolean; ratings: number; lastAttemptRatings: number | null },
  minRatings: number,
  growth: number,
): RetrainTrigger | null {
  if (state.ratings < minRatings) return null;
  const grown = state.lastAttemptRatings === null || state.ratings >= state.lastAttemptRatings * (1 + growth);
  if (!grown) return null;
  return state.active ? 'growth' : 'bootstrap';
}

/** The retrain's settings from the config: the stream's daily cap, the gate's tolerance, versions kept. */
export function retrainSettings(config: Config): RetrainSettings {
  return {
    ...RETRAIN_DEFAULTS,
    dailyCap: config.dailyCap,
    tolerance: config.retrain.tolerance,
    keepVersions: config.retrain.keepVersions,
  };
}

/** Starts the worker, its schedule and its checks. */
export async function startRetrainWorker(deps: RetrainWorkerDeps): Promise<RunningRetrainWorker> {
  const { config, pool, redis, keys, log } = deps;
  const settings = retrainSettings(config);
  const instruments = deps.registry === undefined ? undefined : await createInstruments(deps.registry, pool);
  const queue = retrainQueue(config);
  // The scheduler's first job would run at once; a deployment's first model comes from the bootstrap
  // check instead, and restarting the worker must not push the next run further out: the scheduler
  // is (re)created only when missing or when RETRAIN_INTERVAL changed.
  const scheduler = await queue.getJobScheduler(SCHEDULER_ID);
  if (scheduler?.every !== config.retrain.intervalMs) {
    await queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: config.retrain.intervalMs, startDate: Date.now() + config.retrain.intervalMs },
      { name: 'retrain', data: { trigger: 'schedule' } satisfies RetrainJobData },
    );
  }
  const worker = ownConnection(
    config,
    (connection) =>
      new Worker<RetrainJobData, RetrainJobResult>(
        RETRAIN_QUEUE,
        (job: Job<RetrainJobData, RetrainJobResult>) =>
          inSpan(
            spans.retrainJob,
            { [attributes.job]: String(job.id), [attributes.command]: job.data.trigger },
            () => runJob(job),
          ),
        {
          connection,
          prefix: queuePrefix(config),
          concurrency: 1,
          lockDuration: deps.lockMs ?? 30_000,
          stalledInterval: deps.lockMs ?? 30_000,
        },
      ),
  );
  async function runJob(job: Job<RetrainJobData, RetrainJobResult>): Promise<RetrainJobResult> {
    log(`worker: retrain job ${job.id} (${job.data.trigger}, attempt ${job.attemptsMade + 1}) started`);
    const ended = instruments?.started();
    try {
      const outcome = await runRetrain(
        { pool, redis, keys, settings, ...(deps.announce && { announce: deps.announce }), log },
        {
          trigger: job.data.trigger,
          jobId: String(job.id),
          ...(job.data.params && { params: job.data.params }),
          ...(job.data.algorithm !== undefined && { algorithm: job.data.algorithm }),
        },
        (p) => void job.updateProgress({ ...p }).catch(() => undefined),
      );
      ended?.(outcome.status === 'active' ? 'published' : 'rejected', outcome.timings, outcome.version);
      return {
        version: outcome.version,
        status: outcome.status,
        ratingsUsed: outcome.ratingsUsed,
        timings: outcome.timings,
        reason: outcome.gate.reason,
      };
    } catch (error) {
      ended?.('failed', {}, null);
      log(`worker: retrain job ${job.id} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof RetrainRefused) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
  worker.on('error', (error) => log(`worker: ${error.message}`));

  const check = async (): Promise<RetrainTrigger | null> => {
    const [active, ratings, last] = await Promise.all([
      readActiveVersion(redis, keys),
      countRatings(pool),
      listVersions(pool, 1),
    ]);
    const activeRow = active === null ? null : await readVersion(pool, active);
    const lastAttempt = last[0]?.status === 'training' ? null : (last[0] ?? null);
    const lastAttemptRatings = Math.max(activeRow?.logRatings ?? 0, lastAttempt?.logRatings ?? 0) || null;
    const trigger = automaticTrigger(
      { active: active !== null, ratings, lastAttemptRatings },
      config.retrain.minRatings,
      config.retrain.growth,
    );
    // A retrain waiting or running will see this log anyway (and the queue would deduplicate it).
    const counts = trigger === null ? {} : await queue.getJobCounts('waiting', 'active', 'prioritized');
    const busy = Object.values(counts).some((n) => n > 0);
    if (trigger !== null && !busy) {
      await enqueueRetrain(queue, { trigger });
      log(
        `worker: ${ratings} ratings in the log (last attempt: ${lastAttemptRatings ?? 'none'}): ${trigger} retrain queued`,
      );
    }
    await refreshSafeList(redis, keys, pool);
    const refreshed = await refreshCatalogue(redis, keys, pool);
    if (refreshed !== null)
      log(
        `worker: model ${refreshed.version} now has metadata for ${refreshed.described} of its ${refreshed.trained} titles` +
          (refreshed.added > 0 ? ` and ${refreshed.added} described titles new since it was trained` : ''),
      );
    return busy ? null : trigger;
  };
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    check()
      .catch((error: unknown) =>
        log(`worker: check failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => (checking = false));
  }, config.retrain.checkIntervalMs);
  timer.unref();
  await check().catch((error: unknown) => log(`worker: first check failed: ${String(error)}`));
  return {
    name: 'retrain-worker',
    check,
    async stop() {
      clearInterval(timer);
      await worker.close();
      await queue.close();
    },
  };
}

/**
 * The worker's instruments; `started()` returns the function that records how a run ended. The last
 * publish time starts from the registry in Postgres (a restart must not look like a fresh publish,
 * nor like none ever: MarqueeRetrainOverdue), or from now when nothing was ever published; the active
 * model's holdout RMSE is read from it at every scrape (MarqueeOnlineRmseAboveHoldout).
 */
async function createInstruments(registry: Registry, pool: pg.Pool) {
  const published0 = await readPublishedSummary(pool).catch(() => null);
  const runs = new Counter({
    name: metrics.retrainRuns,
    help: 'Retrain runs by outcome (published, rejected by the gate, failed)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: metrics.retrainLastSuccess,
    help: 'When a model was last published (Unix seconds; the worker start if never)',
    registers: [registry],
  });
  lastSuccess.set((published0?.lastPublishedAt?.getTime() ?? Date.now()) / 1000);
  new Gauge({
    name: metrics.modelHoldoutRmse,
    help: 'Holdout RMSE (stars) the active model was published with',
    registers: [registry],
    async collect() {
      const rmse = (await readPublishedSummary(pool).catch(() => null))?.activeHoldoutRmse;
      if (rmse === null || rmse === undefined) this.reset();
      else this.set(rmse);
    },
  });
  const stageSeconds = new Gauge({
    name: metrics.retrainStageSeconds,
    help: 'Seconds each stage took in the last retrain that reached it',
    labelNames: ['stage'],
    registers: [registry],
  });
  const published = new Gauge({
    name: metrics.modelPublishedVersion,
    help: 'The model version this worker last published',
    registers: [registry],
  });
  const running = new Gauge({
    name: metrics.retrainRunning,
    help: 'Retrains running now',
    registers: [registry],
  });
  return {
    started() {
      running.inc();
      return (outcome: string, timings: Partial<Record<string, number>>, version: string | null) => {
        running.dec();
        runs.inc({ outcome });
        for (const stage of RETRAIN_STAGES) {
          const t = timings[stage];
          if (t !== undefined) stageSeconds.set({ stage }, t);
        }
        if (outcome === 'published') {
          lastSuccess.set(Date.now() / 1000);
          if (version !== null && /^\d+$/.test(version)) published.set(Number(version));
        }
      };
    },
  };
}
