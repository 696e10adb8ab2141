import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../../../test/isolation.ts';
import { redisKeys } from '../../../store/redis-keys.ts';
import { rateLimit } from './index.ts';

const scope = createTestScope('rate-limit');
afterAll(() => scope.cleanup());

function appWith(limiter: RateLimiterRedis) {
  const ip = (c: { req: { header(name: string): string | undefined } }) =>
    c.req.header('x-test-ip') ?? 'none';
  return new Hono().use(rateLimit({ limiter, key: ip })).get('/', (c) => c.text('ok'));
}

describe('per-IP throttling kept in Redis', () => {
  it('answers 429 with Retry-After past the limit, per IP, and recovers after the window', async () => {
    const redis = scope.redis();
    const keyPrefix = redisKeys(scope.config.redis.keyPrefix).rateLimitPrefix();
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points: 3, duration: 1 });
    const app = appWith(limiter);
    const hit = (ip: string) => app.request('/', { headers: { 'x-test-ip': ip } });
    expect([(await hit('a')).status, (await hit('a')).status, (await hit('a')).status]).toEqual([
      200, 200, 200,
    ]);
    const throttled = await hit('a');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.headers.get('content-type')).toBe('application/problem+json');
    expect((await hit('b')).status).toBe(200);
    expect(await redis.keys(`${keyPrefix}*`)).not.toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await hit('a')).status).toBe(200);
  });

  it('keeps throttling from memory when Redis is unreachable instead of failing requests', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, lazyConnect: true });
    dead.on('error', () => undefined);
    const limiter = new RateLimiterRedis({
      storeClient: dead,
      points: 2,
      duration: 1,
      insuranceLimiter: new RateLimiterMemory({ points: 2, duration: 1 }),
    });
    const app = appWith(limiter);
    const statuses = [];
    for (let k = 0; k < 3; k++)
      statuses.push((await app.request('/', { headers: { 'x-test-ip': 'c' } })).status);
    expect(statuses).toEqual([200, 200, 429]);
    dead.disconnect();
  });
});
