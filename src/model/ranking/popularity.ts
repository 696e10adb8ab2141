/**
 * Popularity as the stream's movie actors keep it: every rating or watch adds 1, and the running
 * score decays by 2^(−Δt / halfLife). Time units are the caller's (seconds offline, milliseconds in
 * the actors); the half-life must be in the same unit as the timestamps.
 */

/** A decayed counter: its value as of `at`. */
export interface DecayedCount {
  readonly value: number;
  readonly at: number;
}

/** A counter's value carried forward (or back) from `from` to `to`: value · 2^(−(to − from) / halfLife). */
export function decayTo(value: number, from: number, to: number, halfLife: number): number {
  return value * 2 ** (-(to - from) / halfLife);
}

/**
 * Adds one event at `at`, exactly as the movie actor's `bumpPopularity`: a later event decays the
 * counter to `at` and adds 1; an out-of-order earlier event adds its own decayed unit and keeps `at`.
 */
export function bumpDecayed(count: DecayedCount, at: number, halfLife: number): DecayedCount {
  if (count.value === 0) return { value: 1, at };
  if (at >= count.at) return { value: decayTo(count.value, count.at, at, halfLife) + 1, at };
  return { value: count.value + decayTo(1, at, count.at, halfLife), at: count.at };
}

/**
 * The value of a stream leaderboard entry (log2(popularity) + popularityAt / halfLife) as of `now`:
 * 2^(score − now / halfLife). Lets serving turn the leaderboard it reads into the popularity array
 * the blend takes.
 */
export function popularityFromBoardScore(score: number, now: number, halfLife: number): number {
  return 2 ** (score - now / halfLife);
}

/** Global popularity: the number of events per item, written into `out` (length nItems). */
export function countPopularity(items: Int32Array, out: Float32Array): Float32Array {
  out.fill(0);
  for (let k = 0; k < items.length; k++) {
    const i = items[k] as number;
    if (i >= 0 && i < out.length) out[i]! += 1;
  }
  return out;
}

/**
 * Decayed popularity of every item as of `asOf`: Σ over its events at t ≤ asOf of 2^(−(asOf − t) /
 * halfLife), the closed form of replaying `bumpDecayed` in time order and decaying to `asOf`. Events
 * after `asOf` are ignored (the future is not known at the cut-off). Summed in float64, stored in `out`.
 */
export function decayedPopularity(
  items: Int32Array,
  timestamps: Float64Array,
  asOf: number,
  halfLife: number,
  out: Float32Array,
): Float32Array {
  if (!(halfLife > 0)) throw new RangeError(`half-life must be positive, got ${halfLife}`);
  const sums = new Float64Array(out.length);
  for (let k = 0; k < items.length; k++) {
    const i = items[k] as number;
    const t = timestamps[k] as number;
    if (i < 0 || i >= out.length || t > asOf) continue;
    sums[i]! += 2 ** (-(asOf - t) / halfLife);
  }
  out.set(sums);
  return out;
}

/** Seconds in a day, for half-lives given in days against timestamps in seconds. */
export const DAY_SECONDS = 86_400;

/**
 * Where the weights of a growing-weight board start (2020-01-01 UTC). A board that cannot keep one
 * decayed counter per member (a cohort's: the movie actor does not know who rated) adds
 * 2^((t − epoch) / halfLife) per event instead: the sum, times 2^(−(now − epoch) / halfLife), is
 * exactly the decayed count as of now, and the order of members is the order of decayed counts at
 * any time. With a 365-day half-life the weights stay far inside a double for centuries.
 */
export const BOARD_EPOCH_MS = Date.UTC(2020, 0, 1);

/** The weight an event at `atMs` adds to a growing-weight board. */
export function boardWeight(atMs: number, halfLifeMs: number): number {
  return 2 ** ((atMs - BOARD_EPOCH_MS) / halfLifeMs);
}

/**
 * SERVED_POPULARITY_WEIGHT's default: served take-ups count as organic ones. Lower weights spread
 * exposure a little but raised the average recommended popularity in the closed-loop simulator
 * (docs/fairness.md, "Mitigation"), so the knob is off until someone chooses that trade.
 */
export const SERVED_POPULARITY_WEIGHT_DEFAULT = 1;

/**
 * How much one take-up (a rating, a started view) counts on the popularity boards, relative to an
 * organic one: `servedWeight` when its title was in a list last served to the user, 1 otherwise.
 * Served-then-taken titles would otherwise gain popularity because they were served, be served more
 * for it, and so on (docs/fairness.md, "Mitigation"); a weight under 1 weakens that while the
 * take-up still counts for something. `servedWeight` must be in [0, 1].
 */
export function takeUpWeight(served: boolean, servedWeight: number): number {
  if (!(servedWeight >= 0 && servedWeight <= 1))
    throw new RangeError(`the served take-up weight must be in [0, 1], got ${servedWeight}`);
  return served ? servedWeight : 1;
}

/** What a take-up at `atMs` adds to a growing-weight board: boardWeight × takeUpWeight. */
export function takeUpBoardWeight(
  atMs: number,
  served: boolean,
  options: { readonly popularityHalfLifeMs: number; readonly servedPopularityWeight: number },
): number {
  return (
    boardWeight(atMs, options.popularityHalfLifeMs) * takeUpWeight(served, options.servedPopularityWeight)
  );
}

/** A growing-weight board's score as the decayed count as of `nowMs`. */
export function countFromBoard(score: number, nowMs: number, halfLifeMs: number): number {
  return score * 2 ** (-(nowMs - BOARD_EPOCH_MS) / halfLifeMs);
}
