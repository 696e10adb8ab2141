/**
 * Sampling helpers for the synthetic world, on top of the one seeded generator the project uses
 * (src/lib/random.ts): sub-stream seeds and weighted index sampling.
 */
import type { Random } from '../lib/random.ts';

/** A seed for sub-stream `part` of `seed`, hashed so no two (seed, part) pairs share a stream by accident. */
export function deriveSeed(seed: number, part: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ Math.imul(part + 1, 0x85ebca6b), 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Samples indices in proportion to fixed non-negative weights, in O(log n) per draw. */
export class WeightedSampler {
  private readonly cumulative: Float64Array;

  /** Builds the sampler; all-zero weights sample uniformly. */
  constructor(weights: ArrayLike<number>) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i] ?? 0;
      sum += w > 0 && Number.isFinite(w) ? w : 0;
      this.cumulative[i] = sum;
    }
    if (sum === 0) for (let i = 0; i < weights.length; i++) this.cumulative[i] = i + 1;
  }

  /** One index drawn with `random`. */
  sample(random: Random): number {
    const c = this.cumulative;
    const target = random.next() * (c[c.length - 1] ?? 0);
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((c[mid] ?? 0) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
