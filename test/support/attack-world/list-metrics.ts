/** How the attack simulations score lists: agreement of two lists, hit rate on held-out items. */

/** Share of `b` found in `a`, over `k` (Agr@k of two top-k lists). */
export function agreement(a: readonly number[], b: readonly number[], k = 20): number {
  const set = new Set(a.slice(0, k));
  let n = 0;
  for (const i of b.slice(0, k)) if (set.has(i)) n++;
  return n / k;
}

/** Share of users (with held-out items) whose list holds at least one of them: HR@k. */
export function hitRate(
  lists: ReadonlyMap<number, readonly number[]>,
  test: readonly (readonly number[])[],
): number {
  let users = 0;
  let hits = 0;
  for (const [u, list] of lists) {
    const held = test[u] ?? [];
    if (held.length === 0) continue;
    users++;
    if (list.some((i) => held.includes(i))) hits++;
  }
  return users === 0 ? NaN : hits / users;
}
