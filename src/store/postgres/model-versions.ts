/**
 * The `model_versions` table: every retrain attempt, published or not. Redis's `model:active` is
 * what serving and the stream follow; the `active` status here mirrors it for people and audits.
 */
import type pg from 'pg';
import type { Watermark } from './rating-log.ts';

/** A retrain attempt's lifecycle. */
export type VersionStatus = 'training' | 'ready' | 'active' | 'retired' | 'failed' | 'rejected';

/** One row of `model_versions`. */
export interface ModelVersionRow {
  readonly version: string;
  readonly algorithm: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: VersionStatus;
  readonly trigger: string | null;
  readonly jobId: string | null;
  readonly ratingsUsed: number | null;
  readonly logRatings: number | null;
  /** Time of the latest rating trained on. */
  readonly trainedUntil: Date | null;
  readonly watermark: Watermark | null;
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly gate: Readonly<Record<string, unknown>> | null;
  readonly timings: Readonly<Record<string, number>> | null;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly publishedAt: Date | null;
}

interface Raw {
  version: string;
  algorithm: string;
  params: Record<string, unknown>;
  status: VersionStatus;
  trigger: string | null;
  job_id: string | null;
  ratings_used: string | null;
  log_ratings: string | null;
  training_watermark: Date | null;
  watermark: Watermark | null;
  metrics: Record<string, unknown>;
  gate: Record<string, unknown> | null;
  timings: Record<string, number> | null;
  error: string | null;
  created_at: Date;
  published_at: Date | null;
}

const toRow = (r: Raw): ModelVersionRow => ({
  version: String(r.version),
  algorithm: r.algorithm,
  params: r.params,
  status: r.status,
  trigger: r.trigger,
  jobId: r.job_id,
  ratingsUsed: r.ratings_used === null ? null : Number(r.ratings_used),
  logRatings: r.log_ratings === null ? null : Number(r.log_ratings),
  trainedUntil: r.training_watermark,
  watermark: r.watermark,
  metrics: r.metrics,
  gate: r.gate,
  timings: r.timings,
  error: r.error,
  createdAt: r.created_at,
  publishedAt: r.published_at,
});

/**
 * Opens an attempt (status `training`) and returns its version. An attempt of the same job left in
 * `training` is one whose worker died: it is marked failed first, so the table never shows two
 * attempts of one job training at once.
 */
export async function openAttempt(
  pool: pg.Pool,
  attempt: { algorithm: string; params: Readonly<Record<string, unknown>>; trigger: string; jobId: string },
): Promise<string> {
  await pool.query(
    `UPDATE model_versions SET status = 'failed', error = 'interrupted (the worker stopped mid-run); retried'
     WHERE job_id = $1 AND status = 'training'`,
    [attempt.jobId],
  );
  const result = await pool.query<{ version: string }>(
    `INSERT INTO model_versions (algorithm, params, status, trigger, job_id) VALUES ($1, $2, 'training', $3, $4)
     RETURNING version`,
    [attempt.algorithm, JSON.stringify(attempt.params), attempt.trigger, attempt.jobId],
  );
  return String(result.rows[0]?.version);
}

/** What an attempt learned, recorded whatever the outcome. */
export interface AttemptRecord {
  readonly status: 'ready' | 'failed' | 'rejected';
  readonly params?: Readonly<Record<string, unknown>>;
  readonly ratingsUsed?: number;
  readonly logRatings?: number;
  readonly trainedUntilMs?: number;
  readonly watermark?: Watermark;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly gate?: Readonly<Record<string, unknown>>;
  readonly timings?: Readonly<Record<string, number>>;
  readonly error?: string;
}

/** Records an attempt's outcome (never touches the active version). */
export async function recordAttempt(pool: pg.Pool, version: string, r: AttemptRecord): Promise<void> {
  await pool.query(
    `UPDATE model_versions SET status = $2, params = COALESCE($3, params), ratings_used = $4, rating_count = $4,
       log_ratings = $5, training_watermark = to_timestamp($6 / 1000.0), watermark = $7, metrics = COALESCE($8, metrics),
       gate = $9, timings = $10, error = $11
     WHERE version = $1`,
    [
      version,
      r.status,
      r.params === undefined ? null : JSON.stringify(r.params),
      r.ratingsUsed ?? null,
      r.logRatings ?? null,
      r.trainedUntilMs ?? null,
      r.watermark === undefined ? null : JSON.stringify(r.watermark),
      r.metrics === undefined ? null : JSON.stringify(r.metrics),
      r.gate === undefined ? null : JSON.stringify(r.gate),
      r.timings === undefined ? null : JSON.stringify(r.timings),
      r.error ?? null,
    ],
  );
}

/** Marks `version` active (and the previous active one `ready`), as Redis now says. */
export async function markActive(pool: pg.Pool, version: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `UPDATE model_versions SET status = 'ready' WHERE status = 'active' AND version <> $1`,
      [version],
    );
    await client.query(
      `UPDATE model_versions SET status = 'active', activated_at = now(), published_at = COALESCE(published_at, now())
       WHERE version = $1`,
      [version],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Marks versions retired (their artifacts were deleted). */
export async function markRetired(pool: pg.Pool, versions: readonly string[]): Promise<void> {
  if (versions.length === 0) return;
  await pool.query(`UPDATE model_versions SET status = 'retired' WHERE version = ANY($1::bigint[])`, [
    versions,
  ]);
}

/** The newest attempts first. */
export async function listVersions(pool: pg.Pool, limit = 20): Promise<ModelVersionRow[]> {
  const result = await pool.query<Raw>(`SELECT * FROM model_versions ORDER BY version DESC LIMIT $1`, [
    limit,
  ]);
  return result.rows.map(toRow);
}

/** One attempt, or null. */
export async function readVersion(pool: pg.Pool, version: string): Promise<ModelVersionRow | null> {
  if (!/^\d{1,18}$/.test(version)) return null;
  const result = await pool.query<Raw>(`SELECT * FROM model_versions WHERE version = $1`, [version]);
  const raw = result.rows[0];
  return raw === undefined ? null : toRow(raw);
}

/** Published versions (ready or active) beyond the newest `keep`, oldest first: what retention deletes. */
export async function versionsBeyond(pool: pg.Pool, keep: number): Promise<string[]> {
  const result = await pool.query<{ version: string }>(
    `SELECT version FROM model_versions WHERE status IN ('ready', 'active') AND published_at IS NOT NULL
     ORDER BY version DESC OFFSET $1`,
    [keep],
  );
  return result.rows.map((r) => String(r.version)).reverse();
}

/**
 * What the worker reports of the model registry: the holdout RMSE the active version was published
 * with (its candidate score at the gate), and when any version was last published.
 */
export async function readPublishedSummary(
  pool: pg.Pool,
): Promise<{ activeHoldoutRmse: number | null; lastPublishedAt: Date | null }> {
  const { rows } = await pool.query<{ rmse: number | null; last: Date | null }>(
    `SELECT (SELECT (metrics->'candidate'->>'rmse')::float8 FROM model_versions
              WHERE status = 'active' ORDER BY published_at DESC NULLS LAST LIMIT 1) AS rmse,
            (SELECT max(published_at) FROM model_versions) AS last`,
  );
  return { activeHoldoutRmse: rows[0]?.rmse ?? null, lastPublishedAt: rows[0]?.last ?? null };
}
