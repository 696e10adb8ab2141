/**
 * A persistent set of strings that only grows. Every `add` returns a new version and leaves the one
 * it was called on as it was, so a state holding it stays an immutable value (an actor's turns on a
 * batch that fails to commit are dropped by keeping the state from before them) — yet adding to the
 * newest version costs O(1), where copying a `Set` per add costs O(size): the versions share one
 * insertion log, and each sees the prefix of it that was there when it was made. Adding to an older
 * version (a batch retried from the state before it) copies that prefix once and goes on from there.
 */

/** The insertion log versions share: each item's position, and the items in order. */
interface Log {
  readonly index: Map<string, number>;
  readonly order: string[];
}

/** One version of the set: the first `size` items of its log. */
export class AppendOnlySet implements Iterable<string> {
  private constructor(
    private readonly log: Log,
    /** How many items this version holds. */
    readonly size: number,
  ) {}

  /** A new empty set (its own log: versions of different sets never share one). */
  static empty(): AppendOnlySet {
    return new AppendOnlySet({ index: new Map(), order: [] }, 0);
  }

  /** A set holding `items` (duplicates once, in first-seen order). */
  static of(items: Iterable<string>): AppendOnlySet {
    let set = AppendOnlySet.empty();
    for (const item of items) set = set.add(item);
    return set;
  }

  /** Whether this version holds `item` (O(1)). */
  has(item: string): boolean {
    const at = this.log.index.get(item);
    return at !== undefined && at < this.size;
  }

  /** This set with `item` added: itself when it holds `item` already; O(1) on the newest version. */
  add(item: string): AppendOnlySet {
    if (this.has(item)) return this;
    // An older version (a later one exists, its items beyond our size): branch off with a copy.
    if (this.log.order.length !== this.size) return AppendOnlySet.of(this).add(item);
    this.log.index.set(item, this.size);
    this.log.order.push(item);
    return new AppendOnlySet(this.log, this.size + 1);
  }

  /**
   * The items this version holds and `older` does not, in the order they were added: O(the items
   * added) when this version grew from `older`, O(size) otherwise.
   */
  addedSince(older: AppendOnlySet): string[] {
    if (older.log === this.log && older.size <= this.size) return this.log.order.slice(older.size, this.size);
    return [...this].filter((item) => !older.has(item));
  }

  /** The items in the order they were added. */
  *[Symbol.iterator](): Iterator<string> {
    for (let k = 0; k < this.size; k++) yield this.log.order[k] as string;
  }
}
