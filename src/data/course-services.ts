/**
 * Client for the course's user and movie metadata services (`GET <base>/user/<id>`,
 * `GET <base>/movie/<id>`). The services are rate-limited and flaky, so every call has a timeout, retries
 * 429/5xx/timeouts/network errors with jittered exponential back-off (honouring Retry-After), and
 * answers are cached in memory (found and not-found; failures are not cached). Concurrent calls for one
 * id share one request. Results are typed; the client never throws.
 *
 * Use: `const services = createCourseServices({ baseUrl: 'http://128.2.204.215:8080' });`
 * `const r = await services.movie('toy+story+1995'); if (r.status === 'found') use(r.value);`
 */
import type { UserRecord } from './dataset.ts';
import type { CourseMovie } from './course-metadata.ts';
import { parseCourseMovie, parseCourseUser } from './course-metadata.ts';
import { backoffDelay, parseRetryAfter } from '../lib/retry-backoff.ts';

/** What a lookup found: the record, a definite "no such id", or a failure after retries. */
export type LookupResult<T> =
  | { status: 'found'; value: T }
  | { status: 'not-found' }
  | { status: 'failed'; reason: string; attempts: number };

/** Options for {@link createCourseServices}; only `baseUrl` is required. */
export interface CourseServicesOptions {
  /** e.g. `http://localhost:8080` (no trailing slash needed). */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Per attempt, covering the body too. Default 2,000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 4. */
  retries?: number;
  /** Back-off cap for the first retry. Default 200 ms. */
  backoffBaseMs?: number;
  /** Upper bound for any wait, Retry-After included. Default 10,000 ms. */
  backoffMaxMs?: number;
  /** Entries kept per cache (users, movies), oldest evicted first. Default 100,000. */
  cacheSize?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The two lookups. */
export interface CourseServices {
  /** The user's demographics from `GET /user/<id>`. */
  user(userId: string): Promise<LookupResult<UserRecord>>;
  /** The movie's metadata from `GET /movie/<id>` (course-style id). */
  movie(movieId: string): Promise<LookupResult<CourseMovie>>;
}

type Attempt = { done: LookupResult<unknown> } | { retry: string; afterMs: number | null };

/** Builds a client; see the module comment for behaviour. */
export function createCourseServices(options: CourseServicesOptions): CourseServices {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const retries = options.retries ?? 4;
  const backoff = { baseMs: options.backoffBaseMs ?? 200, maxMs: options.backoffMaxMs ?? 10_000 };
  const cacheSize = options.cacheSize ?? 100_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function attempt<T>(url: string, parse: (json: unknown) => T | null): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await doFetch(url, { signal: controller.signal, headers: { accept: 'application/json' } });
      const body = await res.text();
      if (res.status === 404) return { done: { status: 'not-found' } };
      if (res.status === 429 || res.status >= 500) {
        return {
          retry: `HTTP ${res.status}`,
          afterMs: parseRetryAfter(res.headers.get('retry-after'), now()),
        };
      }
      if (res.status !== 200) return { done: failed(`HTTP ${res.status}`) };
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return { done: failed('malformed JSON') };
      }
      const value = parse(json);
      if (value !== null) return { done: { status: 'found', value } };
      // The services answer unknown ids with a 200 and a message instead of the record.
      if (typeof json === 'object' && json !== null && 'message' in json)
        return { done: { status: 'not-found' } };
      return { done: failed('unexpected JSON shape') };
    } catch (error) {
      const reason = controller.signal.aborted
        ? `timeout after ${timeoutMs} ms`
        : `network: ${String(error)}`;
      return { retry: reason, afterMs: null };
    } finally {
      clearTimeout(timer);
    }
  }

  async function lookup<T>(url: string, parse: (json: unknown) => T | null): Promise<LookupResult<T>> {
    let reason = '';
    let lastAfter: number | null = null;
    for (let n = 0; n <= retries; n++) {
      if (n > 0) {
        await sleep(Math.min(backoff.maxMs, lastAfter ?? backoffDelay(n, backoff, random)));
      }
      const a = await attempt(url, parse);
      if ('done' in a) {
        const done = a.done as LookupResult<T>;
        return done.status === 'failed' ? { ...done, attempts: n + 1 } : done;
      }
      reason = a.retry;
      lastAfter = a.afterMs;
    }
    return { status: 'failed', reason, attempts: retries + 1 };
  }

  function cached<T>(
    kind: string,
    parse: (json: unknown) => T | null,
  ): (id: string) => Promise<LookupResult<T>> {
    const cache = new Map<string, Promise<LookupResult<T>>>();
    return (id) => {
      const hit = cache.get(id);
      if (hit !== undefined) return hit;
      const pending: Promise<LookupResult<T>> = lookup(`${base}/${kind}/${encodeId(id)}`, parse).then(
        (result) => {
          if (result.status === 'failed' && cache.get(id) === pending) cache.delete(id);
          return result;
        },
      );
      cache.set(id, pending);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value ?? id);
      return pending;
    };
  }

  return { user: cached('user', parseCourseUser), movie: cached('movie', parseCourseMovie) };
}

/** Percent-encodes an id for a path segment but keeps `+`, which course ids use between words. */
export function encodeId(id: string): string {
  return encodeURIComponent(id).replaceAll('%2B', '+');
}

function failed(reason: string): LookupResult<never> {
  return { status: 'failed', reason, attempts: 1 };
}
