import type { RatingSet } from './rating-set.ts';

/** A rating set's rows grouped by user (CSR): user u's items are items[start[u] .. start[u+1]). */
export interface UserIndex {
  readonly start: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
}

/** Groups a rating set by user in one counting pass. */
export function indexByUser(set: RatingSet): UserIndex {
  const start = new Int32Array(set.nUsers + 1);
  const n = set.ratings.length;
  for (let k = 0; k < n; k++) start[(set.users[k] as number) + 1]! += 1;
  for (let u = 0; u < set.nUsers; u++) start[u + 1]! += start[u] as number;
  const next = start.slice(0, set.nUsers);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const at = next[set.users[k] as number]!++;
    items[at] = set.items[k] as number;
    ratings[at] = set.ratings[k] as number;
  }
  return { start, items, ratings };
}
