/**
 * A small seeded PRNG so every trainer is deterministic given a seed. mulberry32: 32-bit state,
 * fast, and good enough for initialising factors and shuffling (not for cryptography).
 */

/** A seeded source of uniform and normal deviates; each call advances the state. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number;
  /** Normal with the given mean and standard deviation (Box–Muller, spare value cached). */
  normal(mean: number, std: number): number;
  /** Integer uniform in [0, n). */
  int(n: number): number;
}

/** Creates a mulberry32 generator; equal seeds give equal sequences. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  let spare = 0;
  let hasSpare = false;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const standardNormal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    spare = radius * Math.sin(angle);
    hasSpare = true;
    return radius * Math.cos(angle);
  };
  return {
    next,
    uniform: (low, high) => low + (high - low) * next(),
    normal: (mean, std) => mean + std * standardNormal(),
    int: (n) => Math.floor(next() * n),
  };
}

/** Fills `out` with normal deviates; used to initialise factor matrices. */
export function fillNormal(
  out: Float32Array | Float64Array,
  random: Random,
  mean: number,
  std: number,
): void {
  for (let k = 0; k < out.length; k++) out[k] = random.normal(mean, std);
}

/** Fills `out` with uniform deviates in [low, high). */
export function fillUniform(
  out: Float32Array | Float64Array,
  random: Random,
  low: number,
  high: number,
): void {
  for (let k = 0; k < out.length; k++) out[k] = random.uniform(low, high);
}
