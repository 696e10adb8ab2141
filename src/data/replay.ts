import { createRandom } from '../model/random.ts';
import { rateLine, watchLine } from './course-lines.ts';
import type { Dataset } from './dataset.ts';
import { corruptLine, type Corruption } from './malformed-lines.ts';

/** One movielog message of a replay; `corruption` is set on the lines broken on purpose. */
export interface ReplayMessage {
  readonly key: string;
  readonly value: string | Buffer;
  readonly corruption?: Corruption;
}

/** What to replay. */
export interface ReplayOptions {
  /** At most this many lines (the earliest ones). */
  readonly limit?: number;
  /** Share of lines to corrupt, 0..1. */
  readonly malformedShare?: number;
  readonly seed?: number;
}

/**
 * A dataset's ratings and watches as course lines in time order (ties: ratings after the watches of
 * the same second, as a user rates after watching), keyed by user id so one user's lines keep their
 * order on one partition. A seeded share of lines is corrupted.
 */
export function buildReplay(dataset: Dataset, options: ReplayOptions = {}): ReplayMessage[] {
  const share = options.malformedShare ?? 0;
  if (!(share >= 0 && share <= 1)) throw new RangeError(`malformed share must be within 0..1, got ${share}`);
  const { ratings, watches } = dataset;
  const total = Math.min(options.limit ?? Infinity, ratings.length + watches.length);
  const ratingOrder = order(ratings.map((r) => r.timestamp));
  const watchOrder = order(watches.map((w) => w.timestamp));
  const random = createRandom(options.seed ?? 1);
  const messages: ReplayMessage[] = [];
  let r = 0;
  let w = 0;
  while (messages.length < total) {
    const rating = ratings[ratingOrder[r] ?? -1];
    const watch = watches[watchOrder[w] ?? -1];
    let key: string;
    let line: string;
    if (watch !== undefined && (rating === undefined || watch.timestamp <= rating.timestamp)) {
      key = watch.userId;
      line = watchLine(watch.timestamp, watch.userId, watch.movieId, watch.minute);
      w += 1;
    } else if (rating !== undefined) {
      key = rating.userId;
      line = rateLine(rating.timestamp, rating.userId, rating.movieId, rating.rating);
      r += 1;
    } else break;
    if (share > 0 && random.next() < share) {
      const { value, corruption } = corruptLine(line, random);
      messages.push({ key, value, corruption });
    } else messages.push({ key, value: line });
  }
  return messages;
}

function order(times: readonly number[]): Uint32Array {
  const index = Uint32Array.from(times, (_, i) => i);
  return index.sort((a, b) => (times[a] ?? 0) - (times[b] ?? 0) || a - b);
}
