/**
 * `marquee worker`'s audit side: a BullMQ worker that runs fairness audits one at a time
 * (audit/audit-job.ts), the job scheduler that asks for one every AUDIT_INTERVAL over the lists
 * served in that interval, and the live audit (audit/live-audit.ts): the guardrail checks over lists
 * as they reach Postgres, every couple of seconds, for the `/live` page's "violations so far".
 */
import { Worker, type Job } from 'bullmq';
import { createRedisClient } from '../store/redis-client.ts';
import type pg from 'pg';
import type { Config } from '../../config/load-config.ts';
import { attributes, spans } from '../../otel/names.ts';
import { inSpan } from '../../otel/tracing.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { runAudit } from './audit/audit-job.ts';
import { createLiveAudit } from './audit/live-audit.ts';
import { AUDIT_QUEUE, auditQueue, type AuditJobData, type AuditJobResult } from './audit-queue.ts';
import { ownConnection, queuePrefix } from './queue-connection.ts';

/** The job scheduler that asks for an audit every AUDIT_INTERVAL. */
const SCHEDULER_ID = 'audit-every';

/** What the audit worker needs. */
export interface AuditWorkerDeps {
  readonly config: Config;
  readonly pool: pg.Pool;
  /** Where reports are written (default `<MARQUEE_HOME>/audits`). */
  readonly reportDir: string;
  readonly log: (line: string) => void;
  /** Between steps of the live audit, ms (default 2,000); 0 turns it off. */
  readonly liveEveryMs?: number;
}

/** A running audit worker. */
export interface RunningAuditWorker {
  readonly name: string;
  stop(): Promise<void>;
}

/** Starts the worker and its daily schedule. */
export async function startAuditWorker(deps: AuditWorkerDeps): Promise<RunningAuditWorker> {
  const { config, pool, log } = deps;
  const interval = config.audit.intervalMs;
  const queue = auditQueue(config);
  // As the retrain's: (re)created only when missing or when the interval changed, so a restart does
  // not push the next audit further out; the first one runs one interval after the worker started.
  const scheduler = await queue.getJobScheduler(SCHEDULER_ID);
  if (scheduler?.every !== interval) {
    await queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: interval, startDate: Date.now() + interval },
      {
        name: 'audit',
        data: { trigger: 'schedule', since: null, windowMs: interval } satisfies AuditJobData,
      },
    );
  }
  const worker = ownConnection(
    config,
    (connection) =>
      new Worker<AuditJobData, AuditJobResult>(
        AUDIT_QUEUE,
        (job: Job<AuditJobData, AuditJobResult>) =>
          inSpan(spans.auditJob, { [attributes.job]: String(job.id) }, async () => {
            const until = Date.now();
            const since = job.data.windowMs === undefined ? job.data.since : until - job.data.windowMs;
            log(`worker: audit job ${job.id} (${job.data.trigger}) started`);
            const outcome = await runAudit(
              { pool, reportDir: deps.reportDir, log },
              { since, until, trigger: job.data.trigger },
            );
            const v = outcome.result.violations;
            return {
              auditId: outcome.auditId,
              headline: outcome.headline,
              lists: v.lists,
              violations: v.total,
              disparitiesFailed: outcome.result.disparities.filter((d) => !d.passed).length,
              reportPath: outcome.reportPath,
              seconds: outcome.seconds,
            };
          }),
        { connection, prefix: queuePrefix(config), concurrency: 1 },
      ),
  );
  worker.on('error', (error) => log(`worker: audit: ${error.message}`));
  worker.on('failed', (job, error) => log(`worker: audit job ${job?.id} failed: ${error.message}`));
  // Its own client: the live audit's WATCH/MULTI must not interleave with anyone else's commands.
  const redis = createRedisClient(config, { maxRetriesPerRequest: 3 });
  redis.on('error', (error: Error) => log(`worker: live audit: redis: ${error.message}`));
  const live = createLiveAudit({ pool, redis, keys: redisKeys(config.redis.keyPrefix) });
  const every = deps.liveEveryMs ?? 2_000;
  let stepping: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer =
    every > 0
      ? setInterval(() => {
          if (busy) return;
          busy = true;
          stepping = live
            .step()
            .catch((error: unknown) =>
              log(`worker: live audit: ${error instanceof Error ? error.message : String(error)}`),
            )
            .finally(() => (busy = false));
        }, every)
      : undefined;
  timer?.unref();
  return {
    name: 'audit-worker',
    async stop() {
      clearInterval(timer);
      await stepping;
      redis.disconnect();
      await worker.close();
      await queue.close();
    },
  };
}
