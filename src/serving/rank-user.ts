import { attributes, spans } from '../../otel/names.ts';
import { tracer } from '../../otel/tracing.ts';
import { ageClass } from '../guardrails/age-policy.ts';
import type { BlendWeights, PreparedTerm } from '../model/ranking/blend.ts';
import { buildCandidatePool } from './candidate-pool.ts';
import { headCap } from '../guardrails/debias.ts';
import { diversify, type RankedList } from '../guardrails/diversify.ts';
import type { GuardrailSettings } from './guardrail-settings.ts';
import type { ServingModel } from './serving-model.ts';

/**
 * A user's ranking inputs: the factor vector (and where it starts) and bias, or a null vector for a
 * user the model has none for (the model term is then μ + b_i); age; what they have seen.
 */
export interface RankInput {
  readonly vector: Float32Array | null;
  readonly offset: number;
  readonly bias: number;
  readonly age: number | null;
  readonly seen: readonly string[];
}

/** What the stream knows live, for the blend: decayed popularity, global and the user's cohort's. */
export interface RankStream {
  /** `weights` for a user with a vector, `coldWeights` without (BlendConfig). */
  readonly weights: BlendWeights;
  readonly popularity: PreparedTerm | null;
  readonly cohort: PreparedTerm | null;
  /** The popularity cap's head (default the model's training head; see PopularityHolder.headMask). */
  readonly headMask?: Uint8Array;
}

/** A ranked, guarded list plus how many titles the guard withheld (forbidden for the age, seen). */
export interface GuardedRanking extends RankedList {
  readonly forbidden: number;
  readonly seen: number;
}

/** A zero user vector: scoring it gives μ + b_i. Grown on demand, never written. */
let zeros = new Float32Array(0);

/** Whether the blend has a popularity term to add (else a personal list ranks by the model alone). */
function hasPopularity(stream: RankStream): boolean {
  return (
    (stream.popularity !== null && stream.weights.popularity !== 0) ||
    (stream.cohort !== null && stream.weights.cohort !== 0)
  );
}

/**
 * The ranking scores of one request, -Infinity where the user may not be shown the title (forbidden
 * for their age, seen): the model's scores (WebAssembly kernel over the titles the age class may see)
 * blended with live popularity by the same `Blender.blend` the offline report calls. With no
 * popularity known yet (before the first refresh) the model's scores alone rank.
 * Returns a scratch array of the serving model, valid until the next request.
 */
export function rankingScores(
  serving: ServingModel,
  input: RankInput,
  seen: ArrayLike<number>,
  stream: RankStream,
): Float32Array {
  const cls = ageClass(serving.masks.policy, input.age);
  // The scorer's exclusion set 1 + class leaves the titles the user's age class may not see unscored.
  if (!hasPopularity(stream)) {
    // The model alone; a zero vector scores μ + b_i (untrained titles stay -Infinity, left out).
    if (input.vector !== null) return serving.scorer.score(input.vector, input.offset, input.bias, 1 + cls);
    if (zeros.length < serving.model.data.factors) zeros = new Float32Array(serving.model.data.factors);
    return serving.scorer.score(zeros, 0, 0, 1 + cls);
  }
  const scores =
    input.vector === null ? null : serving.scorer.score(input.vector, input.offset, input.bias, 1 + cls);
  return serving.blender.blend(
    { model: scores ?? serving.coldModel, popularity: stream.popularity, cohort: stream.cohort },
    stream.weights,
    { base: serving.candidateBases[cls] ?? null, exclude: seen },
  );
}

/**
 * Score (and blend) every movie the age policy allows, exclude what the user has seen while building
 * the candidate pool, then diversify with the popularity cap. One span per step.
 */
export function rankUser(
  serving: ServingModel,
  settings: GuardrailSettings,
  input: RankInput,
  limit: number,
  stream: RankStream,
): GuardedRanking {
  const t = tracer();
  const scoring = t.startSpan(spans.apiScore, { attributes: { [attributes.modelVersion]: serving.version } });
  const seen: number[] = [];
  for (const id of input.seen) {
    const i = serving.catalogue.indexOf(id);
    if (i !== undefined) seen.push(i);
  }
  const scores = rankingScores(serving, input, seen, stream);
  scoring.end();
  const guarding = t.startSpan(spans.apiGuard);
  const forbidden = serving.masks.forbiddenFor(input.age);
  const pool = buildCandidatePool(scores, [], seen, serving.catalogue, serving.heap);
  guarding.setAttributes({
    [attributes.candidates]: pool.items.length,
    [attributes.removed]: forbidden.length + seen.length,
  });
  guarding.end();
  const diversifying = t.startSpan(spans.apiDiversify);
  const { size: full, minGenres } = settings.diversify;
  const list = diversify(
    pool,
    serving.catalogue,
    {
      ...settings.diversify,
      size: limit,
      minGenres: Math.min(minGenres, Math.ceil((minGenres * limit) / full)),
    },
    { mask: stream.headMask ?? serving.headMask, maxHead: headCap(limit, settings.debias.maxHeadShare) },
  );
  diversifying.end();
  return { ...list, forbidden: forbidden.length, seen: seen.length };
}
