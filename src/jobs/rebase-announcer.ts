/**
 * Tells users' actors to move onto a newly published version now: one `rebase` event per user on
 * user-events, keyed by user (so it lands in the user's partition, after their ratings), in packs.
 * The retrain sends them for the users who rated after its watermark; everyone else moves at their
 * next event, and serving never mixes versions meanwhile.
 */
import type { Kafka, Producer } from 'kafkajs';
import { sendPacked, topicPartitioner } from '../../streams/event-pack.ts';
import { eventIdForKey, type RebaseEvent } from '../../streams/events.ts';

/** An announce function for the retrain job, sending through `producer` to `topic`. */
export function rebaseAnnouncer(
  kafka: Kafka,
  producer: Pick<Producer, 'send'>,
  topic: string,
): (userIds: readonly string[], version: string) => Promise<void> {
  return async (userIds, version) => {
    const partitionOf = await topicPartitioner(kafka, topic);
    const at = Date.now();
    const events = userIds.map((userId) => {
      const event: RebaseEvent = {
        type: 'rebase',
        userId,
        version,
        at,
        eventId: eventIdForKey(`rebase\u0000${version}\u0000${userId}`),
      };
      return { key: userId, value: JSON.stringify(event) };
    });
    await sendPacked(producer, topic, events, partitionOf);
  };
}
