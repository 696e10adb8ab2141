import type { Redis } from 'ioredis';
import type { CatalogueMovie } from '../data/catalogue-index.ts';
import type { RankReason } from '../guardrails/diversify.ts';
import { BLEND_DEFAULTS, type BlendConfig } from '../model/ranking/blend.ts';
import { cohortOf } from '../store/popular-lists.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import { armOf } from './ab-arm.ts';
import type { FallbackList } from './fallback-list.ts';
import type { GuardrailSettings } from './guardrail-settings.ts';
import type { ExperimentArms } from './experiment-follower.ts';
import type { ModelHolder } from './model-holder.ts';
import type { PopularityHolder } from './popularity-holder.ts';
import { rankUser } from './rank-user.ts';
import { createUserContextReader, type UserContext } from './user-context.ts';
import { withTimeout } from '../lib/time.ts';
import { spans } from '../../otel/names.ts';
import { inSpan } from '../../otel/tracing.ts';

/** Age and gender of a user the stream has not described yet (e.g. the course's user service). */
export type DemographicsSource = (
  userId: string,
) => Promise<{ age: number | null; gender: string | null } | null>;

/**
 * Where a list came from: the user's factors (blended with live popularity), the blend for a user
 * without factors (μ + b_i with live popularity, global and their cohort's), or the fallback.
 */
export type ListSource = 'personal' | 'cold' | 'fallback';

/**
 * One recommended movie with its ranking score (the blend's, or the model's before any popularity is
 * known; null on the fallback) and the steps that placed it.
 */
export interface RecommendedItem {
  readonly movieId: string;
  readonly score: number | null;
  readonly reasons: readonly (RankReason | 'popular' | 'fallback')[];
  /** Title, genres and certification when the catalogue knows the movie. */
  readonly movie?: CatalogueMovie;
}

/** A served list and what produced it. */
export interface Recommendation {
  readonly items: readonly RecommendedItem[];
  readonly source: ListSource;
  readonly modelVersion: string | null;
  /**
   * The model version of the user vector the list was scored with (always `modelVersion` on the
   * personal path: a live vector of another version is never scored against this item matrix).
   */
  readonly userVectorVersion?: string;
  readonly arm: string;
  /** Titles the guard withheld (age policy, already seen); absent on the fallback. */
  readonly withheld?: { readonly forbidden: number; readonly seen: number };
  /** Why the fallback was used. */
  readonly error?: string;
}

/** Dependencies of {@link createRecommender}. */
export interface RecommenderDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly models: Pick<ModelHolder, 'current'> & Partial<Pick<ModelHolder, 'version'>>;
  /** The running experiment's arms: a user in one is served by that arm's model version. */
  readonly experiments?: ExperimentArms;
  readonly settings: GuardrailSettings;
  readonly fallback: FallbackList;
  /** Live decayed popularity for the blend; absent (or not read yet): the model's scores alone. */
  readonly popularity?: Pick<PopularityHolder, 'global' | 'cohort'> &
    Partial<Pick<PopularityHolder, 'headMask'>>;
  /** The blend's weights (default BLEND_DEFAULTS, as tuned offline). */
  readonly blend?: BlendConfig;
  readonly demographics?: DemographicsSource;
  /**
   * Budget for the Redis round trip and for a first demographics lookup, ms (default 250, 150). A
   * read over budget answers from the fallback list, which cannot leave out what the user saw: under
   * load (the course check at load 5 on 2 cores) 100 ms was overrun by a few users; 250 + 150 ms still
   * leaves the course's 600 ms deadline room.
   */
  readonly redisBudgetMs?: number;
  readonly demographicsBudgetMs?: number;
  /**
   * Hears every answer that fell back because something failed (a dependency over budget, Redis
   * down, a bug): the composition root counts and logs it, so a fallback is never silent.
   */
  readonly onFallback?: (error: unknown, userId: string) => void;
}

/**
 * The serving pipeline: one Redis round trip for the user, then the ranking blend of the model's
 * score (live p_u, else the artifact's, else μ + b_i for a user without factors) with live decayed
 * popularity, guarded and diversified either way. Never throws: on any failure (or before a model is
 * loaded) the in-memory fallback list answers.
 */
