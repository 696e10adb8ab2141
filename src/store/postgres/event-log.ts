import type pg from 'pg';
import type { RateEvent, SourceRef, WatchEvent } from '../../../streams/events.ts';

/** A rating with the user-events position it was read at (null: no position, e.g. a back-fill). */
export interface LoggedRating {
  readonly event: RateEvent;
  readonly source: SourceRef | null;
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
): Promise<{ ratings: number; watches: number }> {
  const [r, w] = await Promise.all([
    ratings.length === 0
      ? undefined
      : pool.query(
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
        ),
    watches.length === 0
      ? undefined
      : pool.query(
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
        ),
  ]);
  return { ratings: r?.rowCount ?? 0, watches: w?.rowCount ?? 0 };
}
