/**
 * Gathers an experiment's report (the I/O around report.ts): the row and batches from Postgres, the
 * per-user and per-rating sums the user actors keep in Redis, the served lists and watches. Each call
 * is a look: it is counted, and the always-valid p's running minimum and the first verdict are kept.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { listOutcomes, readBatches, readExperiment, recordLook } from '../store/postgres/experiments.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import { armLabel } from './experiment.ts';
import { buildReport, type ExperimentReport } from './report.ts';
import type { RatingSums } from './stats/analyse.ts';

/** What a report reads from. */
export interface ReportDeps {
  readonly pool: pg.Pool;
  readonly redis: Redis;
  readonly keys: RedisKeys;
}

/** Each user's [Σe², ratings] from an arm's `users` hash (`<user>:n`, `<user>:s`). */
export function userSumsOf(hash: Readonly<Record<string, string>>): [number, number][] {
  const byUser = new Map<string, [number, number]>();
  for (const [field, value] of Object.entries(hash)) {
    const at = field.lastIndexOf(':');
    const user = field.slice(0, at);
    const sums = byUser.get(user) ?? [0, 0];
    if (field.slice(at + 1) === 's') sums[0] = Number(value);
    else sums[1] = Number(value);
    byUser.set(user, sums);
  }
  return [...byUser.values()].filter(([s, n]) => n > 0 && Number.isFinite(s));
}

/** Reads and computes experiment `id`'s report (null when there is no such experiment); `look` records it. */
export async function experimentReport(
  deps: ReportDeps,
  id: string,
  options: { readonly look?: boolean } = {},
): Promise<ExperimentReport | null> {
  const row = await readExperiment(deps.pool, id);
  if (row === null) return null;
  const labels = row.arms.map((a) => armLabel(row.id, a.name));
  const pipeline = deps.redis.pipeline();
  for (const a of row.arms) {
    pipeline.hgetall(deps.keys.experimentEval(row.id, a.name, 'users'));
    pipeline.hgetall(deps.keys.experimentEval(row.id, a.name, 'ratings'));
  }
  const [replies, batches, outcomes] = await Promise.all([
    pipeline.exec(),
    readBatches(deps.pool, row.id),
    listOutcomes(deps.pool, labels, row.startedAt, row.stoppedAt),
  ]);
  const users = new Map<string, [number, number][]>();
  const ratings = new Map<string, RatingSums>();
  row.arms.forEach((a, k) => {
    const [e1, u] = replies?.[2 * k] ?? [];
    const [e2, r] = replies?.[2 * k + 1] ?? [];
    if (e1 ?? e2) throw e1 ?? e2;
    users.set(a.name, userSumsOf(u as Record<string, string>));
    const sums = r as Record<string, string>;
    ratings.set(a.name, {
      n: Number(sums['n'] ?? 0),
      se: Number(sums['se'] ?? 0),
      se2: Number(sums['se2'] ?? 0),
    });
  });
  const byArm = new Map<string, { rmse: number; closedAt: string }[]>();
  for (const b of batches) {
    const list = byArm.get(b.arm) ?? [];
    list.push({ rmse: b.rmse, closedAt: b.closedAt.toISOString() });
    byArm.set(b.arm, list);
  }
  const lists = new Map<string, [number, number][]>(row.arms.map((a) => [a.name, []]));
  for (const o of outcomes.rows) {
    const arm = row.arms[labels.indexOf(o.arm)];
    if (arm !== undefined) lists.get(arm.name)?.push([o.lists, o.watched]);
  }
  const report = buildReport({
    experiment: row,
    users,
    ratings,
    batches: byArm,
    lists,
    openLists: outcomes.open,
  });
  if (options.look === true) {
    const d = report.decision;
    await recordLook(
      deps.pool,
      row.id,
      d.p,
      d.verdict === 'continue' || d.verdict === 'srm'
        ? null
        : { verdict: d.verdict, winner: d.winner, p: d.p, look: d.look, at: new Date().toISOString() },
    );
  }
  return report;
}
