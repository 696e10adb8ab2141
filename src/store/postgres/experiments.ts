/**
 * The `experiments` and `experiment_batches` tables, and the report's reads of the served-list and
 * watch logs (exposure per arm, watch-through within 24 h).
 */
import type pg from 'pg';
import type { Assignment, ExperimentArm } from '../../experiments/experiment.ts';

/** What an experiment is judged on first. */
export type PrimaryMetric = 'rmse' | 'watch-through';

/** One row of `experiments`. */
export interface ExperimentRow {
  readonly id: string;
  readonly name: string;
  readonly arms: readonly ExperimentArm[];
  readonly assignment: Assignment;
  readonly salt: string;
  readonly primaryMetric: PrimaryMetric;
  readonly alpha: number;
  readonly tuning: number;
  readonly startedAt: Date;
  readonly stoppedAt: Date | null;
  readonly looks: number;
  readonly minP: number | null;
  readonly decision: Readonly<Record<string, unknown>> | null;
}

interface Raw {
  experiment_id: string;
  name: string;
  arms: ExperimentArm[];
  assignment: Assignment;
  salt: string;
  primary_metric: PrimaryMetric;
  alpha: number;
  tuning: number;
  started_at: Date;
  stopped_at: Date | null;
  looks: number;
  min_p: number | null;
  decision: Record<string, unknown> | null;
}

const toRow = (r: Raw): ExperimentRow => ({
  id: String(r.experiment_id),
  name: r.name,
  arms: r.arms,
  assignment: r.assignment,
  salt: r.salt,
  primaryMetric: r.primary_metric,
  alpha: r.alpha,
  tuning: r.tuning,
  startedAt: r.started_at,
  stoppedAt: r.stopped_at,
  looks: r.looks,
  minP: r.min_p,
  decision: r.decision,
});

/** A new experiment's settings. */
export interface NewExperiment {
  readonly name: string;
  readonly arms: readonly ExperimentArm[];
  readonly assignment: Assignment;
  /** The hash salt; empty: `exp-<id>`. */
  readonly salt?: string;
  readonly primaryMetric: PrimaryMetric;
  readonly alpha: number;
  readonly tuning: number;
}

/** Another experiment is running: stop it first (one at a time). */
export class ExperimentRunning extends Error {
  override readonly name = 'ExperimentRunning';
}

