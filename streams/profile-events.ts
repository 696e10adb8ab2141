/**
 * Demographics into the stream: each user the metadata enricher stores becomes a `profile` event on
 * user-events (keyed by user, so it lands in the user's partition), sent in packs every 200 ms. The
 * user actor keeps age and gender in the user's state, where serving's age guard and cold-start
 * cohorts read them. A profile sent twice (a retried batch) sets the same values: harmless.
 */
import type { Kafka, Producer } from 'kafkajs';
import { sendPacked, topicPartitioner, type Keyed } from './event-pack.ts';
import { eventIdForKey, type ProfileEvent } from './events.ts';

/** What the publisher takes from the enricher. */
export interface Profile {
  readonly userId: string;
  readonly age: number | null;
  readonly gender: string | null;
}

/** A running profile publisher. */
export interface ProfilePublisher {
  publish(profile: Profile): void;
  /** Sends what is queued and stops. */
  stop(): Promise<void>;
}

const FLUSH_MS = 200;

/** The profile event of a user's demographics, or null when nothing is known. */
export function profileEvent(p: Profile, at: number): ProfileEvent | null {
  const age = p.age !== null && Number.isInteger(p.age) && p.age >= 0 && p.age <= 130 ? p.age : null;
  const gender = p.gender === 'M' || p.gender === 'F' ? p.gender : null;
  if (age === null && gender === null) return null;
  // Deterministic per (user, values): the same profile is the same event.
  const eventId = eventIdForKey(`profile\u0000${p.userId}\u0000${age ?? ''}\u0000${gender ?? ''}`);
  return { type: 'profile', userId: p.userId, age, gender, at, eventId };
}

/** Publishes profiles to `topic` through `producer` every 200 ms; a failed send is logged. */
export function startProfilePublisher(
  kafka: Kafka,
  producer: Pick<Producer, 'send'>,
  topic: string,
  log: (line: string) => void,
): ProfilePublisher {
  let queued: Keyed[] = [];
  let sending: Promise<void> = Promise.resolve();
  const flush = () => {
    if (queued.length === 0) return sending;
    const batch = queued;
    queued = [];
    sending = sending.then(async () => {
      try {
        await sendPacked(producer, topic, batch, await topicPartitioner(kafka, topic));
      } catch (error) {
        // Lost profiles leave users "age unknown" (the youngest class: the safe side) until their
        // metadata is looked up again; say so rather than retry forever inside the ingest process.
        log(
          `profile events: ${batch.length} not sent: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
    return sending;
  };
  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();
  return {
    publish(profile) {
      const event = profileEvent(profile, Date.now());
      if (event !== null) queued.push({ key: event.userId, value: JSON.stringify(event) });
    },
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
