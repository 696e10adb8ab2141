import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CourseServicesOptions } from './course-services.ts';
import { createCourseServices, encodeId } from './course-services.ts';

const hits = new Map<string, number>();
let server: Server;
let baseUrl = '';

const movie = (id: string) =>
  JSON.stringify({ id, title: 'Toy Story', adult: 'False', release_date: '1995-10-30' });

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (path === '/user/1') {
      if (n === 1) reply(429, '{}', { 'retry-after': '1' });
      else reply(200, JSON.stringify({ user_id: 1, age: 8, occupation: 'K-12 student', gender: 'M' }));
    } else if (path === '/user/nobody') reply(200, '{"message":"user not found"}');
    else if (path === '/user/down') reply(503, 'unavailable');
    else if (path === '/movie/slow+1999') {
      if (n === 1) setTimeout(() => reply(200, movie('slow+1999')), 3_000);
      else reply(200, movie('slow+1999'));
    } else if (path === '/movie/bad+1999') reply(200, '{"id": "bad+1999", "title": ');
    else if (path === '/movie/toy+story+1995') setTimeout(() => reply(200, movie('toy+story+1995')), 20);
    else reply(404, '{"message":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => hits.clear());

function client(extra: Partial<CourseServicesOptions> = {}) {
  const waits: number[] = [];
  const services = createCourseServices({
    baseUrl,
    // Far above a loopback answer even on a loaded machine; the slow reply (3 s) still overruns it.
    timeoutMs: 1_000,
    retries: 2,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { services, waits };
}

describe('createCourseServices', () => {
  it('retries a 429 after the Retry-After delay and then finds the user', async () => {
    const { services, waits } = client();
    expect(await services.user('1')).toEqual({
      status: 'found',
      value: { userId: '1', age: 8, gender: 'M', occupation: 'K-12 student' },
    });
    expect(hits.get('/user/1')).toBe(2);
    expect(waits).toEqual([1_000]);
  });

  it('aborts a slow response at the timeout and succeeds on the retry', async () => {
    const { services, waits } = client();
    const r = await services.movie('slow+1999');
    expect(r.status).toBe('found');
    expect(hits.get('/movie/slow+1999')).toBe(2);
    expect(waits).toEqual([100]);
  });

  it('gives up on a service that keeps failing, with the reason and attempt count', async () => {
    const { services, waits } = client();
    expect(await services.user('down')).toEqual({ status: 'failed', reason: 'HTTP 503', attempts: 3 });
    expect(waits).toEqual([100, 200]);
  });

  it('reports malformed JSON as a failure without retrying', async () => {
    const { services } = client();
    expect(await services.movie('bad+1999')).toEqual({
      status: 'failed',
      reason: 'malformed JSON',
      attempts: 1,
    });
    expect(hits.get('/movie/bad+1999')).toBe(1);
  });

  it('reports a 404 and a not-found message as not-found', async () => {
    const { services } = client();
    expect(await services.movie('gone+2000')).toEqual({ status: 'not-found' });
    expect(await services.user('nobody')).toEqual({ status: 'not-found' });
  });

  it('caches answers and shares one request between concurrent callers', async () => {
    const { services } = client();
    const [a, b] = await Promise.all([services.movie('toy+story+1995'), services.movie('toy+story+1995')]);
    const c = await services.movie('toy+story+1995');
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    expect(a.status === 'found' && a.value.year).toBe(1995);
    expect(hits.get('/movie/toy+story+1995')).toBe(1);
  });

  it('does not cache failures', async () => {
    const { services } = client({ retries: 0 });
    await services.user('down');
    await services.user('down');
    expect(hits.get('/user/down')).toBe(2);
  });

  it('fails with a network reason when nothing listens', async () => {
    const { services } = client({ baseUrl: 'http://127.0.0.1:1', retries: 1 });
    const r = await services.user('1');
    expect(r.status === 'failed' && r.reason.startsWith('network:') && r.attempts).toBe(2);
  });
});

describe('encodeId', () => {
  it('keeps + between words and percent-encodes the rest', () => {
    expect(encodeId('la+moitié+gauche+du+frigo+2000')).toBe('la+moiti%C3%A9+gauche+du+frigo+2000');
    expect(encodeId('a/b?c')).toBe('a%2Fb%3Fc');
  });
});
