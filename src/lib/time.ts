/** Small helpers for time: sleeping, polling until a deadline, and bounding a promise by a budget. */

/** Resolves after `ms` milliseconds; rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal === undefined) return new Promise((resolve) => setTimeout(resolve, ms));
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal.addEventListener('abort', abort, { once: true });
  });
}

/**
 * Calls `check` until it returns true or the deadline passes; a check that throws counts as "not yet".
 * Returns the last error's message on timeout so the caller can say why. An aborted `signal` ends
 * the wait at once, rejecting with its reason (a caller that is stopping must not poll on).
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
  signal?: AbortSignal,
): Promise<{ ok: boolean; lastError: string | undefined }> {
  const deadline = Date.now() + timeoutMs;
  let lastError: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    try {
      if (await check()) return { ok: true, lastError: undefined };
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) return { ok: false, lastError };
    await sleep(intervalMs, signal);
  }
}

/** Thrown when a dependency did not answer within its share of the latency budget. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
}

/**
 * Resolves like `promise`, or rejects with BudgetExceededError after `ms`: the course counts a late
 * answer as a failure, so a slow dependency must cost a fallback, not the request.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BudgetExceededError(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
