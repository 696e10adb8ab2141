/**
 * The served-list log in Postgres (`served_lists`): written once per list by the served-list sink
 * (streams/served-sink.ts), read by the audits (src/jobs/audit/).
 */
import type pg from 'pg';
import type { ServedEvent } from '../../../streams/events.ts';
import { insertIsolating } from './event-log.ts';

/**
 * Appends served lists in one statement; `event_id` is the primary key and conflicts are ignored, so
 * writing a batch again (a replay, a retried batch) adds nothing. Returns the rows inserted.
 */
export async function appendServedLists(pool: pg.Pool, events: readonly ServedEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  // Items travel as one JSON array per list: unnest cannot take an array of arrays of unequal length.
  const result = await pool.query(
    `INSERT INTO served_lists (event_id, user_id, arm, model_version, items, served_at, latency_ms, status, observed_by)
     SELECT e, u, a, v, ARRAY(SELECT json_array_elements_text(i::json)), to_timestamp(t / 1000.0), l, s, o
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::real[],
                 $8::smallint[], $9::text[]) AS x(e, u, a, v, i, t, l, s, o)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      events.map((e) => e.eventId),
      events.map((e) => e.userId),
      events.map((e) => e.arm ?? null),
      events.map((e) => e.modelVersion ?? null),
      events.map((e) => JSON.stringify(e.items)),
      events.map((e) => e.at),
      events.map((e) => e.latencyMs),
      events.map((e) => e.status),
      events.map((e) => e.observedBy),
    ],
  );
  return result.rowCount ?? 0;
}

/**
 * {@link appendServedLists} for the sink, which must not stop on one bad row: lists Postgres refuses
 * for their values (a latency beyond a real, say) come back by index with the reason, to be
 * dead-lettered; every other list is written. Any other error is thrown (the sink retries).
 */
export async function appendServedListsIsolating(
  pool: pg.Pool,
  events: readonly ServedEvent[],
): Promise<{ readonly inserted: number; readonly refused: readonly { index: number; reason: string }[] }> {
  const refused: { index: number; reason: string }[] = [];
  const inserted = await insertIsolating(
    events,
    0,
    (rows) => appendServedLists(pool, rows),
    (index, reason) => refused.push({ index, reason }),
  );
  return { inserted, refused };
}

/** One stored served list, as the audits read it. */
export interface StoredServedList {
  readonly seq: number;
  readonly eventId: string;
  readonly userId: string;
  readonly arm: string | null;
  readonly modelVersion: string | null;
  readonly items: readonly string[];
  /** Epoch ms. */
  readonly servedAt: number;
}

/** Rows per page of {@link readServedLists}. */
const PAGE_ROWS = 20_000;

/**
 * Served lists with `since < served_at <= until` (epoch ms; since null: from the start), in arrival
 * order, a page at a time (keyset on seq), so a long window never sits in one result set.
 */
export async function* readServedLists(
  pool: pg.Pool,
  since: number | null,
  until: number,
): AsyncGenerator<StoredServedList[]> {
  let after = 0;
  for (;;) {
    const page = await readServedAfter(pool, after, PAGE_ROWS, { since, until });
    if (page.length === 0) return;
    yield page;
    after = (page[page.length - 1] as StoredServedList).seq;
  }
}

/**
 * At most `limit` served lists with seq > `after`, in seq order, optionally within a time window and
 * only those ingested before `ingestedBefore` (epoch ms).
 */
export async function readServedAfter(
  pool: pg.Pool,
  after: number,
  limit: number,
  window: { since?: number | null; until?: number; ingestedBefore?: number } = {},
): Promise<StoredServedList[]> {
  const result = await pool.query<{
    seq: string;
    event_id: string;
    user_id: string;
    arm: string | null;
    model_version: string | null;
    items: string[];
    t: number;
  }>(
    `SELECT seq, event_id, user_id, arm, model_version, items,
            round(date_part('epoch', served_at) * 1000000) / 1000 AS t
     FROM served_lists
     WHERE seq > $1
       AND ($2::float8 IS NULL OR served_at > to_timestamp($2 / 1000.0))
       AND ($3::float8 IS NULL OR served_at <= to_timestamp($3 / 1000.0))
       AND ($4::float8 IS NULL OR ingested_at < to_timestamp($4 / 1000.0))
     ORDER BY seq LIMIT $5`,
    [after, window.since ?? null, window.until ?? null, window.ingestedBefore ?? null, limit],
  );
  return result.rows.map((r) => ({
    seq: Number(r.seq),
    eventId: r.event_id,
    userId: r.user_id,
    arm: r.arm,
    modelVersion: r.model_version,
    items: r.items,
    servedAt: Number(r.t),
  }));
}

/** Served lists stored now. */
export async function countServedLists(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ n: string }>('SELECT count(*) AS n FROM served_lists');
  return Number(result.rows[0]?.n ?? 0);
}
