import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { appFixture, fixtureSecret, memoryQuota } from '../../../test/support/app-fixture.ts';

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
    ['without exp', sign({}), 401],
    [
      'without exp or iat',
      jwt.sign({ sub: '42' }, fixtureSecret, { algorithm: 'HS256', noTimestamp: true }),
      401,
    ],
    ['valid for longer than the maximum age', sign({ exp: now + 2 * 86_400 }), 401],
    ['issued long ago with a long life', sign({ iat: now - 3 * 86_400, exp: now + 600 }), 401],
    [
      'valid far ahead without iat',
      jwt.sign({ sub: '42', exp: now + 400 * 86_400 }, fixtureSecret, { noTimestamp: true }),
      401,
    ],
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
    claimKey: async () => null,
    completeKey: async () => undefined,
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

describe('POST /v1/ratings when a dependency fails', () => {
  it('answers 503 and publishes nothing when the key store cannot be reached', async () => {
    const { app, published } = appFixture({
      ratings: {
        ...baseRatings(),
        auth: { secret: fixtureSecret },
        claimKey: async () => {
          throw new Error('redis down');
        },
      },
    });
    const res = await post(app, valid);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(published).toHaveLength(0);
  });

  it('answers 503 and releases the key when publishing fails, so the retry publishes once', async () => {
    const keys = new Map<string, string>();
    const published: unknown[] = [];
    let kafkaUp = false;
    const { app } = appFixture({
      ratings: {
        auth: { secret: fixtureSecret },
        publish: async (event) => {
          if (!kafkaUp) throw new Error('kafka down');
          published.push(event);
        },
        claimKey: async (key, record) => {
          const held = keys.get(key) ?? null;
          if (held === null) keys.set(key, record);
          return held;
        },
        completeKey: async (key, record) => void keys.set(key, record),
        releaseKey: async (key) => void keys.delete(key),
      },
    });
    expect((await post(app, valid)).status).toBe(503);
    expect(keys.size).toBe(0);
    kafkaUp = true;
    expect((await post(app, valid)).status).toBe(202);
    expect((await post(app, valid)).status).toBe(202);
    expect(published).toHaveLength(1);
  });

  it('never answers 202 for a rating that was not published, even when releasing its key failed', async () => {
    const keys = new Map<string, string>();
    let attempts = 0;
    const { app, published } = appFixture({
      ratings: {
        ...baseRatings(),
        auth: { secret: fixtureSecret },
        publish: async () => {
          attempts++;
          throw new Error('kafka down');
        },
        claimKey: async (key, record) => {
          const held = keys.get(key) ?? null;
          if (held === null) keys.set(key, record);
          return held;
        },
        releaseKey: async () => {
          throw new Error('redis down');
        },
      },
    });
    expect((await post(app, valid)).status).toBe(503);
    const retry = await post(app, valid);
    expect(retry.status).toBe(503);
    expect(attempts).toBe(1);
    expect(published).toHaveLength(0);
  });

  it('answers 409 to a key reused with a different body, and 202 to the same body', async () => {
    const { app, published } = appFixture();
    expect((await post(app, valid)).status).toBe(202);
    const other = await post(app, valid, { userId: '42', movieId: 'toy+story+1995', rating: 2 });
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect((await post(app, valid)).status).toBe(202);
    expect(published).toHaveLength(1);
  });
});

