/**
 * The Marquee the chaos run attacks: `marquee up --no-services --only stream,sink,api` on private
 * Kafka, Redis and Postgres, in a test scope of its own, serving a small synthetic model (version 1)
 * with popular lists, ready to take load.
 */
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { generateSyntheticWorld, type SyntheticWorld } from '../../../src/data/synthetic-world.ts';
import { waitUntil } from '../../../src/lib/time.ts';
import { publishModel } from '../../../src/store/model-store.ts';
import { writePopularLists } from '../../../src/store/popular-lists.ts';
import { redisKeys } from '../../../src/store/redis-keys.ts';
import { prepareTopics } from '../../../streams/topics.ts';
import { createTestScope, type TestScope } from '../../isolation.ts';
import { spawnUp, type UpProcess } from '../marquee-up-process.ts';
import type { PrivateServices } from '../private-services.ts';
import { callRecommend } from '../recommend-calls.ts';
import { syntheticServingModel } from '../synthetic-model.ts';

/** A started stack; `scope` and `up` are the caller's to stop. */
export interface ChaosStack {
  readonly scope: TestScope;
  readonly up: UpProcess;
  /** The API's base URL. */
  readonly base: string;
  /** The Kafka client id `marquee up` runs under (its ingest group is `<clientId>-ingest`). */
  readonly clientId: string;
  /** The world whose movielog lines the run replays. */
  readonly world: SyntheticWorld;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the stack on `services`; `onStarted` hears the scope and the process as soon as they exist,
 * so the caller can clean them up when a later step fails.
 */
export async function startChaosStack(
  label: string,
  ratings: number,
  services: PrivateServices,
  onStarted: (parts: { scope: TestScope; up?: UpProcess }) => void,
): Promise<ChaosStack> {
  const scope = createTestScope(label, { ...process.env, ...services.env });
  onStarted({ scope });
  const { config } = scope;
  const clientId = `${config.kafka.topicPrefix}marquee`;
  for (const group of ['marquee-ingest', 'marquee-sink', 'user-actors', 'movie-actors']) scope.groupId(group);
  // A broker that just started may answer "does not host this topic-partition" for a moment while
  // it creates them: creating is idempotent, so try again.
  const created = await waitUntil(() => prepareTopics(scope.kafka, config).then(() => true), 60_000, 500);
  if (!created.ok) throw new Error(`topics not created: ${created.lastError ?? 'timeout'}`);
  await scope.postgres();
  const world = generateSyntheticWorld({ users: 300, movies: 400, ratings, seed: 23 });
  const redis = new Redis(config.redis.url);
  try {
    const keys = redisKeys(config.redis.keyPrefix);
    const { artifact, movies } = syntheticServingModel(world, 16);
    await writePopularLists(redis, keys, world);
    await publishModel(redis, keys, artifact, { movies, version: '1' });
  } finally {
    redis.disconnect();
  }
  const port = await freePort();
  const up = spawnUp(['--no-services', '--only', 'stream,sink,api'], {
    ...scope.env,
    KAFKA_CLIENT_ID: clientId,
    API_PORT: String(port),
  });
  onStarted({ scope, up });
  const base = `http://127.0.0.1:${port}`;
  if (!(await up.seen(/^API ready: /m, 90_000)))
    throw new Error(`marquee up did not start:\n${up.output().slice(-3_000)}`);
  for (const role of [/^\[stream\] stream: .* running/m, /^\[sink\] +sink: /m])
    if (!(await up.seen(role, 90_000)))
      throw new Error(`marquee up did not start its roles:\n${up.output().slice(-3_000)}`);
  const loaded = await waitUntil(async () => (await callRecommend(base, '1')).modelVersion === '1', 60_000);
  if (!loaded.ok) throw new Error(`the API never served model 1: ${loaded.lastError ?? 'timeout'}`);
  return { scope, up, base, clientId, world };
}
