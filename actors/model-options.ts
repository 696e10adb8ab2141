import { createHash } from 'node:crypto';
import { createRandom } from '../src/lib/random.ts';
import { BLEND_DEFAULTS } from '../src/model/ranking/blend.ts';
import { SERVED_POPULARITY_WEIGHT_DEFAULT } from '../src/model/ranking/popularity.ts';

/**
 * The knobs of the incremental model the actors keep. One object, passed to both actor kinds, so
 * the user half and the movie half of every SGD step agree on μ, the rates and the start vectors.
 */
export interface StreamModelOptions {
  /** Length of p_u and q_i. The serving API reads vectors of this length. */
  readonly factors: number;
  /** Global mean μ in r̂ = μ + b_u + b_i + p_u·q_i (from the trained artifact, or a prior). */
  readonly mu: number;
  readonly lr: number;
  readonly reg: number;
  /** Standard deviation of the seeded start vectors (Surprise's init_std_dev). */
  readonly initStd: number;
  /** Salt of the seeded start vectors, so two deployments can differ deliberately. */
  readonly seed: number;
  /** Ratings after which a new user is folded in by ridge regression (0: never). */
  readonly foldInAfter: number;
  /** Ridge strength of the fold-in. */
  readonly foldInLambda: number;
  /** Training updates a movie accepts per UTC day; later ratings are counted, not learned. */
  readonly dailyCap: number;
  /** Half-life of the decayed popularity score. */
  readonly popularityHalfLifeMs: number;
  /**
   * What a rating or started view of a title in the user's last served list adds to the popularity
   * boards, relative to an organic one (SERVED_POPULARITY_WEIGHT; src/model/ranking/popularity.ts,
   * `takeUpWeight`).
   */
  readonly servedPopularityWeight: number;
  /** Movies kept in a user's history sorted set (newest win): the serving exclusions, complete below this bound. */
  readonly historyMax: number;
  readonly scale: { readonly min: number; readonly max: number };
  /** Factors of a trained model for the users and movies it knows (initial-factors.ts). */
  readonly initial?: InitialFactors | undefined;
  /**
   * The published model version these options continue ('' for seeded vectors, no model): every
   * actor vector carries the version it lives in, and vectors of two versions never meet.
   */
  readonly version?: string;
}

/** Trained start values for known ids; undefined for ids the model never saw. */
export interface InitialFactors {
  user(id: string): { bias: number; vector: Float32Array } | undefined;
  movie(id: string): { bias: number; vector: Float32Array } | undefined;
}

/** Surprise's SVD defaults (100 factors, lr 0.005, reg 0.02, init σ 0.1) plus the stream's own. */
export const STREAM_MODEL_DEFAULTS: StreamModelOptions = {
  factors: 100,
  mu: 3.5,
  lr: 0.005,
  reg: 0.02,
  initStd: 0.1,
  seed: 1,
  foldInAfter: 5,
  foldInLambda: 1,
  dailyCap: 1000,
  // The ranking blend's half-life (src/model/ranking/blend.ts, tuned offline): the boards serving
  // blends with decay as the offline evaluation assumed.
  popularityHalfLifeMs: BLEND_DEFAULTS.halfLifeDays * 24 * 3600 * 1000,
  servedPopularityWeight: SERVED_POPULARITY_WEIGHT_DEFAULT,
  // Complete exclusions: every movie a user rated or watched stays in their history (a safety bound
  // only; the course's heaviest users stay far below it).
  historyMax: 20_000,
  scale: { min: 1, max: 5 },
};

/**
 * The start vector of a user or movie nobody has trained yet: normal(0, initStd), seeded by the id.
 * Deterministic, so the user actor predicting with an unseen movie and the movie actor activating
 * it later start from the same q_i without talking to each other.
 */
export function seededVector(kind: 'user' | 'movie', id: string, options: StreamModelOptions): Float32Array {
  const digest = createHash('sha1').update(`${options.seed}\u0000${kind}\u0000${id}`).digest();
  const random = createRandom(digest.readUInt32LE(0));
  const out = new Float32Array(options.factors);
  for (let f = 0; f < out.length; f++) out[f] = random.normal(0, options.initStd);
  return out;
}

/** Clips an estimate to the rating scale. */
export function clip(estimate: number, options: StreamModelOptions): number {
  const { min, max } = options.scale;
  return estimate < min ? min : estimate > max ? max : estimate;
}

const DAY_MS = 86_400_000;
const dayNames = new Map<number, string>();

/** The UTC day (`2024-01-31`) of an epoch-ms time: the unit of the daily cap and day leaderboards. */
export function utcDay(atMs: number): string {
  // Called twice per event; formatting a Date each time showed in profiles. Bounded memo by day.
  const day = Math.floor(atMs / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size >= 100_000) dayNames.clear();
    dayNames.set(day, name);
  }
  return name;
}
