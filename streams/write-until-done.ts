import { sleep } from '../src/lib/time.ts';

/** What a sink's batch write needs to retry in place. */
export interface RetryInPlace {
  /** Still this consumer's batch: a rebalance or stop ends the retries (the batch is read again). */
  readonly isCurrent: () => boolean;
  /** Keeps the consumer in its group while it waits. */
  readonly heartbeat: () => Promise<void>;
  /** First wait after a failure (ms); doubles up to 5 s. */
  readonly firstDelayMs?: number;
  readonly log?: (line: string) => void;
  /** Named in the log line, e.g. "sink: postgres write". */
  readonly what: string;
}

/**
 * Runs `write` until it succeeds, waiting (with back-off and heartbeats) after each failure: a sink's
 * Postgres write that fails transiently (Postgres down or restarting) is retried where it stands, so
 * the batch's dead letters are not sent twice and the consumer does not restart. Rethrows once the
 * batch is no longer this consumer's.
 */
export async function writeUntilDone<T>(write: () => Promise<T>, retry: RetryInPlace): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!retry.isCurrent()) throw error;
      const delay = Math.min(5_000, (retry.firstDelayMs ?? 200) * 2 ** Math.min(attempt - 1, 5));
      retry.log?.(`${retry.what} failed (${String(error)}); retrying in ${delay} ms`);
      await sleep(delay);
      await retry.heartbeat();
    }
  }
}
