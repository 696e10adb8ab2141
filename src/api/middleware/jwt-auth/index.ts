import type { MiddlewareHandler } from 'hono';
import jwt from 'jsonwebtoken';
import { problem } from '../problem-json/index.ts';

/** The verified claims a route may rely on. */
export interface Claims {
  readonly sub: string;
  readonly roles: readonly string[];
}

/** Options of {@link jwtAuth}: exactly one of `secret` (HS256) and `publicKey` (RS256). */
export interface JwtAuthOptions {
  readonly secret?: string | undefined;
  readonly publicKey?: string | undefined;
  /** Allowed clock skew, seconds (default 5). */
  readonly clockToleranceSec?: number;
  /** Longest lifetime accepted, seconds: `exp − iat` and `exp − now` (default 86,400). */
  readonly maxAgeSec?: number;
  /** When set, the token's `aud` must name it. */
  readonly audience?: string | undefined;
  /** When set, the token's `iss` must be it. */
  readonly issuer?: string | undefined;
  /** Hears each refused token's reason (for the attack counters; the client is never told it). */
  readonly onReject?: ((reason: AuthFailure) => void) | undefined;
}

/**
 * Why a request was refused, a bounded set (a metric label): no or unparsable bearer token, a bad
 * signature or algorithm, expired or not yet valid, claims that fail (sub, exp, lifetime, aud, iss),
 * or a valid token acting for another subject.
 */
export type AuthFailure = 'missing' | 'malformed' | 'signature' | 'expired' | 'claims' | 'forbidden';

/** The {@link AuthFailure} of an error thrown by `jwt.verify`. */
function verifyFailure(error: unknown): AuthFailure {
  if (error instanceof jwt.TokenExpiredError || error instanceof jwt.NotBeforeError) return 'expired';
  const message = error instanceof Error ? error.message : '';
  if (/audience|issuer|subject|jwtid/i.test(message)) return 'claims';
  if (/malformed|unexpected token|invalid token/i.test(message)) return 'malformed';
  return 'signature';
}

/** Context variables set by {@link jwtAuth}. */
export interface JwtVariables {
  claims: Claims;
}

/** Roles that may act for any user (rate for them, read their lists). */
export const privilegedRoles: ReadonlySet<string> = new Set(['admin', 'service']);

/** True when `claims` may act for `userId`: its own subject, or a privileged role. */
export function mayActFor(claims: Claims, userId: string): boolean {
  return claims.sub === userId || isPrivileged(claims);
}

/** True when `claims` carry a role that may act for any user. */
export function isPrivileged(claims: Claims): boolean {
  return claims.roles.some((r) => privilegedRoles.has(r));
}

/**
 * Bearer-token authentication. The algorithm is fixed by the configured key (never read from the
 * token, so `alg: none` and HS/RS confusion fail); `exp` is required and a token may live at most
 * `maxAgeSec` (a leaked token without expiry would be good forever), not-before is enforced, and
 * audience and issuer when configured. Every failure is a 401 that does not say which check failed.
 */
export function jwtAuth(options: JwtAuthOptions): MiddlewareHandler<{ Variables: JwtVariables }> {
  const key = options.publicKey ?? options.secret;
  if (key === undefined)
    throw new Error('jwtAuth needs JWT_SECRET or JWT_PUBLIC_KEY; refusing to start without one');
  const algorithms: jwt.Algorithm[] = options.publicKey === undefined ? ['HS256'] : ['RS256'];
  const clockTolerance = options.clockToleranceSec ?? 5;
  const maxAgeSec = options.maxAgeSec ?? 86_400;
  const verifyOptions: jwt.VerifyOptions = {
    algorithms,
    clockTolerance,
    ...(options.audience !== undefined && { audience: options.audience }),
    ...(options.issuer !== undefined && { issuer: options.issuer }),
  };
  return async function authenticated(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*\.[A-Za-z0-9_=-]*)$/.exec(header);
    const unauthorized = (reason: AuthFailure) => {
      options.onReject?.(reason);
      return problem(c, 401, 'Unauthorized', 'Send a valid bearer token.', { 'WWW-Authenticate': 'Bearer' });
    };
    if (match === null) return unauthorized(header === '' ? 'missing' : 'malformed');
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(match[1] as string, key, verifyOptions);
    } catch (error) {
      return unauthorized(verifyFailure(error));
    }
    if (typeof payload === 'string' || typeof payload.sub !== 'string' || payload.sub === '')
      return unauthorized('claims');
    const { exp, iat } = payload;
    const nowSec = Date.now() / 1000;
    if (typeof exp !== 'number' || exp - nowSec > maxAgeSec + clockTolerance) return unauthorized('claims');
    if (iat !== undefined && (typeof iat !== 'number' || exp - iat > maxAgeSec))
      return unauthorized('claims');
    const raw: unknown = payload['roles'] ?? payload['role'];
    const roles = (Array.isArray(raw) ? raw : [raw]).filter((r): r is string => typeof r === 'string');
    c.set('claims', { sub: payload.sub, roles });
    await next();
  };
}
