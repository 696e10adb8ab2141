import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metrics } from '../../otel/names.ts';
import { createTestScope } from '../../test/isolation.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { publishModel } from '../store/model-store.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { syntheticServingModel } from '../../test/support/synthetic-model.ts';
import { startApi, type RunningApi } from './start-api.ts';

const scope = createTestScope('attack-metrics');
const secret = 'attack-metrics-secret-at-least-32-chars';
const config = {
  ...scope.config,
  secrets: { jwtSecret: secret, jwtPublicKey: undefined, noiseSecret: 'noise-secret-1234' },
};
let api: RunningApi;
let base: string;

beforeAll(async () => {
  await scope.createTopic('served', 1);
  await scope.createTopic('user-events', 1);
  const world = generateSyntheticWorld({ users: 50, movies: 200, ratings: 1000, seed: 3 });
  const { artifact, movies } = syntheticServingModel(world, 8);
  await publishModel(scope.redis(), redisKeys(config.redis.keyPrefix), artifact, { movies, version: '1' });
  // 30 requests per second per address on /v1: the burst below passes it, the probes before do not.
  api = await startApi(config, { port: 0, ratePoints: 30, rateWindowSec: 1, log: () => undefined });
  base = `http://127.0.0.1:${api.port}`;
});
afterAll(async () => {
  await api?.stop();
  await scope.cleanup();
});

/** The value of one counter series in a Prometheus text exposition (0 when absent). */
function counter(text: string, name: string, label: string, value: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`${label}="${value}"`));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const token = (claims: object, key = secret) =>
  jwt.sign({ sub: '12', ...claims }, key, { algorithm: 'HS256' });
const exp = () => Math.floor(Date.now() / 1000) + 60;

describe('attack telemetry on /metrics', () => {
  it('counts refused tokens by reason, reused idempotency keys and throttled requests', async () => {
    await expect
      .poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 30_000, interval: 250 })
      .toBe(200);
    const before = await (await fetch(`${base}/metrics`)).text();
    for (const reason of ['missing', 'malformed', 'signature', 'expired', 'claims', 'forbidden'])
      expect(counter(before, metrics.apiAuthFailures, 'reason', reason)).toBe(0);
    expect(counter(before, metrics.apiThrottled, 'route', 'v1')).toBe(0);

    const read = (authorization?: string, user = '12') =>
      fetch(`${base}/v1/users/${user}/recommendations`, {
        headers: authorization === undefined ? {} : { authorization },
      });
    const statuses: number[] = [];
    const probes: [string | undefined, string][] = [
      [undefined, 'missing'],
      ['Bearer not-a-token', 'malformed'],
      [`Bearer ${token({ exp: exp() }, 'another-secret-at-least-32-characters!!')}`, 'signature'],
      [`Bearer ${token({ exp: Math.floor(Date.now() / 1000) - 120 })}`, 'expired'],
      [`Bearer ${token({})}`, 'claims'],
    ];
    for (const [authorization] of probes) statuses.push((await read(authorization)).status);
    statuses.push((await read(`Bearer ${token({ exp: exp() })}`, '7')).status);
    // A user's token probing the admin-only experiment reports is refused and counted the same way.
    const report = await fetch(`${base}/v1/experiments/1`, {
      headers: { authorization: `Bearer ${token({ exp: exp() })}` },
    });
    statuses.push(report.status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 403, 403]);

    const rate = (rating: number) =>
      fetch(`${base}/v1/ratings`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token({ exp: exp() })}`,
          'content-type': 'application/json',
          'idempotency-key': 'attack-metrics-0001',
        },
        body: JSON.stringify({ userId: '12', movieId: 'toy+story+1995', rating }),
      });
    expect([(await rate(5)).status, (await rate(5)).status, (await rate(1)).status]).toEqual([202, 202, 409]);

    // A burst from one address: what the throttle refused is what the counter says.
    const valid = `Bearer ${token({ exp: exp() })}`;
    const burst = await Promise.all(Array.from({ length: 60 }, () => read(valid)));
    const refused = burst.filter((r) => r.status === 429).length;
    expect(refused).toBeGreaterThan(0);

    const after = await (await fetch(`${base}/metrics`)).text();
    for (const [, reason] of probes)
      expect(counter(after, metrics.apiAuthFailures, 'reason', reason)).toBe(1);
    expect(counter(after, metrics.apiAuthFailures, 'reason', 'forbidden')).toBe(2);
    expect(counter(after, metrics.apiIdempotency, 'outcome', 'replay')).toBe(1);
    expect(counter(after, metrics.apiIdempotency, 'outcome', 'conflict')).toBe(1);
    expect(counter(after, metrics.apiThrottled, 'route', 'v1')).toBe(refused);
  });
});
