/**
 * The JSON events on `marquee.user-events` (keyed by user id) and the dead-letter record on
 * `marquee.dlq`. Ingest makes them from movielog lines (movielog-parser.ts) or API calls; actors and the
 * Postgres sink read them back through {@link userEventSchema}.
 *
 * `at` is epoch milliseconds (UTC): a number sorts, compares and stores (Postgres `timestamptz` via
 * `to_timestamp(at / 1000.0)`) without parsing, and the course's zone-less times are read as UTC. Digits
 * past the millisecond are dropped.
 *
 * `eventId` is deterministic, so replays are idempotent downstream: {@link eventIdFor} for events from a
 * topic, {@link eventIdForKey} for API calls carrying an idempotency key.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isMovieId, isUserId, movieIdSchema, userIdSchema } from './id-grammar.ts';

const userId = userIdSchema;
const movieId = movieIdSchema;
const at = z.number().int().nonnegative();
const eventId = z.string().regex(/^[0-9a-f]{32}$/);

/** A star rating (whole stars 1..5, as the course logs them). */
export const rateEventSchema = z.object({
  type: z.literal('rate'),
  userId,
  movieId,
  rating: z.number().int().min(1).max(5),
  at,
  eventId,
  /** Where it came from, e.g. `movielog`, `api`, `replay`. */
  source: z.string().max(64).optional(),
});

/** One watched minute (`GET /data/m/<id>/<minute>.mpg`). */
export const watchEventSchema = z.object({
  type: z.literal('watch'),
  userId,
  movieId,
  minute: z.number().int().nonnegative(),
  at,
  eventId,
});

/**
 * A recommendation list served to a user. `observedBy: 'server'` is the API's own record;
 * `'client'` is the course simulator's echo (a recommendation-request line), whose status (200, 0 for
 * timeout/refused, 500) and latency are what the client saw.
 */
export const servedEventSchema = z.object({
  type: z.literal('served'),
  userId,
  items: z.array(movieId).max(1000),
  status: z.number().int().min(0).max(999),
  latencyMs: z.number().nonnegative(),
  observedBy: z.enum(['client', 'server']),
  arm: z.string().max(64).optional(),
  modelVersion: z.string().max(128).optional(),
  /** The server the client called (`host:port`), when known. */
  server: z.string().max(256).optional(),
  /** The client's error message when `status` is not 200. */
  error: z.string().max(4096).optional(),
  at,
  eventId,
});

/**
 * A model version was published that the user's state must move onto now (the retrain sends one
 * per user with ratings after its watermark, so those ratings reach the new vectors at once rather
 * than at the user's next event). Not part of the durable log.
 */
export const rebaseEventSchema = z.object({
  type: z.literal('rebase'),
  userId,
  version: z.string().min(1).max(64),
  at,
  eventId,
});

/**
 * A user's demographics became known (the metadata enricher looked them up): the user actor keeps
 * them in the user's state, where serving's guard and cold-start cohorts read them. Not part of the
 * durable log (Postgres `users` has them).
 */
export const profileEventSchema = z.object({
  type: z.literal('profile'),
  userId,
  age: z.number().int().min(0).max(130).nullable(),
  gender: z.enum(['M', 'F']).nullable(),
  at,
  eventId,
});

/** Any event on `marquee.user-events`. */
export const userEventSchema = z.discriminatedUnion('type', [
  rateEventSchema,
  watchEventSchema,
  servedEventSchema,
  rebaseEventSchema,
  profileEventSchema,
]);

const EVENT_ID = /^[0-9a-f]{32}$/;
const isText = (x: unknown, min: number, max: number): x is string =>
  typeof x === 'string' && x.length >= min && x.length <= max;
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/**
 * The two events that make up nearly all of the stream (ratings and watches), checked by hand: zod's
 * safeParse was ≈ 5 % of the user actors' CPU. Returns what {@link userEventSchema} would return,
 * or undefined when the value is anything else — then the schema decides (and explains). Checks are
 * as strict as the schema's or stricter, never looser (a property test holds the two together).
 */
export function fastUserEvent(x: unknown): RateEvent | WatchEvent | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const e = x as Record<string, unknown>;
  const { type, userId, movieId, at, eventId } = e;
  if (!isUserId(userId) || !isMovieId(movieId) || !isCount(at)) return undefined;
  if (typeof eventId !== 'string' || !EVENT_ID.test(eventId)) return undefined;
  if (type === 'watch') {
    const { minute } = e;
    return isCount(minute) ? { type, userId, movieId, minute, at, eventId } : undefined;
  }
  if (type !== 'rate') return undefined;
  const { rating, source } = e;
  if (!Number.isInteger(rating) || (rating as number) < 1 || (rating as number) > 5) return undefined;
  if (source === undefined) return { type, userId, movieId, rating: rating as number, at, eventId };
  return isText(source, 0, 64)
    ? { type, userId, movieId, rating: rating as number, at, eventId, source }
    : undefined;
}

