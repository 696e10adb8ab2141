/**
 * One fairness audit run (docs/fairness.md): reads the served lists of a window from Postgres with
 * the users, movies and log it judges them by, runs the pure accumulator (audit-metrics.ts), stores
 * the result in `audits` and writes a markdown report with PNG charts.
 */
import { Resvg } from '@resvg/resvg-js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import type { Certification } from '../../data/dataset.ts';
import { defaultAgePolicy } from '../../guardrails/age-policy.ts';
import { defaultDiversifyOptions } from '../../guardrails/diversify.ts';
import { readServedLists } from '../../store/postgres/served-log.ts';
import { groupChartSvg } from './audit-charts.ts';
import {
  AuditAccumulator,
  addGenres,
  allowedGenresByAge,
  defaultDisparityThresholds,
  type AuditMovie,
  type AuditOptions,
  type AuditResult,
  type AuditUser,
  type GenreMix,
} from './audit-metrics.ts';
import { auditReport, headline } from './audit-report.ts';

/** What an audit run needs. */
export interface AuditDeps {
  readonly pool: pg.Pool;
  /** Reports go to `<dir>/audit-<id>/`. */
  readonly reportDir: string;
  readonly log?: (line: string) => void;
  readonly options?: Partial<AuditOptions> & { readonly headShare?: number };
}

/** What to audit. */
export interface AuditRequest {
  /** Epoch ms; null: every stored list. */
  readonly since: number | null;
  /** Epoch ms (default now). */
  readonly until?: number;
  readonly trigger: string;
}

/** A finished audit. */
export interface AuditOutcome {
  readonly auditId: string;
  readonly headline: string;
  readonly result: AuditResult;
  readonly reportPath: string;
  readonly seconds: number;
}

/** Share of the catalogue counted as the popular head in the audit (the live metric's top 1 %). */
export const AUDIT_HEAD_SHARE = 0.01;

/** The default options: the serving's guardrails, 7-day hits, docs/fairness.md's thresholds. */
export const defaultAuditOptions: AuditOptions = {
  agePolicy: defaultAgePolicy,
  minGenres: defaultDiversifyOptions.minGenres,
  listSize: defaultDiversifyOptions.size,
  hitHorizonMs: 7 * 86_400_000,
  thresholds: defaultDisparityThresholds,
};

/** Runs one audit and records it. */
export async function runAudit(deps: AuditDeps, request: AuditRequest): Promise<AuditOutcome> {
  const started = performance.now();
  const { pool } = deps;
  const log = deps.log ?? (() => undefined);
  const options: AuditOptions = { ...defaultAuditOptions, ...deps.options };
  const until = request.until ?? Date.now();
  const { since } = request;
  const [movies, users, histories, later] = await Promise.all([
    readMovies(pool, deps.options?.headShare ?? AUDIT_HEAD_SHARE),
    readUsers(pool),
    readHistories(pool),
    readLaterInteractions(pool, since, until),
  ]);
  const allowedGenres = allowedGenresByAge(options.agePolicy, movies.values());
  const accumulator = new AuditAccumulator(
    {
      movie: (id) => movies.get(id),
      user: (id) => users.get(id),
      history: (id) => histories.get(id),
      laterInteraction: (user, movie, after) => {
        const t = later.get(`${user}\u0000${movie}`);
        return t !== undefined && t > after ? t : undefined;
      },
      allowedGenres,
    },
    options,
  );
  for await (const page of readServedLists(pool, since, until))
    for (const list of page) accumulator.add(list);
  const result = accumulator.result();
  const failed = result.disparities.filter((d) => !d.passed).length;
  const inserted = await pool.query<{ audit_id: string }>(
    `INSERT INTO audits (trigger, since, until, lists, violations, disparities_failed, result)
     VALUES ($1, to_timestamp($2 / 1000.0), to_timestamp($3 / 1000.0), $4, $5, $6, $7) RETURNING audit_id`,
    [
      request.trigger,
      since,
      until,
      result.violations.lists,
      result.violations.total,
      failed,
      JSON.stringify(result),
    ],
  );
  const auditId = String(inserted.rows[0]?.audit_id);
  const dir = join(deps.reportDir, `audit-${auditId}`);
  await mkdir(dir, { recursive: true });
  const charts: Partial<Record<'age' | 'gender', string>> = {};
  for (const attribute of ['age', 'gender'] as const) {
    if (!result.groups.some((g) => g.attribute === attribute)) continue;
    const svg = groupChartSvg(attribute, result.groups);
    const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
      .render()
      .asPng();
    charts[attribute] = `${attribute}.png`;
    await writeFile(join(dir, `${attribute}.png`), png);
  }
  const reportPath = join(dir, 'report.md');
  await writeFile(
    reportPath,
    auditReport({ auditId, since, until, trigger: request.trigger, charts }, result),
  );
  await pool.query('UPDATE audits SET report_path = $2 WHERE audit_id = $1', [auditId, reportPath]);
  const seconds = (performance.now() - started) / 1000;
  log(`audit ${auditId}: ${headline(result)}; ${failed} disparities beyond threshold; ${reportPath}`);
  return { auditId, headline: headline(result), result, reportPath, seconds };
}

