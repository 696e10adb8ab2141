/**
 * A dataset played as the course plays it, for the course check and the end-to-end test: the first
 * share of its ratings by time as course lines, each rating preceded by a few watch lines of that
 * movie (`GET /data/m/<id>/<minute>.mpg`, one per minute watched), a seeded share of lines broken on
 * purpose, and the later ratings held out to judge the lists served afterwards.
 */
import { createRandom } from '../lib/random.ts';
import type { Dataset, RatingRecord, WatchRecord } from './dataset.ts';
import { eventsInTimeOrder, type DatasetEvent } from './movielog-lines.ts';
import { buildReplay, type ReplayMessage } from './replay.ts';

/** How to play a dataset. */
export interface CoursePlayOptions {
  /** Only the first `limit` ratings by time take part (played and held out). Default: all. */
  readonly limit?: number;
  /** Share of those ratings played, the earliest (default 0.8; 1 plays all); the rest are held out. */
  readonly playedShare?: number;
  /**
   * Watch lines before each played rating, fewest and most (default 1..4), when the dataset has no
   * watches of its own (MovieLens); a dataset with watches (the synthetic world) plays its own.
   */
  readonly watchLines?: readonly [number, number];
  /** Share of lines broken on purpose (default 0.015). */
  readonly malformedShare?: number;
  /** Seed of the watch lines and of which lines are broken (default 1). */
  readonly seed?: number;
}

/** What was played and what was held out. */
export interface CoursePlay {
  /** The movielog messages, in time order. */
  readonly messages: readonly ReplayMessage[];
  /** The event behind each message (`events[k]` is `messages[k]` before any corruption). */
  readonly events: readonly DatasetEvent[];
  /** Events whose lines reached the stream intact: what Marquee can know. */
  readonly delivered: { readonly ratings: readonly RatingRecord[]; readonly watches: readonly WatchRecord[] };
  /** Lines broken on purpose. */
  readonly malformed: number;
  /** The ratings after the played ones, in time order: the future the lists are judged against. */
  readonly heldOut: readonly RatingRecord[];
  /** Ratings that took part (played and held out). */
  readonly ratingsInWindow: number;
  /** Ratings played (intact or not). */
  readonly ratingsPlayed: number;
  /** Time of the last played rating, seconds: "now" for popularity as of the cut-off. */
  readonly cutoff: number;
}

/** Ratings in time order, ties kept in file order. */
function byTime(ratings: readonly RatingRecord[]): RatingRecord[] {
  return ratings
    .map((r, k) => ({ r, k }))
    .sort((a, b) => a.r.timestamp - b.r.timestamp || a.k - b.k)
    .map((x) => x.r);
}

/** A few watch lines of the rated movie, one per minute, ending a minute before the rating. */
function watchesBefore(
  ratings: readonly RatingRecord[],
  [fewest, most]: readonly [number, number],
  seed: number,
): WatchRecord[] {
  const random = createRandom(seed);
  const watches: WatchRecord[] = [];
  for (const r of ratings) {
    const n = fewest + random.int(most - fewest + 1);
    for (let minute = 0; minute < n; minute++)
      watches.push({
        userId: r.userId,
        movieId: r.movieId,
        minute,
        timestamp: r.timestamp - (n - minute) * 60,
      });
  }
  return watches;
}

/** Plays `dataset` as the course would; see the module comment. */
export function planCoursePlay(dataset: Dataset, options: CoursePlayOptions = {}): CoursePlay {
  const share = options.playedShare ?? 0.8;
  if (!(share > 0 && share <= 1)) throw new RangeError(`played share must be within (0, 1], got ${share}`);
  const [fewest, most] = options.watchLines ?? [1, 4];
  if (!(Number.isInteger(fewest) && Number.isInteger(most) && fewest >= 0 && most >= fewest))
    throw new RangeError(`watch lines must be whole numbers fewest ≤ most, got ${fewest}..${most}`);
  const seed = options.seed ?? 1;
  const window = byTime(dataset.ratings).slice(0, options.limit ?? Infinity);
  const cut = Math.floor(window.length * share);
  const played = window.slice(0, cut);
  const cutoff = played[played.length - 1]?.timestamp ?? -Infinity;
  const watches =
    dataset.watches.length > 0
      ? dataset.watches.filter((w) => w.timestamp <= cutoff)
      : watchesBefore(played, [fewest, most], seed);
  const playing: Dataset = { ...dataset, ratings: played, watches };
  const events = [...eventsInTimeOrder(playing)];
  // buildReplay turns the same events, in the same order, into one message each.
  const messages = buildReplay(playing, { malformedShare: options.malformedShare ?? 0.015, seed });
  if (messages.length !== events.length)
    throw new Error(`replay has ${messages.length} lines for ${events.length} events`);
  const delivered = { ratings: [] as RatingRecord[], watches: [] as WatchRecord[] };
  let malformed = 0;
  events.forEach((event, k) => {
    if (messages[k]?.corruption !== undefined) malformed++;
    else if (event.kind === 'rate') delivered.ratings.push(event.record);
    else delivered.watches.push(event.record);
  });
  return {
    messages,
    events,
    delivered,
    malformed,
    heldOut: window.slice(cut),
    ratingsInWindow: window.length,
    ratingsPlayed: played.length,
    cutoff,
  };
}
