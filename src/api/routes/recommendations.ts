import { Hono } from 'hono';
import { spans } from '../../../otel/names.ts';
import { tracer } from '../../../otel/tracing.ts';
import { z } from 'zod';
import { noisyScore, type NoiseOptions } from '../../guardrails/score-noise.ts';
import { isUserId } from '../../../streams/id-grammar.ts';
import { jwtAuth, mayActFor, type JwtAuthOptions, type JwtVariables } from '../middleware/jwt-auth/index.ts';
import { problem } from '../middleware/problem-json/index.ts';
import { defaultUserIdPattern, servedList, type RecommendDeps } from './course-recommend.ts';

/** What the JSON route needs beyond the course route's dependencies. */
export interface RecommendationsDeps extends RecommendDeps {
  /** The route answers only a token for the user asked about, or an admin/service token. */
  readonly auth: JwtAuthOptions;
  readonly noiseSecret: string;
  readonly noise: NoiseOptions;
}

const query = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

/**
 * `GET /v1/users/:userId/recommendations?limit=`: movie id, title, genres, a noisy rounded score and
 * the steps that placed each item; headers carry the model version and A/B arm. The list and its
 * order are the unperturbed ranking: only the scores shown are noisy. It needs a bearer token for
 * that user or a privileged role (403 otherwise, whoever the user is), and what the guard withheld
 * (which tells a minor's list from an adult's) is shown to the user's own token only.
 */
export function recommendationsRoute(deps: RecommendationsDeps): Hono<{ Variables: JwtVariables }> {
  const pattern = deps.userIdPattern ?? defaultUserIdPattern;
  const route = new Hono<{ Variables: JwtVariables }>();
  return route.get('/v1/users/:userId/recommendations', jwtAuth(deps.auth), async (c) => {
    const start = performance.now();
    const userId = c.req.param('userId');
    if (!isUserId(userId) || !pattern.test(userId))
      return problem(c, 400, 'Bad Request', 'userId must be a user id (digits).');
    const claims = c.get('claims');
    if (!mayActFor(claims, userId)) {
      deps.auth.onReject?.('forbidden');
      return problem(c, 403, 'Forbidden', "A token may read only its own subject's recommendations.");
    }
    const parsed = query.safeParse({ limit: c.req.query('limit') });
    if (!parsed.success) return problem(c, 400, 'Bad Request', 'limit must be an integer from 1 to 100.');
    const rec = await servedList(deps, userId, parsed.data.limit);
    deps.outcomes?.inc({ source: rec.source });
    const recording = tracer().startSpan(spans.apiServedRecord);
    deps.served.record({
      userId,
      items: rec.items.map((i) => i.movieId),
      latencyMs: performance.now() - start,
      arm: rec.arm,
      ...(rec.modelVersion !== null && { modelVersion: rec.modelVersion }),
    });
    recording.end();
    const items = rec.items.map((item) => ({
      movieId: item.movieId,
      title: item.movie?.title ?? null,
      genres: item.movie?.genres ?? [],
      score:
        item.score === null
          ? null
          : noisyScore(deps.noiseSecret, userId, item.movieId, item.score, deps.noise),
      reasons: item.reasons,
    }));
    c.header('X-Model-Version', rec.modelVersion ?? 'none');
    c.header('X-AB-Arm', rec.arm);
    return c.json({
      userId,
      modelVersion: rec.modelVersion,
      arm: rec.arm,
      source: rec.source,
      withheld: claims.sub === userId ? (rec.withheld ?? null) : null,
      items,
    });
  });
}
