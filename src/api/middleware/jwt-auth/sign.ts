import jwt from 'jsonwebtoken';
import type { Config } from '../../../../config/load-config.ts';

/** What a token the API accepts says: its subject, an optional privileged role, its lifetime. */
export interface ApiTokenClaims {
  readonly sub: string;
  readonly role?: string;
  readonly ttlSec: number;
}

/** Why no token can be signed here; the message says where tokens come from instead. */
export class CannotSignToken extends Error {
  override readonly name = 'CannotSignToken';
}

/**
 * A token `jwtAuth` accepts under `config`: HS256 with JWT_SECRET, naming JWT_AUDIENCE and
 * JWT_ISSUER when set. When JWT_PUBLIC_KEY is set the API verifies RS256 against it alone (even with a
 * secret beside it), so only the holder of its private key can sign: CannotSignToken.
 */
export function signApiToken(config: Pick<Config, 'secrets' | 'auth'>, claims: ApiTokenClaims): string {
  const { jwtSecret, jwtPublicKey } = config.secrets;
  if (jwtPublicKey !== undefined)
    throw new CannotSignToken(
      'the API checks tokens against JWT_PUBLIC_KEY (RS256): sign them where its private key is',
    );
  if (jwtSecret === undefined) throw new CannotSignToken('no JWT_SECRET to sign with');
  const { audience, issuer } = config.auth;
  return jwt.sign(
    { sub: claims.sub, ...(claims.role !== undefined && { roles: [claims.role] }) },
    jwtSecret,
    {
      algorithm: 'HS256',
      expiresIn: claims.ttlSec,
      ...(audience !== undefined && { audience }),
      ...(issuer !== undefined && { issuer }),
    },
  );
}
