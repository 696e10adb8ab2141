/**
 * Writes a dataset as course movielog lines (the inverse of streams/movielog-parser.ts), for replaying
 * MovieLens or the synthetic world into Kafka as if it came from the course:
 *   `for (const e of eventsInTimeOrder(d)) produce(formatMovielogLine(e))`.
 * Times are written as UTC without zone or fraction, as in the course's oldest lines.
 */
import type { Dataset, RatingRecord, WatchRecord } from './dataset.ts';

/** One dataset event, tagged by kind. */
export type DatasetEvent = { kind: 'watch'; record: WatchRecord } | { kind: 'rate'; record: RatingRecord };

/** `2021-12-30T20:52:08` for epoch seconds. Out-of-range times are clamped to the epoch. */
export function formatCourseTime(seconds: number): string {
  const ms = Number.isFinite(seconds) ? Math.min(Math.max(0, Math.floor(seconds)), 253402300799) * 1000 : 0;
  return new Date(ms).toISOString().slice(0, 19);
}

/** A course line for a watch or a rating; ratings become whole stars 1..5 (half stars round up). */
export function formatMovielogLine(event: DatasetEvent): string {
  const r = event.record;
  const head = `${formatCourseTime(r.timestamp)},${r.userId},`;
  if (event.kind === 'watch') return `${head}GET /data/m/${r.movieId}/${event.record.minute}.mpg`;
  return `${head}GET /rate/${r.movieId}=${wholeStars(event.record.rating)}`;
}

/** Whole stars for a rating on any of the MovieLens scales. */
export function wholeStars(rating: number): number {
  return Number.isFinite(rating) ? Math.min(5, Math.max(1, Math.round(rating))) : 3;
}

/**
 * The dataset's watches and ratings merged in time order (stable; at equal times watches come first,
 * since a course user watches before rating). Sorts indices, not records, so it is cheap to call on
 * datasets whose arrays are not in time order (MovieLens files are sorted by user).
 */
export function* eventsInTimeOrder(dataset: Dataset): Generator<DatasetEvent> {
  const watches = sortedIndices(dataset.watches);
  const ratings = sortedIndices(dataset.ratings);
  let w = 0;
  let r = 0;
  while (w < watches.length || r < ratings.length) {
    const watch = w < watches.length ? dataset.watches[watches[w] ?? 0] : undefined;
    const rating = r < ratings.length ? dataset.ratings[ratings[r] ?? 0] : undefined;
    if (watch !== undefined && (rating === undefined || watch.timestamp <= rating.timestamp)) {
      yield { kind: 'watch', record: watch };
      w++;
    } else if (rating !== undefined) {
      yield { kind: 'rate', record: rating };
      r++;
    } else break;
  }
}

function sortedIndices(records: readonly { timestamp: number }[]): Uint32Array {
  const order = new Uint32Array(records.length);
  for (let k = 0; k < order.length; k++) order[k] = k;
  const times = Float64Array.from(records, (x) => x.timestamp);
  // Typed-array sort is not guaranteed stable, so ties break on the index.
  return order.sort((a, b) => (times[a] ?? 0) - (times[b] ?? 0) || a - b);
}
