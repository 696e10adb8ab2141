/**
 * The live activations of one actor kind in a process: state by key, in least-recently-used order.
 * Activation loads missing states in one round trip; passivation drops clean states from memory
 * (their truth is in Redis, written with every batch), when idle or beyond the live bound.
 */

/** Loads the states of keys that are not live (one round trip), in the order of `keys`. */
export type ActivateFn<S> = (keys: readonly string[]) => Promise<S[]>;

/** Bounds of a registry. */
export interface RegistryOptions {
  /** Live actors kept after a batch; the least recently used beyond it are passivated. */
  readonly maxLive: number;
  /** An actor untouched this long is passivated. */
  readonly idleMs: number;
  readonly now?: () => number;
}

interface Activation<S> {
  state: S;
  partition: number;
  lastUsed: number;
}

/** Live actors by key with LRU and idle passivation. Not shared between actor kinds. */
export class ActorRegistry<S> {
  readonly #live = new Map<string, Activation<S>>();
  readonly #now: () => number;
  /** Actors passivated since start (idle, LRU bound or partition revoked). */
  passivations = 0;
  /** Actors activated since start. */
  activations = 0;

  constructor(readonly options: RegistryOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** Live actors now. */
  get size(): number {
    return this.#live.size;
  }

  /**
   * Makes every key live, loading the missing ones with `activate` in one call, and returns their
   * states. The caller runs its turns on the returned map and `set`s the results: a concurrent
   * passivation (another partition's batch) cannot pull a state from under a running batch.
   */
  async activateAll(
    keys: Iterable<string>,
    partition: number,
    activate: ActivateFn<S>,
  ): Promise<Map<string, S>> {
    const wanted = [...new Set(keys)];
    const missing = wanted.filter((key) => !this.#live.has(key));
    const loaded = missing.length === 0 ? [] : await activate(missing);
    const now = this.#now();
    missing.forEach((key, j) => {
      // A key activated meanwhile by the same partition keeps its live (newer) state.
      if (!this.#live.has(key)) this.#live.set(key, { state: loaded[j] as S, partition, lastUsed: now });
    });
    this.activations += missing.length;
    const states = new Map<string, S>();
    for (const key of wanted)
      states.set(key, this.#live.get(key)?.state ?? (loaded[missing.indexOf(key)] as S));
    return states;
  }

  /** The live state of `key`; throws when it is not live (activate first). Marks it used. */
  get(key: string): S {
    const a = this.#live.get(key);
    if (a === undefined) throw new Error(`actor ${key} is not active`);
    this.#touch(key, a);
    return a.state;
  }

  /** Replaces (or re-activates) the live state of `key` after a turn. */
  set(key: string, state: S, partition: number): void {
    let a = this.#live.get(key);
    if (a === undefined) {
      // Passivated by another partition's batch while this one ran: live again.
      a = { state, partition, lastUsed: 0 };
      this.activations++;
    }
    a.state = state;
    a.partition = partition;
    this.#touch(key, a);
  }

  /** Forgets the given keys (a batch that did not commit: their live states are ahead of Redis). */
  drop(keys: Iterable<string>): void {
    for (const key of keys) if (this.#live.delete(key)) this.passivations++;
  }

  /** Forgets every actor of a partition (revoked, or its owner changed under us). */
  dropPartition(partition: number): number {
    let n = 0;
    for (const [key, a] of this.#live) {
      if (a.partition === partition) {
        this.#live.delete(key);
        n++;
      }
    }
    this.passivations += n;
    return n;
  }

  /**
   * Passivates idle actors, then the least recently used beyond `maxLive`. Call between batches,
   * when every live state is committed, so passivation never loses a write.
   */
  passivate(): number {
    const idleBefore = this.#now() - this.options.idleMs;
    let n = 0;
    for (const [key, a] of this.#live) {
      if (a.lastUsed >= idleBefore && this.#live.size <= this.options.maxLive) break;
      this.#live.delete(key);
      n++;
    }
    this.passivations += n;
    return n;
  }

  #touch(key: string, a: Activation<S>): void {
    a.lastUsed = this.#now();
    // Map order is insertion order: re-inserting keeps the oldest-used first.
    this.#live.delete(key);
    this.#live.set(key, a);
  }
}
