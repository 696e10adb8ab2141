import { describe, expect, it } from 'vitest';
import { appFixture, bearer, fixtureSecret } from '../../test/support/app-fixture.ts';

const list = {
  items: [
    { movieId: 'a+2000', score: 4.123456, reasons: ['score' as const] },
    { movieId: 'b+2001', score: 3.9, reasons: ['diversify' as const] },
    { movieId: 'c+2002', score: null, reasons: ['popular' as const] },
  ],
};

describe('the JSON recommendations route', () => {
  it('returns the list unperturbed with noisy, rounded scores that repeat exactly across queries', async () => {
    const { app } = appFixture({}, list);
    const get = async () =>
      (
        await app.request('/v1/users/42/recommendations?limit=3', { headers: bearer('42') })
      ).json() as Promise<{
        items: { movieId: string; score: number | null; reasons: string[] }[];
      }>;
    const [first, second] = [await get(), await get()];
    expect(first.items.map((i) => i.movieId)).toEqual(['a+2000', 'b+2001', 'c+2002']);
    expect(second).toEqual(first);
    const score = first.items[0]?.score as number;
    expect(score).not.toBe(4.123456);
    expect(Math.abs(score - 4.123456)).toBeLessThan(0.5);
    expect(Math.round(score * 100) / 100).toBe(score);
    expect(first.items[2]?.score).toBeNull();
    expect(first.items[1]?.reasons).toEqual(['diversify']);
  });

  it('carries the model version and A/B arm in headers and validates limit and user id', async () => {
    const { app } = appFixture({}, { modelVersion: 'v9', arm: 'b' });
    const headers = bearer('7');
    const res = await app.request('/v1/users/7/recommendations', { headers });
    expect([res.headers.get('x-model-version'), res.headers.get('x-ab-arm')]).toEqual(['v9', 'b']);
    expect((await app.request('/v1/users/7/recommendations?limit=0', { headers })).status).toBe(400);
    expect((await app.request('/v1/users/7/recommendations?limit=x', { headers })).status).toBe(400);
    const service = bearer('ops', { roles: ['service'] });
    expect((await app.request('/v1/users/x7/recommendations', { headers: service })).status).toBe(400);
  });

  it('records every served list, from both routes', async () => {
    const { app, served } = appFixture();
    await app.request('/recommend/5');
    await app.request('/v1/users/6/recommendations', { headers: bearer('6') });
    expect(served.map((s) => [s.userId, s.items])).toEqual([
      ['5', ['toy+story+1995']],
      ['6', ['toy+story+1995']],
    ]);
  });
});

describe('who may read the JSON recommendations', () => {
  const withheld = { withheld: { forbidden: 12, seen: 3 } };

  it('needs a bearer token: anonymous and expired tokens get 401 and no list', async () => {
    const { app, served } = appFixture({}, withheld);
    expect((await app.request('/v1/users/42/recommendations')).status).toBe(401);
    const expired = bearer('42', { exp: Math.floor(Date.now() / 1000) - 60 });
    expect((await app.request('/v1/users/42/recommendations', { headers: expired })).status).toBe(401);
    expect(served).toHaveLength(0);
  });

  it("refuses another user's token alike for any user id, revealing nothing about them", async () => {
    const { app, served } = appFixture({}, withheld);
    const answers = await Promise.all(
      ['7', '8', '999999999999'].map(async (id) => {
        const res = await app.request(`/v1/users/${id}/recommendations`, { headers: bearer('42') });
        const { title, detail } = (await res.json()) as { title: string; detail: string };
        return `${res.status} ${title}: ${detail}`;
      }),
    );
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toBe("403 Forbidden: A token may read only its own subject's recommendations.");
    expect(served).toHaveLength(0);
  });

  it("shows what the guard withheld to the user's own token only, not to a service reading for them", async () => {
    const { app } = appFixture({}, withheld);
    const own = (await (
      await app.request('/v1/users/42/recommendations', { headers: bearer('42') })
    ).json()) as { withheld: unknown };
    expect(own.withheld).toEqual({ forbidden: 12, seen: 3 });
    const res = await app.request('/v1/users/42/recommendations', {
      headers: bearer('ops', { roles: ['service'] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { withheld: unknown }).withheld).toBeNull();
  });
});

describe('API hygiene', () => {
  it('answers an unexpected failure with a bare problem+json 500 and no stack trace', async () => {
    const logged: unknown[] = [];
    const { app } = appFixture({
      recommendations: {
        recommend: async () => {
          throw new Error('secret internal detail at /srv/x.ts:12');
        },
        served: { record: () => undefined },
        noiseSecret: 'noise-secret-for-tests',
        noise: { scale: 0.05, decimals: 2 },
        auth: { secret: fixtureSecret },
      },
      log: (e) => logged.push(e),
    });
    const res = await app.request('/v1/users/1/recommendations', { headers: bearer('1') });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.text()).not.toMatch(/secret|\.ts|at /);
    expect(logged).toHaveLength(1);
  });

  it('keeps CORS off unless origins are configured', async () => {
    const preflight = {
      method: 'OPTIONS',
      headers: { origin: 'https://a.example', 'access-control-request-method': 'GET' },
    };
    const off = await appFixture().app.request('/v1/users/1/recommendations', preflight);
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
    const on = await appFixture({ corsOrigins: ['https://a.example'] }).app.request(
      '/v1/users/1/recommendations',
      preflight,
    );
    expect(on.headers.get('access-control-allow-origin')).toBe('https://a.example');
  });

  it('serves the OpenAPI document describing the JSON API', async () => {
    const doc = (await (await appFixture().app.request('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/recommend/{userId}',
      '/v1/experiments/{id}',
      '/v1/ratings',
      '/v1/users/{userId}/recommendations',
    ]);
  });
});
