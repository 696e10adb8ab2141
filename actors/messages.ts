/**
 * What flows between the two actor kinds on `marquee.movie-events` (keyed by movie id). Each message
 * names its source position (user-events partition and offset): the movie task keeps, per source
 * partition, the highest offset applied and drops replays at or below it (DESIGN.md, "Processing
 * guarantees"). Vectors travel as base64 of little-endian Float32 bytes: exact and compact.
 */
import { z } from 'zod';

/** Where a movie event came from: its user-events record. */
export interface SourceRef {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A rating's movie half: the user's pre-step vector and the pre-step error. */
export interface MovieRatingMessage {
  readonly type: 'rate';
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

const sourceSchema = z.object({
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
});
const common = {
  movieId: z.string().min(1),
  userId: z.string().min(1),
  at: z.number().int().nonnegative(),
  eventId: z.string().min(1),
  source: sourceSchema,
};
const wireSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('rate'),
    ...common,
    rating: z.number().min(0).max(10),
    err: z.number().finite(),
    p: z.string(),
  }),
  z.object({ type: z.literal('watch'), ...common }),
]);

/** Float32 vector → base64 of its little-endian bytes. */
export function vectorToBase64(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

/** base64 of little-endian Float32 bytes → a fresh vector (null when the length is not 4n). */
export function vectorFromBase64(text: string): Float32Array | null {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) return null;
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Encodes a movie message as the JSON value of a movie-events record. */
export function encodeMovieMessage(m: MovieMessage): string {
  return JSON.stringify(m.type === 'rate' ? { ...m, p: vectorToBase64(m.p) } : m);
}

/** Decodes a movie-events value; a string reason when it is not a valid movie message. */
export function decodeMovieMessage(value: string): MovieMessage | string {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return 'not JSON';
  }
  const parsed = wireSchema.safeParse(json);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? 'invalid movie message';
  const m = parsed.data;
  if (m.type === 'watch') return m;
  const p = vectorFromBase64(m.p);
  if (p === null || !p.every(Number.isFinite)) return 'p is not a finite Float32 vector';
  return { ...m, p };
}
