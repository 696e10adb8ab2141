/**
 * The one grammar of user and movie ids, shared by the movielog parser, the event schemas (and the
 * hand-checked fast path) and the API's routes, so an id one door refuses cannot enter by another.
 * An id is 1..max UTF-16 units with no control characters (C0, DEL, C1: Postgres refuses NUL, and a
 * newline would split an event pack), no white space or comma (the course's list separator), no
 * unpaired surrogate (it would change on its way through UTF-8), and no `.` or `..` path segment
 * (ids become URL paths and file names downstream).
 */
import { z } from 'zod';

/** Longest user id (course ids are at most 12 digits; other sources get room). */
export const MAX_USER_ID_LENGTH = 64;
/** Longest movie id (the longest course titles are well under 200 characters). */
export const MAX_MOVIE_ID_LENGTH = 300;

const WHITE_SPACE = /\s/;

/** Why an id is refused, or null when it is well formed. */
export function idProblem(id: string, maxLength: number): string | null {
  if (id.length === 0) return 'empty';
  if (id.length > maxLength) return `longer than ${maxLength}`;
  let segmentStart = 0;
  for (let k = 0; k < id.length; k++) {
    const c = id.charCodeAt(k);
    if (c <= 32 || (c >= 127 && (c <= 160 || WHITE_SPACE.test(id.charAt(k)))))
      return 'control character or white space';
    if (c === 44) return 'comma';
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = id.charCodeAt(k + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return 'unpaired surrogate';
      k++;
    } else if (c === 47 || c === 92) {
      if (isDotSegment(id, segmentStart, k)) return 'dot path segment';
      segmentStart = k + 1;
    }
  }
  return isDotSegment(id, segmentStart, id.length) ? 'dot path segment' : null;
}

function isDotSegment(id: string, from: number, to: number): boolean {
  const n = to - from;
  return (n === 1 || n === 2) && id.charCodeAt(from) === 46 && (n === 1 || id.charCodeAt(from + 1) === 46);
}

/** True when `id` is a well-formed user id. */
export const isUserId = (id: unknown): id is string =>
  typeof id === 'string' && idProblem(id, MAX_USER_ID_LENGTH) === null;

/** True when `id` is a well-formed movie id. */
export const isMovieId = (id: unknown): id is string =>
  typeof id === 'string' && idProblem(id, MAX_MOVIE_ID_LENGTH) === null;

const idSchema = (kind: string, maxLength: number) =>
  z.string().superRefine((id, ctx) => {
    const problem = idProblem(id, maxLength);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `${kind} id: ${problem}` });
  });

/** A user id in a zod schema. */
export const userIdSchema = idSchema('user', MAX_USER_ID_LENGTH);
/** A movie id in a zod schema. */
export const movieIdSchema = idSchema('movie', MAX_MOVIE_ID_LENGTH);
