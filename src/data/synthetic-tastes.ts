/**
 * The planted truth of the synthetic world: a biased low-rank model `r = mu + b_u + b_i + p_u . q_i`
 * whose movie factors lean on genre directions and whose user factors lean on demographic-group
 * directions (so genres and demographics carry signal, as in real data, and cold-start lists by group
 * and fairness audits have something to find). Ratings are drawn from it plus noise, so a recommender
 * trained on the world can be scored against the truth.
 */
import type { Random } from '../lib/random.ts';

/** The latent model the ratings were drawn from; factors are row-major (`k` per user or movie). */
export interface PlantedTastes {
  readonly factors: number;
  readonly globalMean: number;
  readonly userFactors: Float32Array;
  readonly movieFactors: Float32Array;
  readonly userBias: Float32Array;
  readonly movieBias: Float32Array;
}

/** Per-factor spread: with k factors of N(0, s^2) each, p.q has variance k s^4 = 0.5. */
const spread = (k: number): number => Math.pow(0.5 / k, 0.25);

/** Share of a user's taste variance shared with their demographic group. */
export const GROUP_SHARE = 0.4;

/**
 * Draws tastes for users in the given demographic groups (0..groupCount-1) and movies with the given
 * genre indices (into a `genreCount` vocabulary).
 */
export function plantTastes(
  userGroups: readonly number[],
  groupCount: number,
  genreIndex: readonly (readonly number[])[],
  genreCount: number,
  factors: number,
  random: Random,
): PlantedTastes {
  const s = spread(factors);
  const genreDirections = new Float32Array(genreCount * factors);
  for (let j = 0; j < genreDirections.length; j++) genreDirections[j] = random.normal(0, 1);
  const groupDirections = new Float32Array(groupCount * factors);
  for (let j = 0; j < groupDirections.length; j++) groupDirections[j] = random.normal(0, 1);
  const users = userGroups.length;
  const userFactors = new Float32Array(users * factors);
  const own = Math.sqrt(1 - GROUP_SHARE);
  const shared = Math.sqrt(GROUP_SHARE);
  for (let u = 0; u < users; u++) {
    const g = userGroups[u] ?? 0;
    for (let f = 0; f < factors; f++) {
      const group = groupDirections[g * factors + f] ?? 0;
      userFactors[u * factors + f] = s * (own * random.normal(0, 1) + shared * group);
    }
  }
  const userBias = new Float32Array(users);
  for (let u = 0; u < users; u++) userBias[u] = 0.35 * random.normal(0, 1);
  const movies = genreIndex.length;
  const movieFactors = new Float32Array(movies * factors);
  const movieBias = new Float32Array(movies);
  for (let i = 0; i < movies; i++) {
    const genres = genreIndex[i] ?? [];
    for (let f = 0; f < factors; f++) {
      let g = 0;
      for (const gi of genres) g += genreDirections[gi * factors + f] ?? 0;
      const mean = genres.length > 0 ? g / Math.sqrt(genres.length) : 0;
      movieFactors[i * factors + f] = s * Math.SQRT1_2 * (mean + random.normal(0, 1));
    }
    movieBias[i] = 0.4 * random.normal(0, 1);
  }
  return { factors, globalMean: 3.4, userFactors, movieFactors, userBias, movieBias };
}

/** The noiseless planted rating of movie `i` by user `u` (unclipped). */
export function plantedScore(t: PlantedTastes, u: number, i: number): number {
  let dot = 0;
  const k = t.factors;
  for (let f = 0; f < k; f++) dot += (t.userFactors[u * k + f] ?? 0) * (t.movieFactors[i * k + f] ?? 0);
  return t.globalMean + (t.userBias[u] ?? 0) + (t.movieBias[i] ?? 0) + dot;
}
