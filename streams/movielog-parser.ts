/**
 * Parses one line of the course's movielog stream (MLIP.md) into an event without its id:
 *   `<time>,<userid>,GET /data/m/<movieid>/<minute>.mpg`                      → watch
 *   `<time>,<userid>,GET /rate/<movieid>=<rating>`                           → rate (source `movielog`)
 *   `<time>,<userid>,recommendation request <server>, status <code>, result: <list or error>, <n> ms`
 *                                                                             → served, observed by client
 * Times are `YYYY-MM-DDTHH:MM:SS` with 0-9 fraction digits and no zone, read as UTC. Movie ids are
 * percent-decoded (older course years encoded them); `+` stays as it is. The parser never throws: every
 * problem is a typed failure, so ingest can dead-letter the line with the reason. It is hand-rolled
 * (indexOf and char codes, no backtracking regex) because it runs on every message.
 */
import { isUtf8 } from 'node:buffer';
import type { UnidentifiedEvent } from './events.ts';
import { isMovieId, MAX_MOVIE_ID_LENGTH } from './id-grammar.ts';

/** Why a line was rejected. */
export type ParseFailureReason =
  | 'empty line'
  | 'invalid UTF-8'
  | 'line too long'
  | 'missing fields'
  | 'invalid time'
  | 'invalid user id'
  | 'unknown request'
  | 'invalid movie id'
  | 'invalid minute'
  | 'invalid rating'
  | 'rating out of range'
  | 'invalid server'
  | 'invalid status'
  | 'invalid result'
  | 'invalid response time'
  | 'internal error';

/** The parser's answer: an event, or a reason to dead-letter the line. */
export type MovielogParseResult =
  { ok: true; event: UnidentifiedEvent } | { ok: false; reason: ParseFailureReason };

/** Longest line accepted; course lines are well under 1 KB, so longer ones are garbage. */
export const MAX_LINE_LENGTH = 16_384;
/** Longest server name (`host:port`) accepted in a request line. */
export const MAX_SERVER_LENGTH = 256;
/** Longest recommendation list accepted in a request line. */
export const MAX_RESULT_ITEMS = 1_000;

const WATCH = 'GET /data/m/';
const RATE = 'GET /rate/';
const REQUEST = 'recommendation request ';
const STATUS = ', status ';
const RESULT = ', result:';

const fail = (reason: ParseFailureReason): MovielogParseResult => ({ ok: false, reason });

/** Parses one movielog line (a Kafka message value); never throws. */
export function parseMovielogLine(input: string | Uint8Array): MovielogParseResult {
  try {
    let line: string;
    if (typeof input === 'string') line = input;
    else {
      const bytes = Buffer.isBuffer(input)
        ? input
        : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      if (bytes.length > MAX_LINE_LENGTH * 4) return fail('line too long');
      if (!isUtf8(bytes)) return fail('invalid UTF-8');
      line = bytes.toString('utf8');
    }
    return parseText(line);
  } catch {
    return fail('internal error');
  }
}

function parseText(raw: string): MovielogParseResult {
  let end = raw.length;
  while (end > 0 && (raw.charCodeAt(end - 1) === 10 || raw.charCodeAt(end - 1) === 13)) end--;
  if (end === 0) return fail('empty line');
  if (end > MAX_LINE_LENGTH) return fail('line too long');
  const line = end === raw.length ? raw : raw.slice(0, end);
  const c1 = line.indexOf(',');
  const c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
  if (c2 < 0) return fail('missing fields');
  const at = parseTime(line, 0, c1);
  if (at < 0) return fail('invalid time');
  if (!isUserId(line, c1 + 1, c2)) return fail('invalid user id');
  const userId = line.slice(c1 + 1, c2);
  const rest = c2 + 1;
  if (line.startsWith(WATCH, rest)) return parseWatch(line, rest + WATCH.length, userId, at);
  if (line.startsWith(RATE, rest)) return parseRate(line, rest + RATE.length, userId, at);
  if (line.startsWith(REQUEST, rest)) return parseRequest(line, rest + REQUEST.length, userId, at);
  return fail('unknown request');
}

function parseWatch(line: string, from: number, userId: string, at: number): MovielogParseResult {
  const slash = line.lastIndexOf('/');
  if (slash < from || !line.endsWith('.mpg'))
    return fail(slash < from ? 'invalid movie id' : 'invalid minute');
  const movieId = decodeMovieId(line.slice(from, slash));
  if (movieId === null) return fail('invalid movie id');
  const minute = digitsValue(line, slash + 1, line.length - 4, 6);
  if (minute < 0) return fail('invalid minute');
  return { ok: true, event: { type: 'watch', userId, movieId, minute, at } };
}

function parseRate(line: string, from: number, userId: string, at: number): MovielogParseResult {
  const eq = line.lastIndexOf('=');
  if (eq < from) return fail('invalid rating');
  const movieId = decodeMovieId(line.slice(from, eq));
  if (movieId === null) return fail('invalid movie id');
  const rating = digitsValue(line, eq + 1, line.length, 3);
  if (rating < 0) return fail('invalid rating');
  if (rating < 1 || rating > 5) return fail('rating out of range');
  return { ok: true, event: { type: 'rate', userId, movieId, rating, at, source: 'movielog' } };
}

