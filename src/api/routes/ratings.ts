import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { eventIdForKey, type RateEvent } from '../../../streams/events.ts';
import { movieIdSchema } from '../../../streams/id-grammar.ts';
import { budgetDay, quotaSubject, secondsUntilNextDay } from '../../guardrails/rating-budget.ts';
import {
  isPrivileged,
  jwtAuth,
  mayActFor,
  type JwtAuthOptions,
  type JwtVariables,
} from '../middleware/jwt-auth/index.ts';
import { problem } from '../middleware/problem-json/index.ts';

/**
 * Claims an idempotency key: stores `record` for `ttlSec` unless the key is held, and answers the
 * record that holds it (null: claimed now).
 */
export type ClaimKey = (key: string, record: string, ttlSec: number) => Promise<string | null>;

/** What the ratings route needs. */
export interface RatingsDeps {
  readonly auth: JwtAuthOptions;
  readonly publish: (event: RateEvent) => Promise<void>;
  readonly claimKey: ClaimKey;
  /** Replaces a claimed key's record once its event is published. */
  readonly completeKey: (key: string, record: string, ttlSec: number) => Promise<void>;
  /** Frees a claimed key whose event could not be published, so the client's retry goes through. */
  readonly releaseKey: (key: string) => Promise<void>;
  /** The per-subject daily rating quota; absent: none. */
  readonly quota?: RatingQuota;
  readonly now?: () => number;
  /**
   * Hears each request whose Idempotency-Key was already held: a replay of a published rating, a
   * conflict (another body) or one still in flight (the attack counters).
   */
  readonly onIdempotency?: (outcome: IdempotencyOutcome) => void;
}

/** What a request with an already-held Idempotency-Key got (a bounded metric label). */
export type IdempotencyOutcome = 'replay' | 'conflict' | 'in_flight';

/** The daily rating quota's store (Redis in the API; src/guardrails/rating-budget.ts has the rules). */
export interface RatingQuota {
  /** Ratings one subject may record per UTC day (0: no quota). */
  readonly perDay: number;
  /** Counts one rating against `subject` on `day`; false (and nothing counted) when the quota is spent. */
  spend(subject: string, day: string, perDay: number): Promise<boolean>;
  /** Gives back a rating counted by `spend` that was not recorded after all. */
  refund(subject: string, day: string): Promise<void>;
}

const body = z.strictObject({
  userId: z.string().regex(/^\d{1,12}$/),
  movieId: movieIdSchema,
  rating: z.number().int().min(1).max(5),
});
const idempotencyKey = z.string().regex(/^[A-Za-z0-9._:-]{8,128}$/);
/**
 * How long a claim holds while its event is published: longer than a publish can take (kafkajs gives
 * up well within it), so a retry never publishes beside a first attempt still in flight.
 */
const PENDING_SEC = 60;
/** How long a published key answers retries with the same event id. */
const DONE_SEC = 86_400;

/**
 * `POST /v1/ratings`: a rating from an authenticated user (or an admin/service token for anyone),
 * published to `marquee.user-events` with an event id derived from the Idempotency-Key, so a retry
 * is accepted (202, same id) but reaches Kafka once. The key's record says `pending` while the event
 * is being published and `done` after, with a fingerprint of the body: a retry of a published
 * request gets 202 again, a retry while the first is in flight (or whose release failed) gets 503,
 * the key reused with another body gets 409. When the key store or Kafka fails the answer is 503,
 * the key is released, and nothing was published — never a 202 for a rating that went nowhere.
 * A new rating (not a retry) is charged to its subject's daily quota first: past it, the answer is
 * 429 until the next UTC day, with the key released.
 */
export function ratingsRoute(deps: RatingsDeps): Hono<{ Variables: JwtVariables }> {
  const now = deps.now ?? Date.now;
  return new Hono<{ Variables: JwtVariables }>().post('/v1/ratings', jwtAuth(deps.auth), async (c) => {
    const key = idempotencyKey.safeParse(c.req.header('idempotency-key'));
    if (!key.success)
      return problem(c, 400, 'Bad Request', 'Send an Idempotency-Key header (8-128 of A-Z a-z 0-9 . _ : -).');
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return problem(c, 400, 'Bad Request', 'The body must be JSON.');
    }
    const parsed = body.safeParse(json);
    if (!parsed.success)
      return problem(c, 422, 'Unprocessable Content', 'Expected {userId, movieId, rating: 1-5}.');
    const claims = c.get('claims');
    if (!mayActFor(claims, parsed.data.userId)) {
      deps.auth.onReject?.('forbidden');
      return problem(c, 403, 'Forbidden', 'A token may rate only for its own subject.');
    }
    const eventId = eventIdForKey(`${claims.sub}\u0000${key.data}`);
    const scoped = `${claims.sub}:${key.data}`;
    const { userId, movieId, rating } = parsed.data;
    const fingerprint = createHash('sha256')
      .update(`${userId}\u0000${movieId}\u0000${rating}`)
      .digest('hex')
      .slice(0, 32);
    const unavailable = (detail: string) =>
      problem(c, 503, 'Service Unavailable', `${detail} Retry with the same key.`, { 'Retry-After': '1' });
    let held: string | null;
    try {
      held = await deps.claimKey(scoped, `pending:${fingerprint}`, PENDING_SEC);
    } catch {
      return unavailable('The idempotency key could not be checked; nothing was recorded.');
    }
    if (held !== null) {
      const [state, heldFingerprint] = held.split(':');
      const outcome =
        heldFingerprint !== fingerprint ? 'conflict' : state === 'done' ? 'replay' : 'in_flight';
      deps.onIdempotency?.(outcome);
      if (outcome === 'conflict')
        return problem(c, 409, 'Conflict', 'This Idempotency-Key was used with a different body.');
      if (outcome === 'replay') return c.json({ eventId }, 202);
      return unavailable('A request with this Idempotency-Key is still being recorded.');
    }
    const at = now();
    const quota = deps.quota !== undefined && deps.quota.perDay > 0 ? deps.quota : undefined;
    const charged = { subject: quotaSubject(claims.sub, userId, isPrivileged(claims)), day: budgetDay(at) };
    if (quota !== undefined) {
      let spent: boolean;
      try {
        spent = await quota.spend(charged.subject, charged.day, quota.perDay);
      } catch {
        await deps.releaseKey(scoped).catch(() => undefined);
        return unavailable('The rating quota could not be checked; nothing was recorded.');
      }
      if (!spent) {
        await deps.releaseKey(scoped).catch(() => undefined);
        return problem(
          c,
          429,
          'Too Many Requests',
          `This account has recorded its ${quota.perDay} ratings for today (UTC); nothing was recorded.`,
          { 'Retry-After': String(secondsUntilNextDay(at)) },
        );
      }
    }
    try {
      await deps.publish({ type: 'rate', userId, movieId, rating, at, eventId, source: 'api' });
    } catch {
      if (quota !== undefined) await quota.refund(charged.subject, charged.day).catch(() => undefined);
      await deps.releaseKey(scoped).catch(() => undefined);
      return unavailable('The rating was not recorded.');
    }
    // Published: should marking it fail, the pending claim lapses and a late retry publishes again.
    await deps.completeKey(scoped, `done:${fingerprint}`, DONE_SEC).catch(() => undefined);
    return c.json({ eventId }, 202);
  });
}