describe('POST /v1/ratings daily quota per subject', () => {
  const day = 86_400_000;
  function quotaApp(perDay: number, kafka = { up: true }) {
    const quota = memoryQuota(perDay);
    const claimed = new Map<string, string>();
    const published: unknown[] = [];
    let at = 20_000 * day + 3_600_000;
    const { app } = appFixture({
      ratings: {
        auth: { secret: fixtureSecret },
        publish: async (event) => {
          if (!kafka.up) throw new Error('kafka down');
          published.push(event);
        },
        claimKey: async (key, record) => {
          const held = claimed.get(key) ?? null;
          if (held === null) claimed.set(key, record);
          return held;
        },
        completeKey: async (key, record) => void claimed.set(key, record),
        releaseKey: async (key) => void claimed.delete(key),
        quota,
        now: () => at,
      },
    });
    return { app, quota, published, claimed, nextDay: () => (at += day) };
  }
  const rate = (movieId: string) => ({ userId: '42', movieId, rating: 4 });

  it('answers 429 past the quota with Retry-After until UTC midnight, recording nothing, and renews it the next day', async () => {
    const { app, published, claimed, nextDay } = quotaApp(2);
    expect((await post(app, valid, rate('a'), 'key-a-000001')).status).toBe(202);
    expect((await post(app, valid, rate('b'), 'key-b-000001')).status).toBe(202);
    const over = await post(app, valid, rate('c'), 'key-c-000001');
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toBe('application/problem+json');
    expect(over.headers.get('retry-after')).toBe(String(23 * 3600));
    expect(published).toHaveLength(2);
    expect(claimed.has('42:key-c-000001')).toBe(false);
    nextDay();
    expect((await post(app, valid, rate('c'), 'key-c-000001')).status).toBe(202);
    expect(published).toHaveLength(3);
  });

  it('charges a retry of the same key once, and gives back a rating that could not be published', async () => {
    const kafka = { up: false };
    const { app, quota, published } = quotaApp(2, kafka);
    expect((await post(app, valid, rate('a'), 'key-a-000001')).status).toBe(503);
    kafka.up = true;
    for (let k = 0; k < 3; k++) expect((await post(app, valid, rate('a'), 'key-a-000001')).status).toBe(202);
    expect([...quota.used.values()]).toEqual([1]);
    expect((await post(app, valid, rate('b'), 'key-b-000001')).status).toBe(202);
    expect((await post(app, valid, rate('c'), 'key-c-000001')).status).toBe(429);
    expect(published).toHaveLength(2);
  });

  it('keeps one subject from spending the quota of another; a service token is charged per user it rates for', async () => {
    const { app, quota } = quotaApp(1);
    const service = sign({ sub: 'relay', roles: ['service'], exp: now + 600 });
    const other = sign({ sub: '7', exp: now + 600 });
    expect((await post(app, valid, rate('a'), 'key-a-000001')).status).toBe(202);
    expect((await post(app, valid, rate('b'), 'key-b-000001')).status).toBe(429);
    expect((await post(app, other, { userId: '7', movieId: 'a', rating: 3 }, 'key-a-000001')).status).toBe(
      202,
    );
    expect((await post(app, service, { userId: '8', movieId: 'a', rating: 3 }, 'key-s-000001')).status).toBe(
      202,
    );
    expect((await post(app, service, { userId: '9', movieId: 'a', rating: 3 }, 'key-s-000002')).status).toBe(
      202,
    );
    expect((await post(app, service, { userId: '9', movieId: 'b', rating: 3 }, 'key-s-000003')).status).toBe(
      429,
    );
    expect([...quota.used.keys()].map((k) => k.split('/')[1]).sort()).toEqual([
      'sub:42',
      'sub:7',
      'user:8',
      'user:9',
    ]);
  });

  it('answers 503 and releases the key when the quota store fails', async () => {
    const claimed = new Map<string, string>();
    const { app, published } = appFixture({
      ratings: {
        ...baseRatings(),
        auth: { secret: fixtureSecret },
        claimKey: async (key, record) => {
          const held = claimed.get(key) ?? null;
          if (held === null) claimed.set(key, record);
          return held;
        },
        releaseKey: async (key) => void claimed.delete(key),
        quota: {
          perDay: 5,
          spend: async () => {
            throw new Error('redis down');
          },
          refund: async () => undefined,
        },
      },
    });
    expect((await post(app, valid)).status).toBe(503);
    expect(claimed.size).toBe(0);
    expect(published).toHaveLength(0);
  });
});