export function createRecommender(
  deps: RecommenderDeps,
): (userId: string, limit: number) => Promise<Recommendation> {
  const redisBudget = deps.redisBudgetMs ?? 250;
  const demographicsBudget = deps.demographicsBudgetMs ?? 150;
  const readUserContext = createUserContextReader(deps.redis, deps.keys);
  const blend = deps.blend ?? BLEND_DEFAULTS;

  async function demographicsOf(userId: string, ctx: UserContext) {
    if (ctx.age !== null || deps.demographics === undefined) return { age: ctx.age, gender: ctx.gender };
    const found = await withTimeout(deps.demographics(userId), demographicsBudget, 'demographics').catch(
      () => null,
    );
    return { age: found?.age ?? null, gender: found?.gender ?? ctx.gender };
  }

  return async (userId, limit) => {
    // In an experiment the user's arm picks the model version; one whose model is not loaded (yet)
    // serves the active model under the plain label, so no list is counted for an arm it did not come from.
    const assigned = deps.experiments?.armFor(userId);
    const armModel = assigned === undefined ? undefined : deps.models.version?.(assigned.version);
    const arm = armModel === undefined ? armOf(userId) : (assigned as { label: string }).label;
    const serving = armModel ?? deps.models.current();
    // What the user has seen, for the fallback (a set only there: hashing every id cost ~2 %).
    let seen: readonly string[] = [];
    try {
      if (serving === undefined) {
        // The fallback still leaves out what the user has seen, when their state answers in time.
        seen =
          (await withTimeout(readUserContext(userId), redisBudget, 'user context').catch(() => null))?.seen ??
          [];
        throw new Error('no model loaded yet');
      }
      const ctx = await inSpan(spans.apiUserContext, {}, () =>
        withTimeout(readUserContext(userId), redisBudget, 'user context'),
      );
      seen = ctx.seen;
      const { age, gender } = await demographicsOf(userId, ctx);
      const { model } = serving;
      const known = serving.userIndex.get(userId);
      // Versions move together: the stream's p_u and b_u are used only when they live in the version
      // whose item matrix scores them; otherwise the version's own trained p_u (the stream moves the
      // user onto it at their next event, or at once after a retrain that missed their ratings).
      const live =
        ctx.vector !== null && ctx.version === serving.version && ctx.vector.length === model.data.factors;
      const personal = live || known !== undefined;
      const weights = personal ? blend.weights : blend.coldWeights;
      // The cohort's board is read only when its term weighs something (a cohort's first request
      // starts the read; until it lands the term is left out).
      const stream = {
        weights,
        popularity: deps.popularity?.global(serving) ?? null,
        headMask: deps.popularity?.headMask?.(serving) ?? serving.headMask,
        cohort:
          weights.cohort !== 0 ? (deps.popularity?.cohort(serving, cohortOf(age, gender)) ?? null) : null,
      };
      const input = personal
        ? {
            vector: live ? (ctx.vector as Float32Array) : model.data.userFactors,
            offset: live ? 0 : (known as number) * model.data.factors,
            bias: live ? (ctx.bias ?? 0) : (model.data.userBias[known as number] as number),
            age,
            seen: ctx.seen,
          }
        : { vector: null, offset: 0, bias: 0, age, seen: ctx.seen };
      const ranked = rankUser(serving, deps.settings, input, limit, stream);
      const items = ranked.items.map((i, k) => ({
        movieId: serving.catalogue.itemIds[i] as string,
        score: ranked.scores[k] as number,
        reasons: ranked.reasons[k] as RankReason[],
        movie: serving.catalogue.movies[i],
      }));
      return {
        items,
        source: personal ? 'personal' : 'cold',
        modelVersion: serving.version,
        ...(personal && { userVectorVersion: live ? (ctx.version as string) : serving.version }),
        arm,
        withheld: { forbidden: ranked.forbidden, seen: ranked.seen },
      };
    } catch (error) {
      deps.onFallback?.(error, userId);
      const items = deps.fallback
        .get(limit, new Set(seen))
        .map((movieId) => ({ movieId, score: null, reasons: ['fallback' as const] }));
      return { items, source: 'fallback', modelVersion: serving?.version ?? null, arm, error: String(error) };
    }
  };
}
