import { Hono } from 'hono';
import { spans } from '../../../otel/names.ts';
import { tracer } from '../../../otel/tracing.ts';
import type { Counter } from 'prom-client';
import type { Recommendation } from '../../serving/recommender.ts';
import type { ServedRecorder } from '../../serving/served-log/served-recorder.ts';
import { noisyRanking, rankNoiseDepth, type RankNoiseOptions } from '../../guardrails/rank-noise.ts';
import { isUserId } from '../../../streams/id-grammar.ts';
import { budgetDay } from '../../guardrails/rating-budget.ts';

/** What the recommendation routes need. */
export interface RecommendDeps {
  readonly recommend: (userId: string, limit: number) => Promise<Recommendation>;
  readonly served: Pick<ServedRecorder, 'record'>;
  readonly outcomes?: Counter<'source'>;
  /** What a user id looks like (default: the course's positive integers), within the id grammar. */
  readonly userIdPattern?: RegExp;
  /** Rank noise on both routes' lists (RANK_NOISE; absent or scale 0: the exact ranking). */
  readonly rankNoise?: {
    readonly secret: string;
    readonly options: RankNoiseOptions;
    /** Genres a drawn list must reach when its candidates have them (the guardrails' `minGenres`). */
    readonly minGenres?: number;
  };
  /** The clock that picks the day of the anonymous lists' noise (default Date.now). */
  readonly now?: () => number;
}

/**
 * The key of a list's rank noise: the user for a personal list; for a list that is not the user's own
 * (cold: the cohort's popular blend), one key per UTC day for everyone — keyed by the user,
 * the noise of such a list would average out over fresh accounts (30 of them recover it: docs/
 * threat-model.md, "Extraction"), and it changes daily so no title stays buried for new users.
 */
export function rankNoiseKey(userId: string, source: Recommendation['source'], nowMs: number): string {
  return source === 'personal' ? userId : `anonymous\u0000${budgetDay(nowMs)}`;
}

/** The list served to `userId`: the recommender's, with rank noise when configured. */
export async function servedList(
  deps: RecommendDeps,
  userId: string,
  limit: number,
): Promise<Recommendation> {
  const noise = deps.rankNoise;
  if (noise === undefined || noise.options.scale <= 0) return deps.recommend(userId, limit);
  const rec = await deps.recommend(userId, rankNoiseDepth(limit, noise.options));
  // The fallback (no model yet, or serving failed) is a popularity list no model made: nothing to hide.
  if (rec.source === 'fallback') return { ...rec, items: rec.items.slice(0, limit) };
  const key = rankNoiseKey(userId, rec.source, (deps.now ?? Date.now)());
  return { ...rec, items: noisyRanking(noise.secret, key, rec.items, limit, noise.options, noise.minGenres) };
}

/** The course's user ids: decimal digits, at most 12. */
export const defaultUserIdPattern = /^\d{1,12}$/;

/**
 * `GET /recommend/:userId`, the course contract: one line of up to 20 movie ids, best first, comma
 * separated, no spaces, no newline, text/plain. Never an error for a valid id (the recommender
 * falls back); an id that is not a user id is a 400.
 */
export function recommendRoute(deps: RecommendDeps): Hono {
  const pattern = deps.userIdPattern ?? defaultUserIdPattern;
  return new Hono().get('/recommend/:userId', async (c) => {
    const start = performance.now();
    const userId = c.req.param('userId');
    if (!isUserId(userId) || !pattern.test(userId)) return c.text('not a user id', 400);
    const rec = await servedList(deps, userId, 20);
    const ids = rec.items.map((i) => i.movieId);
    deps.outcomes?.inc({ source: rec.source });
    const recording = tracer().startSpan(spans.apiServedRecord);
    deps.served.record({
      userId,
      items: ids,
      latencyMs: performance.now() - start,
      arm: rec.arm,
      ...(rec.modelVersion !== null && { modelVersion: rec.modelVersion }),
    });
    recording.end();
    return c.text(ids.join(','), 200, {
      'X-Model-Version': rec.modelVersion ?? 'none',
      'X-AB-Arm': rec.arm,
      // Which version's user vector scored the list (personal lists only): always X-Model-Version.
      ...(rec.userVectorVersion !== undefined && { 'X-User-Vector-Version': rec.userVectorVersion }),
    });
  });
}
