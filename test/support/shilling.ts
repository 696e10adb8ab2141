/**
 * Shilling profiles for the poisoning simulation (docs/threat-model.md), as the research note's
 * SDLib generator makes them: every fake account rates the target titles r_max (a push) plus a filler
 * of ~`fillerSize` of the catalogue — random (system mean and σ), average (each item's rounded mean)
 * or bandwagon (random filler plus the most popular `selectedSize` of titles rated r_max). Targets are
 * cold, poorly rated titles: 5–50 ratings, mean ≤ 3.
 */
import type { Random } from '../../src/lib/random.ts';
import type { LoggedRating, RatingLog } from './attack-world/split-world.ts';

/** The attack models of the simulation. */
export type AttackModel = 'random' | 'average' | 'bandwagon';

/** Knobs of a profile (SDLib's defaults). */
export interface ShillingOptions {
  readonly fillerSize: number;
  readonly selectedSize: number;
  readonly targetScore: number;
}

/** fillerSize 3 % of the catalogue, selected 0.5 %, target 5 stars. */
export const SHILLING_DEFAULTS: ShillingOptions = { fillerSize: 0.03, selectedSize: 0.005, targetScore: 5 };

/** Per-item statistics of a log the attacker can see (public ratings). */
export interface ItemStats {
  readonly count: Int32Array;
  readonly mean: Float64Array;
  readonly globalMean: number;
  readonly globalStd: number;
  /** Items by count, most rated first. */
  readonly byPopularity: readonly number[];
}

/** Counts and means per item of `log`. */
export function itemStats(log: RatingLog): ItemStats {
  const n = log.itemIds.length;
  const count = new Int32Array(n);
  const sum = new Float64Array(n);
  let s = 0;
  let s2 = 0;
  for (let k = 0; k < log.items.length; k++) {
    const i = log.items[k] as number;
    const r = log.ratings[k] as number;
    count[i]! += 1;
    sum[i]! += r;
    s += r;
    s2 += r * r;
  }
  const m = log.items.length;
  const globalMean = s / m;
  const mean = Float64Array.from(sum, (x, i) =>
    (count[i] as number) > 0 ? x / (count[i] as number) : globalMean,
  );
  const byPopularity = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (count[b] as number) - (count[a] as number) || a - b,
  );
  return { count, mean, globalMean, globalStd: Math.sqrt(s2 / m - globalMean ** 2), byPopularity };
}

/** `n` target titles drawn from those with 5–50 ratings and mean ≤ 3. */
export function pickTargets(stats: ItemStats, n: number, random: Random): number[] {
  const pool = stats.byPopularity.filter(
    (i) =>
      (stats.count[i] as number) >= 5 && (stats.count[i] as number) <= 50 && (stats.mean[i] as number) <= 3,
  );
  for (let k = pool.length - 1; k > 0; k--) {
    const j = random.int(k + 1);
    [pool[k], pool[j]] = [pool[j] as number, pool[k] as number];
  }
  return pool.slice(0, n);
}

const halfStar = (r: number) => Math.min(5, Math.max(0.5, Math.round(r * 2) / 2));

/**
 * One fake profile for `user`: its ratings, targets first (an attacker under a quota spends it on
 * them before the filler), all at times from `at` on, one millisecond apart.
 */
export function shillingProfile(
  model: AttackModel,
  user: number,
  targets: readonly number[],
  stats: ItemStats,
  at: number,
  random: Random,
  options: ShillingOptions = SHILLING_DEFAULTS,
): LoggedRating[] {
  const n = stats.count.length;
  const out: LoggedRating[] = [];
  const used = new Set<number>(targets);
  const rate = (item: number, rating: number) => out.push({ user, item, rating, at: at + out.length });
  for (const t of targets) rate(t, options.targetScore);
  if (model === 'bandwagon')
    for (const i of stats.byPopularity.slice(0, Math.max(1, Math.round(options.selectedSize * n)))) {
      if (used.has(i)) continue;
      used.add(i);
      rate(i, options.targetScore);
    }
  const fillerMean = options.fillerSize * n;
  const filler = Math.max(1, Math.round(random.normal(fillerMean, 0.1 * fillerMean)));
  const rated = stats.byPopularity.filter((i) => (stats.count[i] as number) > 0);
  for (let added = 0, tries = 0; added < filler && tries < filler * 20; tries++) {
    const i = rated[random.int(rated.length)] as number;
    if (used.has(i)) continue;
    used.add(i);
    added++;
    rate(
      i,
      model === 'average'
        ? halfStar(stats.mean[i] as number)
        : halfStar(random.normal(stats.globalMean, stats.globalStd)),
    );
  }
  return out;
}
