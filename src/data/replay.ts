import { createRandom } from '../lib/random.ts';
import type { Dataset } from './dataset.ts';
import { corruptLine, type Corruption } from './malformed-lines.ts';
import { eventsInTimeOrder, formatMovielogLine } from './movielog-lines.ts';

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
 * A dataset's watches and ratings as course lines in time order, keyed by user id so one user's lines
 * keep their order on one partition. A seeded share of lines is corrupted.
 */
export function buildReplay(dataset: Dataset, options: ReplayOptions = {}): ReplayMessage[] {
  const share = options.malformedShare ?? 0;
  if (!(share >= 0 && share <= 1)) throw new RangeError(`malformed share must be within 0..1, got ${share}`);
  const limit = options.limit ?? Infinity;
  const random = createRandom(options.seed ?? 1);
  const messages: ReplayMessage[] = [];
  for (const event of eventsInTimeOrder(dataset)) {
    if (messages.length >= limit) break;
    const key = event.record.userId;
    const line = formatMovielogLine(event);
    if (share > 0 && random.next() < share) {
      const { value, corruption } = corruptLine(line, random);
      messages.push({ key, value, corruption });
    } else messages.push({ key, value: line });
  }
  return messages;
}
