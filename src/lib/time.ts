/** Small helpers for time: sleeping, polling until a deadline, and bounding a promise by a budget. */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `check` until it returns true or the deadline passes; a check that throws counts as "not yet".
 * Returns the last error's message on timeout so the caller can say why.
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<{ ok: boolean; lastError: string | undefined }> {
  const deadline = Date.now() + timeoutMs;
  let lastError: string | undefined;
  for (;;) {
    try {
      if (await check()) return { ok: true, lastError: undefined };
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) return { ok: false, lastError };
    await sleep(intervalMs);
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
