/**
 * A small seeded random source (sfc32, seeded through splitmix32) for the synthetic world: the same seed
 * gives the same world on every machine and Node version, which Math.random cannot promise.
 */

/** A deterministic stream of random numbers. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller, no caching so the stream stays simple to reason about). */
  normal(): number;
}

/** A {@link Random} seeded by any 32-bit integer (other numbers are truncated to 32 bits). */
export function createRandom(seed: number): Random {
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let k = 0; k < 12; k++) next();
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}

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