function parseRequest(line: string, from: number, userId: string, at: number): MovielogParseResult {
  const statusAt = line.indexOf(STATUS, from);
  if (statusAt <= from) return fail('missing fields');
  const server = line.slice(from, statusAt);
  // Bounded as the served-event schema bounds it, so ingest never publishes what consumers reject.
  if (server.length > MAX_SERVER_LENGTH) return fail('invalid server');
  const codeFrom = statusAt + STATUS.length;
  const resultAt = line.indexOf(RESULT, codeFrom);
  if (resultAt < 0) return fail('missing fields');
  const status = digitsValue(line, codeFrom, resultAt, 3);
  if (status < 0) return fail('invalid status');
  let resultFrom = resultAt + RESULT.length;
  if (line.charCodeAt(resultFrom) === 32) resultFrom++;
  // The response time is the last field; the result (an error message) may itself contain ", ".
  const timeSep = line.lastIndexOf(', ');
  if (timeSep < resultAt + 1) return fail('invalid response time');
  const latencyMs = parseLatency(line, timeSep + 2);
  if (latencyMs < 0) return fail('invalid response time');
  const result = timeSep > resultFrom ? line.slice(resultFrom, timeSep) : '';
  const base = { type: 'served', userId, status, latencyMs, observedBy: 'client', server, at } as const;
  if (status !== 200) return { ok: true, event: { ...base, items: [], error: result.slice(0, 4096) } };
  const items = result === '' ? [] : result.split(', ', MAX_RESULT_ITEMS + 1);
  if (items.length > MAX_RESULT_ITEMS) return fail('invalid result');
  for (let k = 0; k < items.length; k++) {
    const id = decodeMovieId(items[k] ?? '');
    if (id === null) return fail('invalid result');
    items[k] = id;
  }
  return { ok: true, event: { ...base, items } };
}

/** `YYYY-MM-DD(T| )HH:MM:SS(.f{1,9})?` in line[from, to) as epoch ms (UTC), or -1. */
function parseTime(line: string, from: number, to: number): number {
  const len = to - from;
  if (len !== 19 && (len < 21 || len > 29)) return -1;
  const sep = line.charCodeAt(from + 10);
  if (
    line.charCodeAt(from + 4) !== 45 ||
    line.charCodeAt(from + 7) !== 45 ||
    (sep !== 84 && sep !== 32) ||
    line.charCodeAt(from + 13) !== 58 ||
    line.charCodeAt(from + 16) !== 58 ||
    (len > 19 && line.charCodeAt(from + 19) !== 46)
  ) {
    return -1;
  }
  const year = digitsValue(line, from, from + 4, 4);
  const month = digitsValue(line, from + 5, from + 7, 2);
  const day = digitsValue(line, from + 8, from + 10, 2);
  const hour = digitsValue(line, from + 11, from + 13, 2);
  const minute = digitsValue(line, from + 14, from + 16, 2);
  const second = digitsValue(line, from + 17, from + 19, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return -1;
  if (hour < 0 || minute < 0 || second < 0 || day > daysIn(year, month)) return -1;
  let ms = 0;
  if (len > 19) {
    if (digitsValue(line, from + 20, to, 9) < 0) return -1;
    for (let k = 0; k < 3; k++) ms = ms * 10 + (from + 20 + k < to ? line.charCodeAt(from + 20 + k) - 48 : 0);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The decimal value of line[from, to) if it is 1..maxDigits ASCII digits, else -1. */
function digitsValue(line: string, from: number, to: number, maxDigits: number): number {
  if (to <= from || to - from > maxDigits) return -1;
  let v = 0;
  for (let k = from; k < to; k++) {
    const c = line.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Course user ids are decimal integers (at most 12 digits). */
function isUserId(line: string, from: number, to: number): boolean {
  if (to <= from || to - from > 12) return false;
  for (let k = from; k < to; k++) {
    const c = line.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `55 ms`, `1ms`, `12.5 ms` from `from` to the end, or -1. */
function parseLatency(line: string, from: number): number {
  let end = line.length;
  if (!line.endsWith('ms')) return -1;
  end -= 2;
  if (line.charCodeAt(end - 1) === 32) end--;
  const dot = line.indexOf('.', from);
  if (dot < 0 || dot >= end) return digitsValue(line, from, end, 9);
  const whole = digitsValue(line, from, dot, 9);
  const frac = digitsValue(line, dot + 1, end, 9);
  return whole < 0 || frac < 0 ? -1 : Number(line.slice(from, end));
}

/**
 * A percent-decoded movie id, or null when empty, badly encoded, or (once decoded) outside the id
 * grammar (streams/id-grammar.ts: too long, controls, space, comma, a `..` path segment).
 */
export function decodeMovieId(raw: string): string | null {
  if (raw.length === 0 || raw.length > 3 * MAX_MOVIE_ID_LENGTH) return null;
  let id = raw;
  if (raw.indexOf('%') >= 0) {
    try {
      id = decodeURIComponent(raw);
    } catch {
      return null;
    }
  }
  return isMovieId(id) ? id : null;
}
