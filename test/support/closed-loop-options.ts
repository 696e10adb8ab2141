/**
 * The closed-loop simulator's world, knobs and per-round measures (the loop is closed-loop.ts).
 */
import { configVariables } from '../../config/config-schema.ts';
import type { CatalogueMovie } from '../../src/data/catalogue-index.ts';
import type { RankNoiseOptions } from '../../src/guardrails/rank-noise.ts';
import type { LiveHeadCapOptions } from '../../src/guardrails/debias.ts';
import type { DiversifyOptions } from '../../src/guardrails/diversify.ts';
import type { SvdParams } from '../../src/model/algorithms/svd.ts';
import { BLEND_DEFAULTS, type BlendWeights } from '../../src/model/ranking/blend.ts';

/** The world: organic ratings over dense users and items, and the items' metadata. */
export interface LoopWorld {
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly movies: readonly CatalogueMovie[];
  /** Organic ratings (dense indices). */
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** When each organic rating was made, seconds (what the popularity board decays from). */
  readonly timestamps: Float64Array;
}

/** Knobs of one simulation. */
export interface LoopOptions {
  readonly rounds: number;
  readonly seed: number;
  /** The live head cap's knobs; null: the static cap only. */
  readonly mitigation: LiveHeadCapOptions | null;
  /** What a served-then-rated title adds to the popularity board (SERVED_POPULARITY_WEIGHT; 1: as organic). */
  readonly servedPopularityWeight: number;
  /** Static cap (share of a list the head may take) and head size (share of the catalogue). */
  readonly maxHeadShare: number;
  readonly headShare: number;
  /** The ranking blend's weights (serving's, for users with a model vector) and the board's half-life. */
  readonly blend: BlendWeights;
  readonly halfLifeDays: number;
  /** Simulated days between rounds (the board decays over them), and the simulated users' age. */
  readonly roundDays: number;
  readonly age: number;
  readonly diversify: DiversifyOptions;
  readonly poolSize: number;
  /** Factors and epochs of the recommender's retrain each round, and of the hidden true tastes. */
  readonly model: Pick<SvdParams, 'factors' | 'epochs'>;
  readonly truth: Pick<SvdParams, 'factors' | 'epochs'>;
  /** Attention at list position k is (k + 1)^−attention. */
  readonly attention: number;
  /** Acceptance odds: σ(sharpness · (true rating − midpoint)). */
  readonly sharpness: number;
  readonly midpoint: number;
  /** Noise of a simulated rating around the true one (stars, σ). */
  readonly ratingNoise: number;
  /** Users served per round (all when larger than the world). */
  readonly usersPerRound: number;
  /** Rank noise on the served list, as the course route draws it (RANK_NOISE, RANK_NOISE_DEPTH). */
  readonly rankNoise: RankNoiseOptions;
}

/** Defaults: 20 rounds, Marquee's serving settings (rank noise as configured by default), a Chaney-like attention decay; mitigations off. */
export const LOOP_DEFAULTS: LoopOptions = {
  rounds: 20,
  seed: 1,
  mitigation: null,
  servedPopularityWeight: 1,
  maxHeadShare: 0.5,
  headShare: 0.02,
  blend: BLEND_DEFAULTS.weights,
  halfLifeDays: BLEND_DEFAULTS.halfLifeDays,
  roundDays: 1,
  age: 30,
  diversify: { size: 20, minGenres: 10, genreBonus: 0.1 },
  poolSize: 200,
  model: { factors: 20, epochs: 10 },
  truth: { factors: 20, epochs: 25 },
  attention: 0.8,
  sharpness: 2,
  midpoint: 3.5,
  ratingNoise: 0.3,
  usersPerRound: Infinity,
  rankNoise: {
    scale: Number(configVariables.RANK_NOISE.default),
    depth: Number(configVariables.RANK_NOISE_DEPTH.default),
  },
};

/** What one round measured. */
export interface RoundMetrics {
  readonly round: number;
  /** Share of the catalogue in any list this round. */
  readonly coverage: number;
  /** Gini of this round's exposure over the catalogue. */
  readonly gini: number;
  /** Mean training-rating count of a recommended slot (ARP), counts as of this round's training data. */
  readonly avgPopularity: number;
  /** The same with the organic counts only: what the loop recommends, without what it added to the counts. */
  readonly avgOrganicPopularity: number;
  /**
   * ARP over the catalogue's mean count this round: every round adds ratings, so ARP in counts grows
   * even when what is served stays as popular relative to the rest; this ratio grows only when
   * exposure concentrates on what is (or became) more popular than the catalogue — reinforcement.
   */
  readonly relPopularity: number;
  /** Share of this round's exposure on the cap's head. */
  readonly headShare: number;
  /** The cap in force this round. */
  readonly cap: number;
  /** Mean of this round's (served) ratings minus the organic mean, and the earth mover's distance. */
  readonly skewGap: number;
  readonly skewDistance: number;
  /** Attention-weighted mean true rating of the lists served (what users got), stars. */
  readonly satisfaction: number;
  /** Titles chosen and rated this round. */
  readonly accepted: number;
}

/** Relative change from the first round to the last, per metric (for the targets). */
export function drift(rounds: readonly RoundMetrics[]) {
  const first = rounds[0] as RoundMetrics;
  const last = rounds[rounds.length - 1] as RoundMetrics;
  return {
    coverageDrop: 1 - last.coverage / first.coverage,
    giniRise: last.gini - first.gini,
    popularityLift: last.avgPopularity / first.avgPopularity - 1,
    organicPopularityLift: last.avgOrganicPopularity / first.avgOrganicPopularity - 1,
    relativePopularityLift: last.relPopularity / first.relPopularity - 1,
    satisfaction: last.satisfaction,
  };
}
