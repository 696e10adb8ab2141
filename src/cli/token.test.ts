import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { jwtAuth, type JwtVariables } from '../api/middleware/jwt-auth/index.ts';
import { UsageError } from './command.ts';
import { tokenCommand } from './token.ts';

const secret = 'a-test-secret-that-is-at-least-32-characters';

async function run(args: string[], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await tokenCommand.run(args, {
    env: { MARQUEE_MODE: 'development', JWT_SECRET: secret, NOISE_SECRET: 'noise-secret-1234', ...env },
    out: (l: string) => void out.push(l),
    err: (l: string) => void err.push(l),
  } as never);
  return { code, out, err };
}

describe('marquee token', () => {
  it('signs a token for a user with JWT_SECRET that expires after --ttl and names the audience and issuer', async () => {
    const { code, out } = await run(['--sub', '42', '--ttl', '30m'], {
      JWT_AUDIENCE: 'marquee',
      JWT_ISSUER: 'me',
    });
    expect(code).toBe(0);
    const claims = jwt.verify(out[0] as string, secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: '42', aud: 'marquee', iss: 'me' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(1800);
    expect(claims['roles']).toBeUndefined();
  });

  it('adds an admin or service role', async () => {
    const { out } = await run(['--sub', 'ops', '--role', 'admin']);
    expect((jwt.verify(out[0] as string, secret) as jwt.JwtPayload)['roles']).toEqual(['admin']);
  });

  it('refuses a missing or malformed subject, an unknown role, a bad or too long lifetime', async () => {
    await expect(run([])).rejects.toThrow(new UsageError('--sub USER is required'));
    await expect(run(['--sub', 'a,b'])).rejects.toThrow(/--sub: comma/);
    await expect(run(['--sub', '42', '--role', 'root'])).rejects.toThrow(
      /--role must be one of admin, service/,
    );
    await expect(run(['--sub', '42', '--ttl', 'soon'])).rejects.toThrow(/--ttl: expected a duration/);
    await expect(run(['--sub', '42', '--ttl', '2d'])).rejects.toThrow(
      /longer than JWT_MAX_AGE allows \(86400 s\)/,
    );
  });

  it('refuses when the API checks tokens against JWT_PUBLIC_KEY, with or without a secret beside it', async () => {
    const { publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    for (const JWT_SECRET of [undefined, secret]) {
      const { code, err } = await run(['--sub', '42'], { JWT_SECRET, JWT_PUBLIC_KEY: publicKey });
      expect(code).toBe(1);
      expect(err[0]).toMatch(
        /checks tokens against JWT_PUBLIC_KEY \(RS256\): sign them where its private key is/,
      );
    }
  });

  it('lives 1 h by default, or as long as JWT_MAX_AGE allows when that is shorter', async () => {
    const lifetime = (token: string) => {
      const claims = jwt.decode(token) as jwt.JwtPayload;
      return (claims.exp as number) - (claims.iat as number);
    };
    expect(lifetime((await run(['--sub', '42'])).out[0] as string)).toBe(3600);
    expect(lifetime((await run(['--sub', '42'], { JWT_MAX_AGE: '30m' })).out[0] as string)).toBe(1800);
  });

  it('is accepted by the API’s own token check, for the subject’s routes, under audience and issuer', async () => {
    const env = { JWT_AUDIENCE: 'marquee', JWT_ISSUER: 'me' };
    const config = loadConfig({ MARQUEE_MODE: 'development', JWT_SECRET: secret, ...env });
    const app = new Hono<{ Variables: JwtVariables }>().get('/me', jwtAuth({ ...config.auth, secret }), (c) =>
      c.json(c.get('claims')),
    );
    const { out } = await run(['--sub', '42', '--role', 'service'], env);
    const res = await app.request('/me', { headers: { authorization: `Bearer ${out[0]}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: '42', roles: ['service'] });
  });
});
