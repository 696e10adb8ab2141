/**
 * The audit queue as producers see it (`marquee audit`, the worker's daily scheduler): its name, the
 * job's data and result. The worker that consumes it is audit-worker.ts. It shares the retrain
 * queue's connection and key prefix (retrain-queue.ts), in a queue of its own, so a long retrain
 * never holds an audit back and the two are retried and listed apart.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Config } from '../../config/load-config.ts';
import { ownConnection, queuePrefix } from './queue-connection.ts';

/** The queue's name. */
export const AUDIT_QUEUE = 'audit';

/** Why an audit was asked for. */
export type AuditTrigger = 'schedule' | 'manual';

/** An audit job's data: the window's start (epoch ms; null: every stored list), ends when it runs. */
export interface AuditJobData {
  readonly trigger: AuditTrigger;
  readonly since: number | null;
  /** For the scheduled run: audit the last this-many ms (since is then computed when it runs). */
  readonly windowMs?: number;
}

/** What a finished audit job returns (kept in Redis with the job). */
export interface AuditJobResult {
  readonly auditId: string;
  readonly headline: string;
  readonly lists: number;
  readonly violations: number;
  readonly disparitiesFailed: number;
  readonly reportPath: string;
  readonly seconds: number;
}

/** The audit queue (producer side); failed jobs are retried twice, 30 s apart. */
export function auditQueue(config: Config): Queue<AuditJobData, AuditJobResult> {
  return ownConnection(
    config,
    (connection) =>
      new Queue<AuditJobData, AuditJobResult>(AUDIT_QUEUE, {
        connection,
        prefix: queuePrefix(config),
        defaultJobOptions: {
          attempts: 3,
          backoff: { type: 'fixed', delay: 30_000 },
          removeOnComplete: { count: 100 },
          removeOnFail: { count: 100 },
        },
      }),
  );
}

/** Events of the audit queue, for following a job (`marquee audit --wait`). */
export function auditEvents(config: Config): QueueEvents {
  return ownConnection(
    config,
    (connection) => new QueueEvents(AUDIT_QUEUE, { connection, prefix: queuePrefix(config) }),
  );
}
