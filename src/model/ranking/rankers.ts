import type { UserScorer } from '../eval/ranking-metrics.ts';
import type { UserIndex } from '../ratings/user-index.ts';
import { Blender, PreparedTerm, preparePopularity, type BlendConfig } from './blend.ts';

/**
 * Offline rankers as the evaluation calls them: each fills one user's scores for every item. Serving
 * calls the same `Blender.blend` per request (src/serving/rank-user.ts); these adapters only gather
 * the inputs a request would carry (the model's scores, popularity, what the user has seen).
 */

/** A named ranker for the offline report. */
export interface Ranker {
  readonly name: string;
  readonly score: UserScorer;
}

/** Fills a user's model scores into `out` and returns true, or returns false when the model does not know the user. */
export type ModelScorer = (user: number, out: Float32Array) => boolean;

/** Everyone gets the same list: `popularity` per item, higher first. */
export function popularityRanker(name: string, popularity: Float32Array): Ranker {
  return { name, score: (_user, out) => out.set(popularity) };
}

/**
 * A personal model alone; users it does not know get `fallback` (e.g. global popularity), since a
 * model with no vector for the user has no opinion to rank by.
 */
export function modelRanker(name: string, model: ModelScorer, fallback: Float32Array): Ranker {
  return {
    name,
    score: (user, out) => {
      if (!model(user, out)) out.set(fallback);
    },
  };
}

/** What a blended ranker reads for each user. */
export interface BlendRankerInputs {
  /** The personal model; false (or null) for users it has no vector for. */
  readonly model: ModelScorer | null;
  /**
   * The model's score for a user without a vector (μ + b_i for biased MF: the same for everyone);
   * null leaves such users with the popularity terms only.
   */
  readonly coldModel: ((out: Float32Array) => void) | null;
  /** Decayed global popularity as of the cut-off. */
  readonly popularity: Float32Array;
  /** Cohort popularity per user, prepared (null: no demographics, the term contributes nothing). */
  readonly cohortOf: ((user: number) => PreparedTerm | null) | null;
  readonly config: Pick<BlendConfig, 'weights' | 'coldWeights'>;
  /** What each user rated or watched before the cut-off: excluded from the candidates, as serving does. */
  readonly seen: UserIndex;
}

/**
 * The blend, evaluated exactly as serving will call it: popularity and the model's fallback prepared
 * once (serving: once per refresh and per model version), then per user the model's scores into the
 * blender's input and `Blender.blend` over the candidates (everything the user has not seen). A user
 * the model has a vector for gets `weights`; any other gets `coldWeights` over the model's fallback.
 */
export function blendRanker(name: string, inputs: BlendRankerInputs): Ranker {
  const n = inputs.popularity.length;
  const blender = new Blender(n);
  const popularity = preparePopularity(inputs.popularity);
  let cold: PreparedTerm | null = null;
  if (inputs.coldModel !== null) {
    const scores = new Float32Array(n);
    inputs.coldModel(scores);
    cold = new PreparedTerm(scores);
  }
  const { seen, config } = inputs;
  return {
    name,
    score: (user, out) => {
      const known = inputs.model !== null && inputs.model(user, blender.modelInput);
      const scores = blender.blend(
        {
          model: known ? blender.modelInput : cold,
          popularity,
          cohort: inputs.cohortOf?.(user) ?? null,
        },
        known ? config.weights : config.coldWeights,
        { base: null, exclude: seen.items.subarray(seen.start[user], seen.start[user + 1]) },
      );
      out.set(scores);
    },
  };
}
