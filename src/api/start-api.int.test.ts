import jwt from 'jsonwebtoken';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackText } from '../../streams/event-pack.ts';
import { userEventSchema, type UserEvent } from '../../streams/events.ts';
import { createTestScope } from '../../test/isolation.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { publishModel } from '../store/model-store.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { syntheticServingModel } from '../../test/support/synthetic-model.ts';
import { servesCatalogue } from '../../test/support/course-stack.ts';
import { startApi, type RunningApi } from './start-api.ts';

const scope = createTestScope('start-api');
const secret = 'integration-secret-at-least-32-characters!';
const config = {
  ...scope.config,
  secrets: { jwtSecret: secret, jwtPublicKey: undefined, noiseSecret: 'noise-secret-1234' },
  auth: { ...scope.config.auth, ratingQuota: 3 },
};
const keys = redisKeys(config.redis.keyPrefix);
const redis = scope.redis();
const received: UserEvent[] = [];
const servedOn = new Set<string>();
let api: RunningApi;
let consumer: Consumer;
let base: string;
let described = 0;

beforeAll(async () => {
  const served = await scope.createTopic('served', 1);
  const userEvents = await scope.createTopic('user-events', 1);
  const world = generateSyntheticWorld({ users: 100, movies: 300, ratings: 2000, seed: 8 });
  const { artifact, movies } = syntheticServingModel(world, 8);
  await publishModel(redis, keys, artifact, { movies, version: '7' });
  described = movies.length;
  api = await startApi(config, { port: 0, log: () => undefined });
  base = `http://127.0.0.1:${api.port}`;
  consumer = scope.kafka.consumer({ groupId: scope.groupId('observer') });
  await consumer.connect();
  await consumer.subscribe({ topics: [served, userEvents], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      // Served lists leave in packs (one record per partition per batch), as on every events topic.
      for (const json of unpackText(message.value)) {
        const event = userEventSchema.parse(JSON.parse(json));
        if (event.type === 'served') servedOn.add(topic);
        received.push(event);
      }
    },
  });
});
afterAll(async () => {
  await consumer?.disconnect();
  await api?.stop();
  await scope.cleanup();
});

describe('marquee api, started for real', () => {
  it('becomes ready with the model, Redis and Kafka reachable', async () => {
    await expect
      .poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 30_000, interval: 250 })
      .toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('publishes every served list to marquee.served and the user events, and counts it into the served leaderboard', async () => {
    const res = await fetch(`${base}/recommend/3`);
    const items = (await res.text()).split(',');
    expect(items).toHaveLength(20);
    await expect
      .poll(() => received.find((e) => e.type === 'served' && e.userId === '3'), { timeout: 20_000 })
      .toMatchObject({
        type: 'served',
        userId: '3',
        items,
        arm: 'b',
        modelVersion: '7',
        observedBy: 'server',
        status: 200,
      });
    await expect.poll(() => servedOn.size, { timeout: 20_000 }).toBe(2);
    // The leaderboard's counts are summed over a second before they are written.
    await expect
      .poll(async () => Number(await redis.zscore(keys.leaderboard('served'), items[0] as string)), {
        timeout: 5_000,
      })
      .toBeGreaterThanOrEqual(1);
  });

  it('puts a rating on Kafka once when posted twice with the same idempotency key, and refuses the key with another body', async () => {
    const token = jwt.sign({ sub: '12' }, secret, { algorithm: 'HS256', expiresIn: 60 });
    const post = (rating = 5) =>
      fetch(`${base}/v1/ratings`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': 'rate-twice-0001',
        },
        body: JSON.stringify({ userId: '12', movieId: 'toy+story+1995', rating }),
      });
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(202);
    expect((await post(1)).status).toBe(409);
    await expect.poll(() => received.filter((e) => e.type === 'rate').length, { timeout: 20_000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(received.filter((e) => e.type === 'rate')).toHaveLength(1);
  });

  it('keeps the daily rating quota per subject in Redis: the fourth new rating of the day is a 429', async () => {
    const token = jwt.sign({ sub: '13' }, secret, { algorithm: 'HS256', expiresIn: 60 });
    const post = (n: number) =>
      fetch(`${base}/v1/ratings`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': `quota-key-${n}`,
        },
        body: JSON.stringify({ userId: '13', movieId: `movie+${n}`, rating: 4 }),
      });
    const statuses = [];
    for (const n of [1, 2, 3, 4]) statuses.push((await post(n)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    expect((await post(1)).status).toBe(202); // a retry of a recorded rating costs nothing
    const day = new Date().toISOString().slice(0, 10);
    expect(await redis.get(keys.ratingQuota('sub:13', day))).toBe('3');
    expect(await redis.ttl(keys.ratingQuota('sub:13', day))).toBeGreaterThan(86_400);
  });

  it('serves latency by route and status, outcomes and availability on /metrics, and the OpenAPI document', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(
      /marquee_http_request_duration_seconds_bucket\{.*route="\/recommend\/:userId".*status="200"/,
    );
    expect(text).toMatch(/marquee_recommend_outcomes_total\{source="personal"/);
    expect(text).toMatch(/marquee_recommend_availability_ratio\{role="api"\} 1/);
    // What it serves from: the version and its titles with metadata (check:course waits on these).
    expect(described).toBeGreaterThan(0);
    expect(servesCatalogue(text, '7', described)).toBe(true);
    expect(servesCatalogue(text, '7', described + 1)).toBe(false);
    expect(servesCatalogue(text, '8', 0)).toBe(false);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: object };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/users/{userId}/recommendations');
    const missing = await fetch(`${base}/nope`);
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'application/problem+json']);
  });
});