/** A rating event. */
export type RateEvent = z.infer<typeof rateEventSchema>;
/** A watched-minute event. */
export type WatchEvent = z.infer<typeof watchEventSchema>;
/** A served-list event. */
export type ServedEvent = z.infer<typeof servedEventSchema>;
/** A demographics event. */
export type ProfileEvent = z.infer<typeof profileEventSchema>;
/** A move-onto-a-new-version event. */
export type RebaseEvent = z.infer<typeof rebaseEventSchema>;
/** Any user event. */
export type UserEvent = z.infer<typeof userEventSchema>;

/** An event before it is given its id (what the movielog parser returns). */
export type UnidentifiedEvent =
  Omit<RateEvent, 'eventId'> | Omit<WatchEvent, 'eventId'> | Omit<ServedEvent, 'eventId'>;

/** An event the course log or a client can produce (every user event but Marquee's own rebase). */
export type CourseEvent = RateEvent | WatchEvent | ServedEvent;

/** Attaches an id to a parsed event. */
export function withEventId(event: UnidentifiedEvent, id: string): CourseEvent {
  return { ...event, eventId: id } as CourseEvent;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * The id of the event read at `offset` of `topic`/`partition` (128 bits of SHA-256, hex). The line's
 * bytes are part of it when given: if the topic is ever recreated and offsets start again at 0, new
 * lines get new ids instead of being taken for replays of old ones.
 */
export function eventIdFor(
  topic: string,
  partition: number,
  offset: string | number | bigint,
  content?: string | Uint8Array,
): string {
  const hash = createHash('sha256').update(`offset\u0000${topic}\u0000${partition}\u0000${String(offset)}`);
  if (content !== undefined) hash.update('\u0000').update(content);
  return hash.digest('hex').slice(0, 32);
}

/** The id of an event a client sent with an idempotency key (domain-separated from {@link eventIdFor}). */
export function eventIdForKey(idempotencyKey: string): string {
  return shortHash(`key\u0000${idempotencyKey}`);
}

/**
 * A message ingest could not use, on `marquee.dlq`. The original bytes travel as UTF-8 text when they
 * are valid UTF-8, else as base64 (`encoding` says which), so nothing is lost in JSON.
 */
export const deadLetterSchema = z.object({
  line: z.string(),
  encoding: z.enum(['utf8', 'base64']),
  reason: z.string().min(1),
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  /** Kafka offsets are 64-bit: a decimal string. */
  offset: z.string().regex(/^\d+$/),
  /** The event's index within its record, when the record was a pack of events (streams/event-pack.ts). */
  index: z.number().int().nonnegative().optional(),
  /** When it was dead-lettered, epoch ms. */
  at,
});

/** A dead-letter record. */
export type DeadLetter = z.infer<typeof deadLetterSchema>;

/** A place in a partition: a record's offset and the event's index within that record's pack. */
export interface Position {
  readonly offset: number;
  readonly index: number;
}

/** An event's source: its record's topic, partition and offset, and its index in that record's pack. */
export interface SourceRef extends Position {
  readonly topic: string;
  readonly partition: number;
}

/**
 * Where a dead message came from: a SourceRef whose offset may be as kafkajs gives it (a string)
 * and whose index is absent when the whole record is dead.
 */
export type DeadLetterSource = Omit<SourceRef, 'offset' | 'index'> & {
  readonly offset: string | number | bigint;
  readonly index?: number;
};

/** Builds a dead-letter record for `raw`, choosing UTF-8 text or base64. */
export function toDeadLetter(
  raw: string | Uint8Array,
  reason: string,
  source: DeadLetterSource,
  atMs: number,
): DeadLetter {
  const position = {
    topic: source.topic,
    partition: source.partition,
    offset: String(source.offset),
    ...(source.index === undefined ? {} : { index: source.index }),
  };
  if (typeof raw === 'string') return { line: raw, encoding: 'utf8', reason, ...position, at: atMs };
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const utf8 = isUtf8(bytes);
  return {
    line: bytes.toString(utf8 ? 'utf8' : 'base64'),
    encoding: utf8 ? 'utf8' : 'base64',
    reason,
    ...position,
    at: atMs,
  };
}

/** The dead-letter topic's record for `raw` from `source`, keyed by its source partition. */
export function deadLetterRecord(
  raw: string | Uint8Array,
  reason: string,
  source: DeadLetterSource,
  atMs = Date.now(),
): { key: string; value: string } {
  return {
    key: `${source.topic}:${source.partition}`,
    value: JSON.stringify(toDeadLetter(raw, reason, source, atMs)),
  };
}

/** The original bytes of a dead-letter record. */
export function deadLetterBytes(record: DeadLetter): Buffer {
  return Buffer.from(record.line, record.encoding);
}
