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

/**
 * The head mask with the untrained items (titles newer than the model, ranked by live popularity)
 * whose live popularity places them among the head's size of most popular items: training counts
 * cannot know them, and without this the hottest new titles would pass the head cap. Returns `mask`
 * itself when none qualifies.
 */
export function withLiveHead(
  mask: Uint8Array,
  live: ArrayLike<number>,
  trained: (item: number) => boolean,
): Uint8Array {
  let size = 0;
  for (let i = 0; i < mask.length; i++) size += mask[i] as number;
  const n = Math.min(mask.length, live.length);
  if (size === 0 || n === 0) return mask;
  const sorted = Float64Array.from({ length: n }, (_, i) => live[i] as number).sort();
  const threshold = sorted[Math.max(0, n - size)] as number;
  let out = mask;
  for (let i = 0; i < n; i++) {
    const p = live[i] as number;
    if (trained(i) || !(p > 0) || p < threshold || mask[i] === 1) continue;
    if (out === mask) out = Uint8Array.from(mask);
    out[i] = 1;
  }
  return out;
}

/** How many head items a list of `size` may hold. */
export function headCap(size: number, maxHeadShare: number): number {
  return Math.floor(size * Math.min(1, Math.max(0, maxHeadShare)));
}

/**
 * The mitigation of the popularity feedback loop (docs/fairness.md): the head cap tightens when the
 * head's share of live exposure crosses `threshold`, and relaxes only once it is back under
 * `threshold · (1 − hysteresis)`, so a share hovering at the threshold does not flip the cap on and
 * off with every reading.
 */
export interface LiveHeadCapOptions {
  /** The head's share of the last 24 h exposure above which the cap tightens (1: never). */
  readonly threshold: number;
  /** The tightest the cap goes: the smallest share of a list head titles may keep. */
  readonly floor: number;
  /** Relative band under the threshold in which the cap holds where it is. */
  readonly hysteresis: number;
}

/**
 * Tighten above 30 % of exposure on the head, down to a fifth of a list at most; a 10 % band. The
 * threshold is the closed-loop simulator's (docs/fairness.md, "Mitigation"): at 0.4 the average
 * recommended popularity still rose 10 % over 20 rounds (median of 10 seeds), at 0.3 by 2 %.
 */
export const defaultLiveHeadCap: LiveHeadCapOptions = { threshold: 0.3, floor: 0.2, hysteresis: 0.1 };

/**
 * The cap in force given the head's live exposure share: above the threshold, the configured cap
 * scaled by threshold/share (a share 25 % over the threshold cuts the cap by a fifth), never under
 * the floor (nor above the configured cap); under the band, the configured cap; inside the band,
 * the cap in force until now.
 */
export function liveMaxHeadShare(
  configured: number,
  liveShare: number,
  current: number,
  options: LiveHeadCapOptions,
): number {
  if (!Number.isFinite(liveShare)) return current;
  if (liveShare > options.threshold)
    return Math.min(configured, Math.max(options.floor, (configured * options.threshold) / liveShare));
  if (liveShare < options.threshold * (1 - options.hysteresis)) return configured;
  return current;
}
