/**
 * Typed user events straight from a dataset, for tests and the bench (ingest turns movielog lines
 * into the same events in production). Ids are deterministic, so two replays of a dataset give the
 * same events.
 */
import type { Producer } from 'kafkajs';
import type { Dataset } from '../../src/data/dataset.ts';
import { eventsInTimeOrder, wholeStars } from '../../src/data/movielog-lines.ts';
import { packByPartition, type PartitionOf } from '../../streams/event-pack.ts';
import { eventIdForKey, type UserEvent } from '../../streams/events.ts';

/** The dataset's watches and ratings as user events in time order (ratings as whole stars). */
export function userEventsOf(dataset: Dataset, label = dataset.name): UserEvent[] {
  const out: UserEvent[] = [];
  let n = 0;
  for (const e of eventsInTimeOrder(dataset)) {
    const r = e.record;
    const common = { userId: r.userId, movieId: r.movieId, at: Math.round(r.timestamp * 1000) };
    const eventId = eventIdForKey(`${label}:${n++}`);
    out.push(
      e.kind === 'rate'
        ? { type: 'rate', ...common, rating: wholeStars(e.record.rating), eventId, source: 'replay' }
        : { type: 'watch', ...common, minute: e.record.minute, eventId },
    );
  }
  return out;
}

/**
 * Produces events onto `topic` as ingest does: packs per partition keyed by user
 * (streams/event-pack.ts), `chunk` events per send; resolves when Kafka has them all.
 */
export async function produceUserEvents(
  producer: Producer,
  topic: string,
  events: readonly UserEvent[],
  partitionOf: PartitionOf,
  chunk = 2000,
): Promise<void> {
  for (let start = 0; start < events.length; start += chunk) {
    const keyed = events
      .slice(start, start + chunk)
      .map((e) => ({ key: e.userId, value: JSON.stringify(e) }));
    await producer.send({ topic, messages: packByPartition(keyed, partitionOf), acks: -1 });
  }
}
