import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { problem } from '../problem-json/index.ts';

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** A rate-limiter-flexible limiter (RateLimiterRedis in production, with an in-memory insurance). */
  readonly limiter: RateLimiterAbstract;
  /** The throttled identity; default the TCP peer address (X-Forwarded-For is spoofable). */
  readonly key?: (c: Context) => string;
  /** Hears each throttled request (the attack counters). */
  readonly onThrottled?: () => void;
}

function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Per-client throttling: past the limit a 429 problem with Retry-After, until the window passes. */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const keyOf = options.key ?? peerAddress;
  return async function rateLimited(c, next) {
    try {
      const res = await options.limiter.consume(keyOf(c));
      c.header('RateLimit-Remaining', String(res.remainingPoints));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      options.onThrottled?.();
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      return problem(c, 429, 'Too Many Requests', `Retry after ${seconds} s.`, {
        'Retry-After': String(seconds),
      });
    }
    await next();
  };
}
