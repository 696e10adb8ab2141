/**
 * The last-resort answer: a list safe for every age, kept in memory so it survives Redis and the
 * model going away. The course counts a low-quality answer as a success and a missing one as a
 * failure, so this list is what /recommend returns when anything behind it fails.
 */
export interface FallbackList {
  /** Up to `limit` ids not in `seen`. */
  get(limit: number, seen?: ReadonlySet<string>): string[];
  /** Replaces the list (ignored when empty: an empty refresh must not erase a good list). */
  update(ids: readonly string[]): void;
  readonly size: number;
}

/** A fallback list seeded with `initial` (e.g. ids from a bundled catalogue; default empty). */
export function createFallbackList(initial: readonly string[] = []): FallbackList {
  let ids: readonly string[] = [...initial];
  return {
    get(limit, seen) {
      const out: string[] = [];
      for (const id of ids) {
        if (out.length >= limit) break;
        if (seen === undefined || !seen.has(id)) out.push(id);
      }
      return out;
    },
    update(next) {
      if (next.length > 0) ids = [...new Set(next)];
    },
    get size() {
      return ids.length;
    },
  };
}