/** Every title with metadata, its rating count in the log, and whether it is in the popular head. */
export async function readMovies(pool: pg.Pool, headShare: number): Promise<Map<string, AuditMovie>> {
  const [meta, counts] = await Promise.all([
    pool.query<{ movie_id: string; genres: string[]; certification: Certification | null; adult: boolean }>(
      'SELECT movie_id, genres, certification, adult FROM movies',
    ),
    pool.query<{ movie_id: string; n: number }>(
      'SELECT movie_id, count(*)::int AS n FROM ratings GROUP BY movie_id',
    ),
  ]);
  const popularity = new Map(counts.rows.map((r) => [r.movie_id, r.n]));
  const catalogue = new Set([...meta.rows.map((r) => r.movie_id), ...popularity.keys()]);
  const headSize = Math.ceil(headShare * catalogue.size);
  const head = new Set(
    [...popularity]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, headSize)
      .map(([id]) => id),
  );
  return new Map(
    meta.rows.map((r) => [
      r.movie_id,
      {
        genres: r.genres,
        certification: r.certification,
        adult: r.adult,
        popularity: popularity.get(r.movie_id) ?? 0,
        head: head.has(r.movie_id),
      },
    ]),
  );
}

/** Users' demographics: all of them, or those of `ids`. */
export async function readUsers(pool: pg.Pool, ids?: readonly string[]): Promise<Map<string, AuditUser>> {
  const result = await pool.query<{ user_id: string; age: number | null; gender: string | null }>(
    ids === undefined
      ? 'SELECT user_id, age, gender FROM users'
      : 'SELECT user_id, age, gender FROM users WHERE user_id = ANY($1::text[])',
    ids === undefined ? [] : [ids],
  );
  return new Map(result.rows.map((r) => [r.user_id, { age: r.age, gender: r.gender }]));
}

/** Each user's genre mix over every title they rated or watched (a title counts once). */
async function readHistories(pool: pg.Pool): Promise<Map<string, GenreMix>> {
  const result = await pool.query<{ user_id: string; genres: string[] }>(
    `SELECT s.user_id, m.genres
     FROM (SELECT user_id, movie_id FROM ratings UNION SELECT user_id, movie_id FROM watches) AS s
     JOIN movies m USING (movie_id)`,
  );
  const histories = new Map<string, GenreMix>();
  for (const r of result.rows) {
    let mix = histories.get(r.user_id);
    if (mix === undefined) histories.set(r.user_id, (mix = new Map()));
    addGenres(mix, r.genres);
  }
  return histories;
}

/**
 * When each user served a list in the window first rated or watched each title after the window
 * opened, by arrival in the log (`ingested_at`: the clock the API stamps served lists with; a
 * replayed stream's event times are the dataset's).
 */
async function readLaterInteractions(
  pool: pg.Pool,
  since: number | null,
  until: number,
): Promise<Map<string, number>> {
  const result = await pool.query<{ user_id: string; movie_id: string; t: number }>(
    `WITH served AS (
       SELECT DISTINCT user_id FROM served_lists
       WHERE ($1::float8 IS NULL OR served_at > to_timestamp($1 / 1000.0)) AND served_at <= to_timestamp($2 / 1000.0)
     ), later AS (
       SELECT user_id, movie_id, ingested_at FROM ratings WHERE user_id IN (SELECT user_id FROM served)
       UNION ALL
       SELECT user_id, movie_id, ingested_at FROM watches WHERE user_id IN (SELECT user_id FROM served)
     )
     SELECT user_id, movie_id, round(date_part('epoch', min(ingested_at)) * 1000000) / 1000 AS t
     FROM later WHERE $1::float8 IS NULL OR ingested_at > to_timestamp($1 / 1000.0)
     GROUP BY user_id, movie_id`,
    [since, until],
  );
  return new Map(result.rows.map((r) => [`${r.user_id}\u0000${r.movie_id}`, Number(r.t)]));
}
