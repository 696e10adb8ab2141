import { Hono } from 'hono';
import type { ExperimentReport } from '../../experiments/report.ts';
import {
  isPrivileged,
  jwtAuth,
  type JwtAuthOptions,
  type JwtVariables,
} from '../middleware/jwt-auth/index.ts';
import { problem } from '../middleware/problem-json/index.ts';

/** What the experiments route needs. */
export interface ExperimentsDeps {
  readonly auth: JwtAuthOptions;
  /** The report of experiment `id` (a look), or null when there is none. */
  readonly report: (id: string) => Promise<ExperimentReport | null>;
  /** Hears a report that could not be read (Postgres or Redis down, schema not migrated): answered 503. */
  readonly onError?: (error: unknown) => void;
}

/**
 * `GET /v1/experiments/:id`: the report `marquee experiment report` prints, as JSON (admin or service
 * token). Each call is a look at the always-valid test, counted like a CLI report.
 */
export function experimentsRoute(deps: ExperimentsDeps): Hono<{ Variables: JwtVariables }> {
  const route = new Hono<{ Variables: JwtVariables }>();
  return route.get('/v1/experiments/:id', jwtAuth(deps.auth), async (c) => {
    if (!isPrivileged(c.get('claims'))) {
      deps.auth.onReject?.('forbidden');
      return problem(c, 403, 'Forbidden', 'Experiment reports need an admin token.');
    }
    const id = c.req.param('id');
    if (!/^\d{1,18}$/.test(id))
      return problem(c, 400, 'Bad Request', 'id must be an experiment id (digits).');
    let report: ExperimentReport | null;
    try {
      report = await deps.report(id);
    } catch (error) {
      deps.onError?.(error);
      c.header('Retry-After', '5');
      return problem(c, 503, 'Service Unavailable', 'The experiment store cannot be read now; retry later.');
    }
    if (report === null) return problem(c, 404, 'Not Found', `No experiment ${id}.`);
    return c.json(report);
  });
}
