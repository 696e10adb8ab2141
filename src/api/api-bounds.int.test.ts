import { createServer, connect, type Server } from 'node:net';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { unpackText } from '../../streams/event-pack.ts';
import { createTestScope } from '../../test/isolation.ts';
import { syntheticServingModel } from '../../test/support/synthetic-model.ts';
import { generateSyntheticWorld } from '../data/synthetic-world.ts';
import { publishModel } from '../store/model-store.ts';
import { sleep } from '../lib/time.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { startApi, type RunningApi } from './start-api.ts';

const scope = createTestScope('api-bounds');
const secret = 'integration-secret-at-least-32-characters!';
const broker = scope.config.kafka.brokers[0] as string;
let proxy: Server | undefined;
let proxyPort = 0;
let api: RunningApi | undefined;
let base = '';

/** A TCP relay to the real broker on a port of its own: closed, Kafka looks down; opened, it is up. */
async function openProxy(port: number): Promise<number> {
  const [host, brokerPort] = broker.split(':') as [string, string];
  proxy = createServer((client) => {
    const upstream = connect(Number(brokerPort), host);
    client.pipe(upstream).pipe(client);
    const close = () => (client.destroy(), upstream.destroy());
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => proxy?.listen(port, '127.0.0.1', resolve));
  const address = proxy.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

beforeAll(async () => {
  // A free port, then closed: the API starts while nothing answers there.
  proxyPort = await openProxy(0);
  await new Promise((resolve) => proxy?.close(resolve));
  await scope.createTopic('user-events', 1);
  await scope.createTopic('served', 1);
  const world = generateSyntheticWorld({ users: 50, movies: 200, ratings: 1000, seed: 3 });
  const { artifact, movies } = syntheticServingModel(world, 8);
  const redis = scope.redis();
  await publishModel(redis, redisKeys(scope.config.redis.keyPrefix), artifact, { movies, version: '1' });
  const config = loadConfig({ ...scope.env, KAFKA_BROKERS: `127.0.0.1:${proxyPort}`, JWT_SECRET: secret });
  api = await startApi(config, {
    port: 0,
    log: () => undefined,
    limits: { maxConnections: 4, headersTimeoutMs: 1_000 },
  });
  base = `http://127.0.0.1:${api.port}`;
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await new Promise((resolve) => (proxy?.listening ? proxy.close(resolve) : resolve(undefined)));
  await scope.cleanup();
}, 120_000);

const rate = (key: string) =>
  fetch(`${base}/v1/ratings`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${jwt.sign({ sub: '9', exp: Math.floor(Date.now() / 1000) + 600 }, secret)}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify({ userId: '9', movieId: 'toy+story+1995', rating: 4 }),
  });

describe('the API when Kafka was down at its start', () => {
  it('answers ratings 503 until Kafka comes up, then connects by itself and publishes them', async () => {
    expect((await rate('down-at-start-1')).status).toBe(503);
    expect((await fetch(`${base}/recommend/3`)).status).toBe(200);
    // Longer than kafkajs's own connection retries (≈ 7.5 s): a single attempt at start gives up.
    await sleep(12_000);
    expect((await rate('down-at-start-1')).status).toBe(503);
    await openProxy(proxyPort);
    await expect
      .poll(async () => (await rate('down-at-start-2')).status, { timeout: 60_000, interval: 500 })
      .toBe(202);
    // The first key was released with its 503: its retry goes through now.
    expect((await rate('down-at-start-1')).status).toBe(202);
    const consumer = scope.kafka.consumer({ groupId: scope.groupId('observer') });
    const ratings: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${scope.config.kafka.topicPrefix}user-events`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        for (const line of unpackText(message.value)) if (line.includes('"rate"')) ratings.push(line);
      },
    });
    await expect.poll(() => ratings.length, { timeout: 20_000 }).toBe(2);
    await consumer.disconnect();
  }, 120_000);
});

describe('the API server bounds', () => {
  /** A raw connection that sends half a request and never the rest; resolves with when it closed. */
  const halfRequest = (t0: number) =>
    new Promise<number>((resolve) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1', () =>
        socket.write('GET /recommend/1 HTTP/1.1\r\nHost: x\r\n'),
      );
      socket.on('error', () => undefined);
      socket.resume(); // read the server's 408 and its FIN, or 'close' never comes
      socket.once('close', () => resolve(Date.now() - t0));
    });

  it('closes connections past its cap at once and clients that never finish their headers soon after', async () => {
    const t0 = Date.now();
    // Cap 4: of 6 connections at least 2 are refused at once; the rest time out on their headers.
    const closedAfter = (await Promise.all(Array.from({ length: 6 }, () => halfRequest(t0)))).sort(
      (a, b) => a - b,
    );
    expect(closedAfter[1]).toBeLessThan(800);
    expect(closedAfter[5]).toBeGreaterThanOrEqual(900);
    expect(closedAfter[5]).toBeLessThan(5_000);
    expect((await fetch(`${base}/recommend/3`)).status).toBe(200);
  }, 30_000);
});