/** Inserts a running experiment; throws ExperimentRunning when one already runs. */
export async function insertExperiment(pool: pg.Pool, e: NewExperiment): Promise<ExperimentRow> {
  try {
    const result = await pool.query<Raw>(
      `INSERT INTO experiments (name, arms, assignment, salt, primary_metric, alpha, tuning)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [e.name, JSON.stringify(e.arms), e.assignment, e.salt ?? '', e.primaryMetric, e.alpha, e.tuning],
    );
    let row = toRow(result.rows[0] as Raw);
    if (row.salt === '') {
      const salted = await pool.query<Raw>(
        `UPDATE experiments SET salt = $2 WHERE experiment_id = $1 RETURNING *`,
        [row.id, `exp-${row.id}`],
      );
      row = toRow(salted.rows[0] as Raw);
    }
    return row;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      const running = await runningExperimentRow(pool);
      throw new ExperimentRunning(
        `experiment ${running?.id ?? '?'} (${running?.name ?? '?'}) is running: stop it first (marquee experiment stop)`,
      );
    }
    throw error;
  }
}

/** Marks an experiment stopped (now); null when no such running experiment. */
export async function markStopped(pool: pg.Pool, id: string): Promise<ExperimentRow | null> {
  if (!EXPERIMENT_ID.test(id)) return null;
  const result = await pool.query<Raw>(
    `UPDATE experiments SET stopped_at = now() WHERE experiment_id = $1 AND stopped_at IS NULL RETURNING *`,
    [id],
  );
  return result.rows[0] === undefined ? null : toRow(result.rows[0]);
}

/** The running experiment's row, or null. */
export async function runningExperimentRow(pool: pg.Pool): Promise<ExperimentRow | null> {
  const result = await pool.query<Raw>(`SELECT * FROM experiments WHERE stopped_at IS NULL`);
  return result.rows[0] === undefined ? null : toRow(result.rows[0]);
}

/** What an experiment id looks like: a whole number that fits the bigint column (any other is no experiment). */
export const EXPERIMENT_ID = /^\d{1,18}$/;

/** One experiment, or null. */
export async function readExperiment(pool: pg.Pool, id: string): Promise<ExperimentRow | null> {
  if (!EXPERIMENT_ID.test(id)) return null;
  const result = await pool.query<Raw>(`SELECT * FROM experiments WHERE experiment_id = $1`, [id]);
  return result.rows[0] === undefined ? null : toRow(result.rows[0]);
}

/** Experiments, newest first. */
export async function listExperiments(pool: pg.Pool, limit = 50): Promise<ExperimentRow[]> {
  const result = await pool.query<Raw>(`SELECT * FROM experiments ORDER BY experiment_id DESC LIMIT $1`, [
    limit,
  ]);
  return result.rows.map(toRow);
}

/** Model versions that arms of the running experiment serve: retention must keep them. */
export async function versionsInExperiments(pool: pg.Pool): Promise<Set<string>> {
  const result = await pool.query<{ version: string }>(
    `SELECT a->>'version' AS version FROM experiments, jsonb_array_elements(arms) a WHERE stopped_at IS NULL`,
  );
  return new Set(result.rows.map((r) => r.version));
}

/**
 * Records one look at the report: counts it, keeps the running minimum of the always-valid p, and the
 * first verdict reached (never overwritten). Returns the updated row.
 */
export async function recordLook(
  pool: pg.Pool,
  id: string,
  p: number,
  decision: Readonly<Record<string, unknown>> | null,
): Promise<ExperimentRow> {
  const result = await pool.query<Raw>(
    `UPDATE experiments SET looks = looks + 1,
       min_p = CASE WHEN $2::double precision IS NULL THEN min_p ELSE LEAST(COALESCE(min_p, 1), $2) END,
       decision = COALESCE(decision, $3::jsonb)
     WHERE experiment_id = $1 RETURNING *`,
    [id, Number.isFinite(p) ? p : null, decision === null ? null : JSON.stringify(decision)],
  );
  return toRow(result.rows[0] as Raw);
}

/** One batch of 1,000 ratings of an arm. */
export interface BatchRow {
  readonly arm: string;
  readonly batch: number;
  readonly ratings: number;
  readonly rmse: number;
  readonly closedAt: Date;
}

/** Stores batches (numbered from 0 per arm); a batch already stored is left as it is (exactly once). */
export async function insertBatches(
  pool: pg.Pool,
  id: string,
  arm: string,
  batches: readonly { readonly batch: number; readonly ratings: number; readonly rmse: number }[],
): Promise<void> {
  if (batches.length === 0) return;
  await pool.query(
    `INSERT INTO experiment_batches (experiment_id, arm, batch, ratings, rmse)
     SELECT $1, $2, b, r, e FROM unnest($3::int[], $4::int[], $5::float8[]) AS t(b, r, e)
     ON CONFLICT DO NOTHING`,
    [id, arm, batches.map((b) => b.batch), batches.map((b) => b.ratings), batches.map((b) => b.rmse)],
  );
}

/** An experiment's batches, per arm in order. */
export async function readBatches(pool: pg.Pool, id: string): Promise<BatchRow[]> {
  const result = await pool.query<{
    arm: string;
    batch: number;
    ratings: number;
    rmse: number;
    closed_at: Date;
  }>(
    `SELECT arm, batch, ratings, rmse, closed_at FROM experiment_batches WHERE experiment_id = $1 ORDER BY arm, batch`,
    [id],
  );
  return result.rows.map((r) => ({
    arm: r.arm,
    batch: r.batch,
    ratings: r.ratings,
    rmse: r.rmse,
    closedAt: r.closed_at,
  }));
}

/** Per arm label and user: lists served (server-side, 200) and lists followed by a watch of one of their titles within 24 h. */
export interface ListOutcome {
  readonly arm: string;
  readonly userId: string;
  readonly lists: number;
  readonly watched: number;
}

/**
 * Lists served under `arms` (labels) between `since` and `until`, per user, with how many were
 * followed by a watch of one of their titles within 24 h. A list younger than 24 h counts with the
 * watches seen so far (its window is still open: the share can only grow); `open` says how many. The
 * arms are randomised, so open windows lower both arms alike and the comparison stays fair.
 */
export async function listOutcomes(
  pool: pg.Pool,
  arms: readonly string[],
  since: Date,
  until: Date | null,
): Promise<{ rows: ListOutcome[]; open: number }> {
  const result = await pool.query<{
    arm: string;
    user_id: string;
    lists: string;
    watched: string;
    open: string;
  }>(
    `WITH served AS (
       SELECT s.arm, s.user_id, s.served_at,
         EXISTS (SELECT 1 FROM watches w WHERE w.user_id = s.user_id AND w.movie_id = ANY (s.items)
                   AND w.watched_at >= s.served_at AND w.watched_at < s.served_at + interval '24 hours') AS hit
       FROM served_lists s
       WHERE s.arm = ANY ($1) AND s.observed_by = 'server' AND s.status = 200
         AND s.served_at >= $2 AND ($3::timestamptz IS NULL OR s.served_at <= $3))
     SELECT arm, user_id, count(*) AS lists, count(*) FILTER (WHERE hit) AS watched,
       count(*) FILTER (WHERE served_at >= now() - interval '24 hours') AS open
     FROM served GROUP BY arm, user_id`,
    [arms, since, until],
  );
  let open = 0;
  const rows = result.rows.map((r) => {
    open += Number(r.open);
    return { arm: r.arm, userId: r.user_id, lists: Number(r.lists), watched: Number(r.watched) };
  });
  return { rows, open };
}
