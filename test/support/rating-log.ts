/**
 * Ratings into the durable log as the Postgres sink writes them, for tests of what reads the log
 * (the retrain, the worker, the lifecycle commands): whole stars, each at the next position of
 * user-events partition 0, with a deterministic event id per position.
 */
import type pg from 'pg';
import type { RatingRecord } from '../../src/data/dataset.ts';
import { appendEvents } from '../../src/store/postgres/event-log.ts';
import { eventIdForKey, type RateEvent } from '../../streams/events.ts';

/** Appends `ratings` at positions `firstOffset`, `firstOffset + 1`, …; resolves with the next free offset. */
export async function logRatings(
  pool: pg.Pool,
  ratings: readonly RatingRecord[],
  firstOffset: number,
  label: string,
): Promise<number> {
  const rows = ratings.map((r, k) => {
    const offset = firstOffset + k;
    const event: RateEvent = {
      type: 'rate',
      userId: r.userId,
      movieId: r.movieId,
      rating: Math.max(1, Math.round(r.rating)),
      at: r.timestamp * 1000,
      eventId: eventIdForKey(`${label}-${offset}`),
    };
    return { event, source: { topic: 'user-events', partition: 0, offset, index: 0 } };
  });
  await appendEvents(pool, rows, []);
  return firstOffset + ratings.length;
}
