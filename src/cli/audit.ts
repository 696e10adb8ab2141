import { loadConfig } from '../../config/load-config.ts';
import { auditEvents, auditQueue, type AuditJobResult } from '../jobs/audit-queue.ts';
import { checkRedis } from '../store/redis-check.ts';
import { UsageError, type Command } from './command.ts';
import { numberOption, parseOptions } from './options.ts';

const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: a duration back from `now` (`90m`, `24h`, `7d`) or a date (ISO 8601); absent: null. */
export function parseSince(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const ago = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value);
  if (ago !== null) return now - Number(ago[1]) * (UNITS[ago[2] as string] as number);
  const at = Date.parse(value);
  if (!Number.isFinite(at))
    throw new UsageError(`--since takes a duration (24h, 7d) or a date, got '${value}'`);
  return at;
}

/** `marquee audit`: ask the worker for a fairness audit now and print its headline and report. */
export const auditCommand: Command = {
  name: 'audit',
  summary: 'ask `marquee worker` for a fairness audit of the served lists now and print its report path',
  usage: `usage: marquee audit [--since WHEN] [--detach] [--timeout SECONDS]

Queues an audit job for \`marquee worker\` (which must be running) over the lists served since WHEN
(a duration back from now such as 24h or 7d, or a date; default: every stored list), waits for it and
prints "N violations in M recommendations", the disparities beyond their thresholds and the report
file (markdown with PNG charts). Exits 1 if the job failed, 3 on timeout. See docs/fairness.md.
  --since WHEN         audit lists served after WHEN
  --detach             queue the job and return at once
  --timeout SECONDS    give up waiting after this long (default 600)`,
  async run(args, io) {
    const values = parseOptions(args, {
      since: { type: 'string' },
      detach: { type: 'boolean' },
      timeout: { type: 'string' },
    });
    const since = parseSince(values.since, Date.now());
    const timeoutSeconds = numberOption(values.timeout, 'timeout', 600, 1, 86_400);
    const config = loadConfig(io.env);
    // BullMQ waits for ever on a Redis it cannot use: fail now, in one line, instead.
    await checkRedis(config);
    const queue = auditQueue(config);
    const events = values.detach === true ? undefined : auditEvents(config);
    try {
      await events?.waitUntilReady();
      const job = await queue.add('audit', { trigger: 'manual', since });
      io.err(
        `audit job ${job.id} queued (${since === null ? 'every stored list' : `since ${new Date(since).toISOString()}`})`,
      );
      if (events === undefined) return 0;
      if ((await queue.getWorkersCount()) === 0)
        io.err('no `marquee worker` is running yet: the job waits until one starts');
      try {
        const r = (await job.waitUntilFinished(events, timeoutSeconds * 1000)) as AuditJobResult;
        io.out(
          `audit ${r.auditId}: ${r.headline}; ${r.disparitiesFailed} disparities beyond threshold (${r.seconds.toFixed(1)} s)`,
        );
        io.out(`report: ${r.reportPath}`);
        return 0;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        io.err(`audit job ${job.id}: ${message}`);
        return /timed out/i.test(message) ? 3 : 1;
      }
    } finally {
      await events?.close();
      await queue.close();
    }
  },
};
