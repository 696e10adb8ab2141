/**
 * The sequence every actor stage runs on a batch, written once: unpack and decode the records'
 * events into one mailbox per actor key (bad events to dead letters), activate the keys' actors in
 * one round trip, drain each mailbox through the pure transition (one message at a time, in order),
 * flush each actor's writes into the batch's WriteBatch, and hand the task a StagedBatch whose
 * commit makes the new states live and whose abort forgets them. The user and movie stages add only
 * what is theirs (routing, the movie factors a rating reads, boards, watermarks).
 */
import type { Message, TopicMessages } from 'kafkajs';
import { readPack } from '../../streams/event-pack.ts';
import type { SourceRef } from '../../streams/events.ts';
import type { StagedBatch, StreamRecord } from '../../streams/tasks/stage.ts';
import type { WriteBatch } from '../../src/state/write-batch.ts';
import { Mailbox } from './mailbox.ts';
import type { ActivateFn, ActorRegistry } from './registry.ts';

/** A batch's events sorted into mailboxes by actor key, and the events that could not be used. */
export interface Mailboxes<M> {
  readonly boxes: Map<string, Mailbox<M>>;
  readonly deadLetters: Message[];
}

/**
 * Reads the packs of `records` (of `topic`/`partition`): each decoded event is offered to `route`,
 * which returns its actor key and message, or undefined to drop it (a replay).
 */
export function sortIntoMailboxes<E, M>(
  topic: string,
  partition: number,
  records: readonly StreamRecord[],
  decode: (line: string) => E | string,
  route: (event: E, source: SourceRef) => { readonly key: string; readonly message: M } | undefined,
): Mailboxes<M> {
  const boxes = new Map<string, Mailbox<M>>();
  const deadLetters: Message[] = [];
  for (const r of records) {
    const at = { topic, partition, offset: r.offset };
    readPack(
      r.value,
      at,
      decode,
      (event, index) => {
        const routed = route(event, { ...at, index });
        if (routed === undefined) return;
        let box = boxes.get(routed.key);
        if (box === undefined) boxes.set(routed.key, (box = new Mailbox()));
        box.post(routed.message);
      },
      deadLetters,
    );
  }
  return { boxes, deadLetters };
}

/** Activates the mailboxes' actors (missing ones loaded by `load` in one call). */
export function activateFor<S, M>(
  registry: ActorRegistry<S>,
  mailboxes: Mailboxes<M>,
  partition: number,
  load: ActivateFn<S>,
): Promise<Map<string, S>> {
  return registry.activateAll(mailboxes.boxes.keys(), partition, load);
}

/**
 * Drains every mailbox through `receive` (the state after each message feeds the next), stores the
 * final states in `states` and calls `flush(key, state, before)` once per actor.
 */
export function runTurns<S, M>(
  mailboxes: Mailboxes<M>,
  states: Map<string, S>,
  receive: (state: S, message: M, key: string) => S,
  flush: (key: string, state: S, before: S) => void,
): void {
  for (const [key, box] of mailboxes.boxes) {
    const before = states.get(key) as S;
    let state = before;
    box.drainSync((message) => {
      state = receive(state, message, key);
    });
    states.set(key, state);
    flush(key, state, before);
  }
}

/** The batch as the task commits it: live states follow Redis only once the commit succeeded. */
export function stagedBatch<S>(
  registry: ActorRegistry<S>,
  partition: number,
  states: Map<string, S>,
  outputs: readonly TopicMessages[],
  writes: WriteBatch,
  onCommitted?: () => void,
): StagedBatch {
  return {
    outputs,
    writes,
    committed() {
      onCommitted?.();
      for (const [key, state] of states) registry.set(key, state, partition);
    },
    aborted() {
      registry.drop(states.keys());
    },
  };
}
