/**
 * Redis Cluster hash slots: the slot of a key (ioredis's own function, so we group writes exactly as
 * the client routes them) and, per slot, a short hash tag that lands on it — the tag of the slot's
 * replay guard key, which must share the slot of the writes it guards.
 */
import calculateSlot from 'cluster-key-slot';

/** Hash slots in a Redis Cluster. */
export const SLOTS = 16_384;

/** The hash slot of `key`. */
export function slotOf(key: string): number {
  return calculateSlot(key);
}

let tags: string[] | undefined;

/** A hash tag (`{tag}`) whose slot is `slot`: the shortest decimal numbers, found once (≈ 10 ms). */
export function tagOfSlot(slot: number): string {
  if (tags === undefined) {
    const found: string[] = new Array<string>(SLOTS);
    let missing = SLOTS;
    for (let n = 0; missing > 0; n++) {
      const s = calculateSlot(String(n));
      if (found[s] === undefined) {
        found[s] = String(n);
        missing--;
      }
    }
    tags = found;
  }
  const tag = tags[slot];
  if (tag === undefined) throw new RangeError(`no hash slot ${slot}`);
  return tag;
}
