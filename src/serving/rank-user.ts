import { attributes, spans } from '../../otel/names.ts';
import { tracer } from '../../otel/tracing.ts';
import { ageClass } from '../guardrails/age-policy.ts';
import { buildCandidatePool } from './candidate-pool.ts';
import { headCap } from '../guardrails/debias.ts';
import { diversify, type RankedList } from '../guardrails/diversify.ts';
import type { GuardrailSettings } from './guardrail-settings.ts';
import type { ServingModel } from './serving-model.ts';

/** A user's ranking inputs: the factor vector (and where it starts), bias, age, what they have seen. */
export interface RankInput {
  readonly vector: Float32Array;
  readonly offset: number;
  readonly bias: number;
  readonly age: number | null;
  readonly seen: readonly string[];
}

/** A ranked, guarded list plus how many titles the guard withheld (forbidden for the age, seen). */
export interface GuardedRanking extends RankedList {
  readonly forbidden: number;
  readonly seen: number;
}

/**
 * Score every movie the age policy allows (WebAssembly kernel; forbidden ones come back -Infinity),
 * exclude what the user has seen while building the candidate pool, then diversify with the
 * popularity cap. One span per step.
 */
export function rankUser(
  serving: ServingModel,
  settings: GuardrailSettings,
  input: RankInput,
  limit: number,
): GuardedRanking {
  const t = tracer();
  const scoring = t.startSpan(spans.apiScore, { attributes: { [attributes.modelVersion]: serving.version } });
  // The scorer's exclusion set 1 + class leaves the titles the user's age class may not see unscored.
  const ageClassOf = ageClass(serving.masks.policy, input.age);
  const scores = serving.scorer.score(input.vector, input.offset, input.bias, 1 + ageClassOf);
  scoring.end();
  const guarding = t.startSpan(spans.apiGuard);
  const forbidden = serving.masks.forbiddenFor(input.age);
  const seen: number[] = [];
  for (const id of input.seen) {
    const i = serving.catalogue.indexOf(id);
    if (i !== undefined) seen.push(i);
  }
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
    { mask: serving.headMask, maxHead: headCap(limit, settings.debias.maxHeadShare) },
  );
  diversifying.end();
  return { ...list, forbidden: forbidden.length, seen: seen.length };
}
