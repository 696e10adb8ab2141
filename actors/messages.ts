/**
 * What flows between the two actor kinds on `marquee.movie-events` (packs keyed by movie id,
 * streams/event-pack.ts). Each message names its source position (user-events partition, offset and
 * index in the pack): the movie task keeps, per source partition, the highest position applied and
 * drops replays at or before it (DESIGN.md, "Processing guarantees"). Vectors travel as base64 of little-endian Float32 bytes: exact and compact.
 */
import type { Position, SourceRef } from '../streams/events.ts';
import { vectorFromBase64, vectorToBase64 } from '../src/state/vector-bytes.ts';

export type { Position, SourceRef };

/** Whether `a` comes after `b` in its partition (anything comes after nothing). */
export function isAfter(a: Position, b: Position | undefined): boolean {
  return b === undefined || a.offset > b.offset || (a.offset === b.offset && a.index > b.index);
}

/** A rating's movie half: the user's pre-step vector and the pre-step error. */
export interface MovieRatingMessage {
  readonly type: 'rate';
  /** The model version of `p` and `err` ('' for seeded vectors): a movie in another version does not learn from it. */
  readonly v: string;
  readonly movieId: string;
  readonly userId: string;
  readonly rating: number;
  /** r − r̂, computed by the user actor with the movie's vector as it read it. */
  readonly err: number;
  /** p_u before the user's half step. */
  readonly p: Float32Array;
  readonly at: number;
  readonly eventId: string;
  readonly source: SourceRef;
  /**
   * The rater's popularity cohort (`cohortOf` of their age and gender): present when the movie actor
   * adds this rating to the popularity boards, which only it can do right, since only it knows whether
   * the rating is over the daily cap. Absent on messages of user actors from before that move, which
   * counted the rating's popularity themselves.
   */
  readonly cohort?: string;
  /** Whether the title was in a list last served to the rater (a served, not organic, take-up). */
  readonly served?: boolean;
}

/** A watched minute, for the movie's counters and leaderboards. */
export interface MovieWatchMessage {
  readonly type: 'watch';
  readonly movieId: string;
  readonly userId: string;
  readonly at: number;
  readonly eventId: string;
  readonly source: SourceRef;
}

/** Any message a movie actor receives. */
export type MovieMessage = MovieRatingMessage | MovieWatchMessage;

/** Encodes a movie message as the JSON value of a movie-events record. */
export function encodeMovieMessage(m: MovieMessage): string {
  return JSON.stringify(m.type === 'rate' ? { ...m, p: vectorToBase64(m.p) } : m);
}

const isId = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 300;
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

function decodeSource(x: unknown): SourceRef | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const { topic, partition, offset, index = 0 } = x as Record<string, unknown>;
  return isId(topic) && isCount(partition) && isCount(offset) && isCount(index)
    ? { topic, partition, offset, index }
    : undefined;
}

/**
 * Decodes one movie event (one line of a movie-events pack); a string reason when it is not a valid movie message. Checked by
 * hand rather than by a zod schema: it runs once per event on the movie side's hot path.
 */
export function decodeMovieMessage(value: string): MovieMessage | string {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return 'not JSON';
  }
  if (typeof json !== 'object' || json === null) return 'not a JSON object';
  const m = json as Record<string, unknown>;
  const { type, movieId, userId, at, eventId } = m;
  const source = decodeSource(m.source);
  if (!isId(movieId) || !isId(userId) || !isId(eventId)) return 'missing movieId, userId or eventId';
  if (!isCount(at) || source === undefined) return 'missing at or source';
  if (type === 'watch') return { type, movieId, userId, at, eventId, source };
  if (type !== 'rate') return `unknown type ${JSON.stringify(type)}`;
  const { rating, err } = m;
  if (typeof rating !== 'number' || !(rating >= 0 && rating <= 10)) return 'rating off the scale';
  if (typeof err !== 'number' || !Number.isFinite(err)) return 'err is not a finite number';
  const p = typeof m.p === 'string' ? vectorFromBase64(m.p) : null;
  if (p === null || !p.every(Number.isFinite)) return 'p is not a finite Float32 vector';
  const v = m.v === undefined ? '' : m.v;
  if (typeof v !== 'string' || v.length > 64) return 'v is not a version';
  const { cohort, served = false } = m;
  if (cohort !== undefined && !(typeof cohort === 'string' && cohort.length > 0 && cohort.length <= 64))
    return 'cohort is not a cohort name';
  if (typeof served !== 'boolean') return 'served is not a boolean';
  const decoded = { type, v, movieId, userId, rating, err, p, at, eventId, source } as const;
  return cohort === undefined ? decoded : { ...decoded, cohort, served };
}
