/**
 * Retry timing for calls to rate-limited services: exponential back-off with full jitter (AWS
 * architecture blog, "Exponential Backoff And Jitter"), overridden by the server's Retry-After.
 */

/** Back-off knobs. */
export interface BackoffOptions {
  /** Delay cap before jitter for the first retry, ms. */
  baseMs: number;
  /** Upper bound for any delay, Retry-After included, ms. */
  maxMs: number;
}

/** Delay before retry number `attempt` (1 = first retry): uniform in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * A Retry-After header in ms (delta-seconds or an HTTP date, relative to `nowMs`), or null when absent or
 * unreadable. Never negative.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const h = header.trim();
  if (/^\d+(\.\d+)?$/.test(h)) return Math.round(Number(h) * 1000);
  // An HTTP date names its month; this keeps Date.parse from reading `-3` as a year.
  const at = /[a-z]{3}/i.test(h) ? Date.parse(h) : NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
