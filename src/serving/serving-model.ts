import { buildCatalogueIndex, type CatalogueIndex, type CatalogueMovie } from '../data/catalogue-index.ts';
import { classAges } from '../guardrails/age-policy.ts';
import { Blender, candidateBase, PreparedTerm, type CandidateBase } from '../model/ranking/blend.ts';
import { buildHeadMask } from '../guardrails/debias.ts';
import { buildGuardMasks, type GuardMasks } from '../guardrails/guard-masks.ts';
import type { ModelArtifact } from '../model/artifact.ts';
import { TopHeap } from '../model/heap.ts';
import { createWasmScorer, type ItemScorer } from '../model/kernels/score-wasm.ts';
import { svdFromArtifact } from '../model/svd-artifact.ts';
import { withUntrainedItems, type SvdModel } from '../model/algorithms/svd-model.ts';
import type { GuardrailSettings } from './guardrail-settings.ts';

/**
 * Everything one model version needs to serve, built once when the version loads and never mutated
 * afterwards: a request that started on it finishes on it even if a newer version replaces it.
 */
export interface ServingModel {
  readonly version: string;
  readonly model: SvdModel;
  /** Exclusion set j + 1 of the scorer is what age class j may not see (see rank-user.ts). */
  readonly scorer: ItemScorer;
  readonly catalogue: CatalogueIndex;
  readonly masks: GuardMasks;
  readonly headMask: Uint8Array;
  /** Dense user index of a user id the artifact knows. */
  readonly userIndex: ReadonlyMap<string, number>;
  /** Pool heap, reused: a request scores and selects synchronously, so no two share it at once. */
  readonly heap: TopHeap;
  /** Item indices safe for every age, most trained first: the last-resort list. */
  readonly safeForAll: readonly number[];
  /** The ranking blend (model with live popularity), reused by every request on this version. */
  readonly blender: Blender;
  /** Per age class (index = ageClass), the titles it may see: where a request's candidates start. */
  readonly candidateBases: readonly CandidateBase[];
  /** The model's score for a user without a vector, μ + b_i (NaN where untrained), prepared for the blend. */
  readonly coldModel: PreparedTerm;
}

/** Builds the serving form of an artifact and its movie metadata. */
export function buildServingModel(
  version: string,
  artifact: ModelArtifact,
  movies: readonly CatalogueMovie[],
  settings: GuardrailSettings,
): ServingModel {
  // Titles the worker described since the model was trained join as untrained items: the blend
  // ranks them by live popularity alone until a retrain learns them (docs/model.md, "New titles").
  const model = withUntrainedItems(
    svdFromArtifact(artifact),
    movies.map((m) => m.movieId),
  );
  const catalogue = buildCatalogueIndex(model.data.itemIds, movies);
  const masks = buildGuardMasks(settings.agePolicy, catalogue);
  const counts = model.data.itemCounts;
  const safeForAll = Array.from({ length: model.nItems }, (_, i) => i)
    .filter((i) => (counts[i] as number) > 0 && masks.allowed(0, i))
    .sort((a, b) => (counts[b] as number) - (counts[a] as number) || a - b)
    .slice(0, 200);
  const { mu, itemBias } = model.data;
  const coldScores = new Float32Array(model.nItems);
  for (let i = 0; i < model.nItems; i++)
    coldScores[i] = (counts[i] as number) > 0 ? mu + (itemBias[i] as number) : NaN;
  const userIndex = new Map<string, number>();
  model.data.userIds.forEach((id, u) => {
    if (model.knowsUser(u)) userIndex.set(id, u);
  });
  return {
    version,
    model,
    scorer: createWasmScorer(
      model,
      classAges(settings.agePolicy).map((age) => masks.forbiddenFor(age)),
    ),
    catalogue,
    masks,
    headMask: buildHeadMask(counts, settings.debias.headShare),
    userIndex,
    heap: new TopHeap(settings.poolSize),
    safeForAll,
    blender: new Blender(model.nItems),
    candidateBases: classAges(settings.agePolicy).map((age) =>
      candidateBase(model.nItems, masks.forbiddenFor(age)),
    ),
    coldModel: new PreparedTerm(coldScores),
  };
}
