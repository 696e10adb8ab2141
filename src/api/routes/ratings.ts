import { Hono } from 'hono';
import { z } from 'zod';
import { eventIdForKey, type RateEvent } from '../../../streams/events.ts';
import { movieIdSchema } from '../../../streams/id-grammar.ts';
import { jwtAuth, type JwtAuthOptions, type JwtVariables } from '../middleware/jwt-auth/index.ts';
import { problem } from '../middleware/problem-json/index.ts';

/** Claims a first use of an idempotency key; false when it was already used. */
export type ClaimKey = (key: string, eventId: string) => Promise<boolean>;

/** What the ratings route needs. */
export interface RatingsDeps {
  readonly auth: JwtAuthOptions;
  readonly publish: (event: RateEvent) => Promise<void>;
  readonly claimKey: ClaimKey;
  /** Frees a claimed key whose event could not be published, so the client's retry goes through. */
  readonly releaseKey: (key: string) => Promise<void>;
  readonly now?: () => number;
}

const body = z.strictObject({
  userId: z.string().regex(/^\d{1,12}$/),
  movieId: movieIdSchema,
  rating: z.number().int().min(1).max(5),
});
const idempotencyKey = z.string().regex(/^[A-Za-z0-9._:-]{8,128}$/);
const privileged = new Set(['admin', 'service']);

/**
 * `POST /v1/ratings`: a rating from an authenticated user (or an admin/service token for anyone),
 * published to `marquee.user-events` with an event id derived from the Idempotency-Key, so a retry
 * is accepted (202, same id) but reaches Kafka once.
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
    if (claims.sub !== parsed.data.userId && !claims.roles.some((r) => privileged.has(r)))
      return problem(c, 403, 'Forbidden', 'A token may rate only for its own subject.');
    const eventId = eventIdForKey(`${claims.sub}\u0000${key.data}`);
    const scoped = `${claims.sub}:${key.data}`;
    // Redis down: publish anyway; the event id is derived from the key, so consumers still dedup it.
    if (await deps.claimKey(scoped, eventId).catch(() => true)) {
      try {
        await deps.publish({ type: 'rate', ...parsed.data, at: now(), eventId, source: 'api' });
      } catch {
        await deps.releaseKey(scoped).catch(() => undefined);
        return problem(
          c,
          503,
          'Service Unavailable',
          'The rating was not recorded; retry with the same key.',
        );
      }
    }
    return c.json({ eventId }, 202);
  });
}
