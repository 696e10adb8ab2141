import { randomUUID } from 'node:crypto';
import type { ServedEvent } from '../../../streams/events.ts';

/** Where served lists go: `marquee.served` and the served-per-movie leaderboard, in batches. */
export interface ServedRecorder {
  /** Queues one served list; never blocks or throws on the request path. */
  record(served: Omit<ServedEvent, 'type' | 'eventId' | 'at' | 'observedBy' | 'status'>): void;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** The two sinks a flush writes to; failures are reported and the batch dropped (bounded memory). */
export interface ServedSinks {
  publish(events: readonly ServedEvent[]): Promise<void>;
  countServed(counts: ReadonlyMap<string, number>): Promise<void>;
  onDropped?(count: number, error: unknown): void;
}

/**
 * Batches served lists: one Kafka send per `intervalMs` instead of one per request, so recording
 * costs the request path a push onto an array; the served leaderboard is a popularity signal, so its
 * counts are summed over `countEveryMs` (one ZINCRBY per distinct movie per second, not per 100 ms).
 * At most `maxQueued` events are held at once — queued, or in batches waiting behind a slow or
 * retrying Kafka send (sends go one at a time) — and a list recorded past that is dropped and
 * reported (`onDropped`, the API's `marquee_served_events_dropped_total`): memory stays bounded however
 * long Kafka is slow or down. `flush` sends both.
 */
export function createServedRecorder(
  sinks: ServedSinks,
  intervalMs = 100,
  maxQueued = 10_000,
  countEveryMs = 1000,
): ServedRecorder {
  let queue: ServedEvent[] = [];
  /** Events queued or in batches whose send has not settled: the backlog `maxQueued` bounds. */
  let held = 0;
  let counts = new Map<string, number>();
  let countedEvents = 0;
  let flushing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void send(), intervalMs);
  timer.unref();
  const countTimer = setInterval(() => void sendCounts(), countEveryMs);
  countTimer.unref();
  const report = (results: PromiseSettledResult<void>[], n: number) => {
    for (const r of results) if (r.status === 'rejected') sinks.onDropped?.(n, r.reason);
  };
  function send(): Promise<void> {
    const batch = queue;
    queue = [];
    if (batch.length === 0) return flushing;
    for (const e of batch) for (const id of e.items) counts.set(id, (counts.get(id) ?? 0) + 1);
    countedEvents += batch.length;
    flushing = flushing.then(async () => {
      const results = await Promise.allSettled([sinks.publish(batch)]);
      held -= batch.length;
      report(results, batch.length);
    });
    return flushing;
  }
  function sendCounts(): Promise<void> {
    if (counts.size === 0) return flushing;
    const [batch, n] = [counts, countedEvents];
    [counts, countedEvents] = [new Map(), 0];
    flushing = flushing.then(async () => report(await Promise.allSettled([sinks.countServed(batch)]), n));
    return flushing;
  }
  function flush(): Promise<void> {
    void send();
    return sendCounts();
  }
  return {
    record(served) {
      if (held >= maxQueued) {
        sinks.onDropped?.(1, new Error('served backlog full'));
        return;
      }
      held++;
      queue.push({
        ...served,
        type: 'served',
        observedBy: 'server',
        status: 200,
        at: Date.now(),
        eventId: randomUUID().replaceAll('-', ''),
      });
    },
    flush,
    async stop() {
      clearInterval(timer);
      clearInterval(countTimer);
      await flush();
    },
  };
}
