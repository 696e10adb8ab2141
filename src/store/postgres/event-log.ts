import type pg from 'pg';
import type { RateEvent, SourceRef, WatchEvent } from '../../../streams/events.ts';

/** A rating with the user-events position it was read at (null: no position, e.g. a back-fill). */
export interface LoggedRating {
  readonly event: RateEvent;
  readonly source: SourceRef | null;
}

/** Rows actually inserted, per table. */
export interface Appended {
  readonly ratings: number;
  readonly watches: number;
}

/**
 * Appends ratings and watches to the durable log in one statement each. `event_id` is the primary
 * key and conflicts are ignored, so writing a batch again (a replay, a retried batch) adds nothing.
 * Returns the rows actually inserted.
 */
export async function appendEvents(
  pool: pg.Pool,
  ratings: readonly LoggedRating[],
  watches: readonly WatchEvent[],
): Promise<Appended> {
  const [r, w] = await Promise.all([insertRatings(pool, ratings), insertWatches(pool, watches)]);
  return { ratings: r, watches: w };
}

/** A row Postgres refused for what it holds: its table, its index in the batch, and Postgres's reason. */
export interface RefusedRow {
  readonly table: 'ratings' | 'watches';
  readonly index: number;
  readonly reason: string;
}

/**
 * {@link appendEvents} for a consumer that must not stop on one bad row: when Postgres refuses a
 * statement for its data ({@link isRefusedData}: a NUL byte, an integer out of range), the batch is
 * bisected until the refused rows stand alone; those are returned (to be dead-lettered) and every
 * other row is written. Bisection costs about 2·k·log2(n) statements for k bad rows among n, and
 * nothing when none is bad. Any other error (connection lost, server shutting down) is thrown: the
 * caller retries the batch, and the rows already written are ignored by `event_id` on the retry.
 */
export async function appendEventsIsolating(
  pool: pg.Pool,
  ratings: readonly LoggedRating[],
  watches: readonly WatchEvent[],
): Promise<Appended & { readonly refused: readonly RefusedRow[] }> {
  const refused: RefusedRow[] = [];
  const [r, w] = await Promise.all([
    insertIsolating(
      ratings,
      0,
      (rows) => insertRatings(pool, rows),
      (index, reason) => refused.push({ table: 'ratings', index, reason }),
    ),
    insertIsolating(
      watches,
      0,
      (rows) => insertWatches(pool, rows),
      (index, reason) => refused.push({ table: 'watches', index, reason }),
    ),
  ]);
  return { ratings: r, watches: w, refused };
}

/**
 * True when Postgres refused a statement for the values it carries, so the same rows fail again
 * however often they are retried: SQLSTATE class 22 (data exception: invalid byte sequence, value out
 * of range), 23 (integrity constraint) or 54 (program limit, e.g. a row too large).
 */
export function isRefusedData(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

/**
 * Runs `insert` over `rows`, bisecting on a refused statement ({@link isRefusedData}) until the refused
 * rows stand alone: each is reported to `refuse` with its index (plus `offset`) and Postgres's reason,
 * every other row is inserted. Any other error is thrown. Returns the rows inserted.
 */
export async function insertIsolating<T>(
  rows: readonly T[],
  offset: number,
  insert: (rows: readonly T[]) => Promise<number>,
  refuse: (index: number, reason: string) => void,
): Promise<number> {
  try {
    return await insert(rows);
  } catch (error) {
    if (!isRefusedData(error)) throw error;
    if (rows.length === 1) {
      const { code, message } = error as { code: string; message?: unknown };
      refuse(offset, `postgres refused the row (${code}): ${String(message ?? '')}`);
      return 0;
    }
    const half = rows.length >> 1;
    const left = await insertIsolating(rows.slice(0, half), offset, insert, refuse);
    return left + (await insertIsolating(rows.slice(half), offset + half, insert, refuse));
  }
}

async function insertRatings(pool: pg.Pool, ratings: readonly LoggedRating[]): Promise<number> {
  if (ratings.length === 0) return 0;
  const r = await pool.query(
    `INSERT INTO ratings (event_id, user_id, movie_id, rating, rated_at, source, src_partition, src_offset, src_index)
     SELECT e, u, m, r, to_timestamp(t / 1000.0), s, sp, so, si
     FROM unnest($1::text[], $2::text[], $3::text[], $4::real[], $5::float8[], $6::text[],
                 $7::int[], $8::int8[], $9::int[]) AS x(e, u, m, r, t, s, sp, so, si)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      ratings.map((r) => r.event.eventId),
      ratings.map((r) => r.event.userId),
      ratings.map((r) => r.event.movieId),
      ratings.map((r) => r.event.rating),
      ratings.map((r) => r.event.at),
      ratings.map((r) => r.event.source ?? 'stream'),
      ratings.map((r) => r.source?.partition ?? null),
      ratings.map((r) => (r.source === null ? null : String(r.source.offset))),
      ratings.map((r) => r.source?.index ?? null),
    ],
  );
  return r.rowCount ?? 0;
}

async function insertWatches(pool: pg.Pool, watches: readonly WatchEvent[]): Promise<number> {
  if (watches.length === 0) return 0;
  const w = await pool.query(
    `INSERT INTO watches (event_id, user_id, movie_id, minute, watched_at, source)
     SELECT e, u, m, n, to_timestamp(t / 1000.0), 'movielog'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::float8[]) AS x(e, u, m, n, t)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      watches.map((e) => e.eventId),
      watches.map((e) => e.userId),
      watches.map((e) => e.movieId),
      watches.map((e) => e.minute),
      watches.map((e) => e.at),
    ],
  );
  return w.rowCount ?? 0;
}
