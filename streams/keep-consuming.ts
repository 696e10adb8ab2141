import type { Consumer } from 'kafkajs';
import { sleep } from '../src/lib/time.ts';

/** What {@link keepConsuming} needs besides the consumer. */
export interface KeepConsumingOptions {
  /** Names the consumer in log lines (`ingest`, `sink`, a group id). */
  readonly name: string;
  readonly log?: ((line: string) => void) | undefined;
  /** True once the role is stopping: no more starts. */
  readonly stopped: () => boolean;
}

/**
 * Keeps a consumer running through a broker restart. kafkajs starts a crashed consumer again by
 * itself only after a retriable error; a non-retriable one met while a broker comes back ("Failed to
 * find group coordinator", "No broker available") leaves it disconnected for good, and the role
 * would sit idle in a live process. Here `start` (connect, subscribe, run) is called again after a
 * back-off, 1 s doubling to 30 s, until it runs or the role stops. Offsets are where they were
 * committed, so nothing is skipped or applied twice.
 */
export function keepConsuming(consumer: Consumer, start: () => Promise<void>, o: KeepConsumingOptions): void {
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const again = !payload.restart && !o.stopped();
    o.log?.(`${o.name}: consumer crashed: ${payload.error.message}${again ? '; starting it again' : ''}`);
    if (!again) return;
    void (async () => {
      for (let attempt = 1; !o.stopped(); attempt++) {
        await sleep(Math.min(30_000, 1_000 * 2 ** (attempt - 1)));
        if (o.stopped()) return;
        try {
          await start();
          // The role may have stopped (and disconnected) while this start was connecting: leave
          // nothing running behind it.
          if (o.stopped()) {
            await consumer.disconnect().catch(() => undefined);
            return;
          }
          o.log?.(`${o.name}: consumer running again (attempt ${attempt})`);
          return;
        } catch (error) {
          await consumer.disconnect().catch(() => undefined);
          o.log?.(
            `${o.name}: consumer not started yet: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    })();
  });
}
