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
 * Batches served lists: one Kafka send and one Redis pipeline per interval instead of one per
 * request, so recording costs the request path a push onto an array. At most `maxQueued` events wait.
 */
export function createServedRecorder(
  sinks: ServedSinks,
  intervalMs = 100,
  maxQueued = 10_000,
): ServedRecorder {
  let queue: ServedEvent[] = [];
  let flushing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  function flush(): Promise<void> {
    const batch = queue;
    queue = [];
    if (batch.length === 0) return flushing;
    flushing = flushing.then(async () => {
      const counts = new Map<string, number>();
      for (const e of batch) for (const id of e.items) counts.set(id, (counts.get(id) ?? 0) + 1);
      const results = await Promise.allSettled([sinks.publish(batch), sinks.countServed(counts)]);
      for (const r of results) if (r.status === 'rejected') sinks.onDropped?.(batch.length, r.reason);
    });
    return flushing;
  }
  return {
    record(served) {
      if (queue.length >= maxQueued) {
        sinks.onDropped?.(1, new Error('served queue full'));
        return;
      }
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
      await flush();
    },
  };
}
