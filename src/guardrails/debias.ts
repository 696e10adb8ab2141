/** How much of a list the most popular titles may fill: the popularity-bias cap. */
export interface DebiasOptions {
  /** Share of the catalogue counted as "head" (most popular titles), e.g. 0.02 = top 2 %. */
  readonly headShare: number;
  /** Largest share of one list that head titles may take, e.g. 0.5 = 10 of 20. */
  readonly maxHeadShare: number;
}

/** Head = the top 2 % of titles by popularity; at most half of a list. */
export const defaultDebiasOptions: DebiasOptions = { headShare: 0.02, maxHeadShare: 0.5 };

/**
 * Marks the ceil(headShare·n) most popular items (ties broken by lower index); items with zero
 * popularity are never head.
 */
export function buildHeadMask(popularity: ArrayLike<number>, headShare: number): Uint8Array {
  const n = popularity.length;
  const mask = new Uint8Array(n);
  const count = Math.min(n, Math.ceil(Math.max(0, headShare) * n));
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (popularity[b] as number) - (popularity[a] as number) || a - b,
  );
  for (const i of order.slice(0, count)) if ((popularity[i] as number) > 0) mask[i] = 1;
  return mask;
}

/** How many head items a list of `size` may hold. */
export function headCap(size: number, maxHeadShare: number): number {
  return Math.floor(size * Math.min(1, Math.max(0, maxHeadShare)));
}
