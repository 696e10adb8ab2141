/**
 * The tokens the fuzzer sends on secured operations: the subject's own, another's, privileged ones,
 * expired, without `exp`, too long-lived, unsigned (`alg: none`), signed with another key, garbage,
 * or none at all.
 */
import fc from 'fast-check';
import jwt from 'jsonwebtoken';

/** How the fuzzer signs tokens (the API's HS256 secret). */
export interface FuzzAuth {
  readonly secret: string;
}

/** Which token a request carries. */
export type TokenKind =
  | 'own'
  | 'other'
  | 'service'
  | 'admin'
  | 'expired'
  | 'no-exp'
  | 'too-long'
  | 'alg-none'
  | 'wrong-key'
  | 'garbage'
  | 'missing';
/** Token kinds, the subject's own most often. */
export const tokenKinds: fc.Arbitrary<TokenKind> = fc.constantFrom(
  'own',
  'own',
  'own',
  'other',
  'service',
  'admin',
  'expired',
  'no-exp',
  'too-long',
  'alg-none',
  'wrong-key',
  'garbage',
  'missing',
);

/** A token of `kind` for subject `sub` (undefined: send none). */
export function token(kind: TokenKind, sub: string, auth: FuzzAuth, garbage: string): string | undefined {
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: object, key = auth.secret) =>
    jwt.sign({ sub, iat: now, exp: now + 600, ...claims }, key, { algorithm: 'HS256' });
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  switch (kind) {
    case 'own':
      return sign({});
    case 'other':
      return sign({ sub: `${sub}7` });
    case 'service':
      return sign({ sub: 'relay', roles: ['service'] });
    case 'admin':
      return sign({ sub: 'ops', role: 'admin' });
    case 'expired':
      return sign({ iat: now - 7_200, exp: now - 3_600 });
    case 'no-exp':
      return jwt.sign({ sub }, auth.secret, { algorithm: 'HS256' });
    case 'too-long':
      return sign({ exp: now + 90 * 86_400 });
    case 'alg-none':
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, exp: now + 600, roles: ['admin'] })}.`;
    case 'wrong-key':
      return sign({}, 'not-the-secret-but-long-enough-to-sign-with');
    case 'garbage':
      return garbage;
    case 'missing':
      return undefined;
  }
}
