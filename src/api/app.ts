import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import { metrics } from '../../otel/names.ts';
import { createAttackMetrics } from './attack-metrics.ts';
import { healthRoutes, type ReadinessCheck } from './routes/health.ts';
import { liveRoutes, type LiveDeps } from './live/index.ts';
import { problem, problemErrorHandler, problemNotFound } from './middleware/problem-json/index.ts';
import { rateLimit, type RateLimitOptions } from './middleware/rate-limit/index.ts';
import { requestMetrics } from './middleware/request-metrics/index.ts';
import { requestTrace } from './middleware/request-trace/index.ts';
import { openApiRoute } from './openapi/document.ts';
import { experimentsRoute, type ExperimentsDeps } from './routes/experiments.ts';
import { ratingsRoute, type RatingsDeps } from './routes/ratings.ts';
import { recommendationsRoute, type RecommendationsDeps } from './routes/recommendations.ts';
import { recommendRoute } from './routes/course-recommend.ts';

/** Everything the HTTP layer needs; the composition root (start-api.ts) or a test builds it. */
export interface ApiDeps {
  readonly recommendations: Omit<RecommendationsDeps, 'outcomes'>;
  readonly ratings: RatingsDeps;
  /** `GET /v1/experiments/:id`; absent: no route (a test app without Postgres). */
  readonly experiments?: ExperimentsDeps;
  readonly registry: Registry;
  /** The text of a scrape of /metrics, when not the registry's own (workers of one API: all of them). */
  readonly metricsText?: () => Promise<string>;
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
  /** The live coverage page (`/live`), fed by the live signals; absent: no page. */
  readonly live?: LiveDeps;
  /** Throttling of the /v1 routes; the course route is not throttled (the simulator is one IP). */
  readonly rateLimit?: RateLimitOptions;
  /** Origins allowed by CORS on /v1; none (the default) leaves CORS off. */
  readonly corsOrigins?: readonly string[];
  /** Largest request body, bytes (default 16 KiB). */
  readonly maxBodyBytes?: number;
  readonly log?: (error: unknown) => void;
}

/** The Hono app: routes, guards and hygiene middleware; no server, so tests call app.request(). */
export function createApp(deps: ApiDeps): Hono {
  const outcomes = new Counter({
    name: metrics.recommendOutcomes,
    help: 'Served lists by source (personal, cold, fallback)',
    labelNames: ['source'] as const,
    registers: [deps.registry],
  });
  const attack = createAttackMetrics(deps.registry);
  const onReject = attack.authFailure;
  const app = new Hono();
  app.onError(problemErrorHandler({ ...(deps.log && { log: deps.log }) }));
  app.notFound(problemNotFound);
  app.use(requestMetrics({ registry: deps.registry }));
  app.use(requestTrace());
  if (deps.corsOrigins !== undefined && deps.corsOrigins.length > 0)
    app.use('/v1/*', cors({ origin: [...deps.corsOrigins] }));
  if (deps.rateLimit !== undefined)
    app.use('/v1/*', rateLimit({ onThrottled: () => attack.throttled('v1'), ...deps.rateLimit }));
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? 16 * 1024,
      onError: (c) => problem(c, 413, 'Content Too Large', 'Send a smaller body.'),
    }),
  );
  const recommend = {
    ...deps.recommendations,
    auth: { onReject, ...deps.recommendations.auth },
    outcomes,
  };
  app.route('/', recommendRoute(recommend));
  app.route('/', recommendationsRoute(recommend));
  app.route(
    '/',
    ratingsRoute({
      onIdempotency: attack.idempotency,
      ...deps.ratings,
      auth: { onReject, ...deps.ratings.auth },
    }),
  );
  if (deps.experiments !== undefined)
    app.route('/', experimentsRoute({ ...deps.experiments, auth: { onReject, ...deps.experiments.auth } }));
  app.route(
    '/',
    healthRoutes({
      registry: deps.registry,
      checks: deps.readiness,
      ...(deps.metricsText && { metricsText: deps.metricsText }),
    }),
  );
  app.route('/', openApiRoute());
  if (deps.live !== undefined) app.route('/', liveRoutes(deps.live));
  return app;
}
