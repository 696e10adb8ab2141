/**
 * The API's attack telemetry (docs/threat-model.md): throttled requests, refused tokens by reason and
 * reused idempotency keys, as counters with bounded labels, so a burst shows on /metrics and the
 * alert rules can fire on it. Names in otel/names.ts.
 */
import { Counter, type Registry } from 'prom-client';
import { metrics } from '../../otel/names.ts';
import type { AuthFailure } from './middleware/jwt-auth/index.ts';
import type { IdempotencyOutcome } from './routes/ratings.ts';

/** The hooks the middleware and routes call. */
export interface AttackMetrics {
  throttled(route: 'v1' | 'recommend'): void;
  authFailure(reason: AuthFailure): void;
  idempotency(outcome: IdempotencyOutcome): void;
}

const AUTH_FAILURES: readonly AuthFailure[] = [
  'missing',
  'malformed',
  'signature',
  'expired',
  'claims',
  'forbidden',
];
const OUTCOMES: readonly IdempotencyOutcome[] = ['replay', 'conflict', 'in_flight'];

/** Registers the counters on `registry`, every label value at 0, so a rate() sees the first burst. */
export function createAttackMetrics(registry: Registry): AttackMetrics {
  const throttled = new Counter({
    name: metrics.apiThrottled,
    help: 'Requests answered 429 by the per-IP throttle, by route group',
    labelNames: ['route'],
    registers: [registry],
  });
  const auth = new Counter({
    name: metrics.apiAuthFailures,
    help: 'Requests refused 401/403 by the bearer-token check, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const idempotency = new Counter({
    name: metrics.apiIdempotency,
    help: 'Rating requests whose Idempotency-Key was already held: replay (202, nothing published), conflict (409), in_flight (503)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const route of ['v1', 'recommend']) throttled.inc({ route }, 0);
  for (const reason of AUTH_FAILURES) auth.inc({ reason }, 0);
  for (const outcome of OUTCOMES) idempotency.inc({ outcome }, 0);
  return {
    throttled: (route) => throttled.inc({ route }),
    authFailure: (reason) => auth.inc({ reason }),
    idempotency: (outcome) => idempotency.inc({ outcome }),
  };
}
