import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { appFixture, fixtureSecret } from '../../../test/support/app-fixture.ts';

const now = Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const sign = (claims: object, key = fixtureSecret, options: jwt.SignOptions = {}) =>
  jwt.sign({ sub: '42', iat: now, ...claims }, key, { algorithm: 'HS256', ...options });
const valid = sign({ exp: now + 600 });
const [h, , sig] = valid.split('.');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function post(
  app: ReturnType<typeof appFixture>['app'],
  token: string | null,
  body: object = { userId: '42', movieId: 'toy+story+1995', rating: 4 },
  key = 'key-00000001',
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': key };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  return app.request('/v1/ratings', { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('POST /v1/ratings authentication', () => {
  const table: [string, string | null, number][] = [
    ['missing', null, 401],
    ['malformed', 'not-a-jwt', 401],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: '42', exp: now + 600 })}.`, 401],
    ['signed with the wrong key', sign({ exp: now + 600 }, 'another-secret-that-is-at-least-32-chars'), 401],
    ['expired', sign({ exp: now - 60 }), 401],
    ['not yet valid', sign({ nbf: now + 600, exp: now + 1200 }), 401],
    [
      'tampered payload',
      `${h}.${b64({ sub: '42', iat: now, exp: now + 600, roles: ['admin'] })}.${sig}`,
      401,
    ],
    ['RS256 from an unknown key', jwt.sign({ sub: '42' }, privatePem, { algorithm: 'RS256' }), 401],
    ['for another subject', sign({ sub: '7', exp: now + 600 }), 403],
    ['valid', valid, 202],
    ['an admin rating for someone else', sign({ sub: 'ops', roles: ['admin'], exp: now + 600 }), 202],
    ['a service rating for someone else', sign({ sub: 'ingest', role: 'service', exp: now + 600 }), 202],
  ];
  for (const [name, token, status] of table) {
    it(`answers ${status} to a token that is ${name}`, async () => {
      const { app, published } = appFixture();
      const res = await post(app, token);
      expect(res.status).toBe(status);
      expect(published).toHaveLength(status === 202 ? 1 : 0);
      if (status !== 202) {
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(await res.text()).not.toMatch(/at .*\.ts|Error:/);
      }
    });
  }

  it('with an RS256 public key accepts RS256 and rejects an HS256 token keyed with that public key', async () => {
    const { app } = appFixture({
      ratings: { ...baseRatings(), auth: { publicKey: publicPem } },
    });
    expect(
      (await post(app, jwt.sign({ sub: '42', exp: now + 600 }, privatePem, { algorithm: 'RS256' }))).status,
    ).toBe(202);
    const confused = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: '42', exp: now + 600 })}`;
    const mac = createHmac('sha256', publicPem).update(confused).digest('base64url');
    expect((await post(app, `${confused}.${mac}`)).status).toBe(401);
  });
});

function baseRatings() {
  return {
    publish: async () => undefined,
    claimKey: async () => true,
    releaseKey: async () => undefined,
  };
}

describe('POST /v1/ratings body and idempotency', () => {
  it('publishes one event when the same idempotency key is posted twice, answering 202 with one id', async () => {
    const { app, published } = appFixture();
    const first = await post(app, valid);
    const second = await post(app, valid);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(await second.json()).toEqual(await first.json());
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      type: 'rate',
      userId: '42',
      movieId: 'toy+story+1995',
      rating: 4,
      source: 'api',
    });
  });

  it('rejects a missing idempotency key, a bad body and a body too large, as problem+json', async () => {
    const { app, published } = appFixture();
    expect((await post(app, valid, undefined, '')).status).toBe(400);
    expect((await post(app, valid, { userId: '42', movieId: 'x', rating: 6 })).status).toBe(422);
    expect((await post(app, valid, { userId: '42', movieId: 'x', rating: 3, extra: 1 })).status).toBe(422);
    for (const movieId of ['a\u0000b', '../../etc/passwd', 'a\u2028b'])
      expect((await post(app, valid, { userId: '42', movieId, rating: 3 })).status).toBe(422);
    const big = await post(app, valid, { userId: '42', movieId: 'x'.repeat(20_000), rating: 3 });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toBe('application/problem+json');
    expect(published).toHaveLength(0);
  });
});
