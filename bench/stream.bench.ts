/**
 * `npm run bench:stream`: the stream actors end to end on this machine, services local (Kafka, Redis
 * and the bench share the 2 cores). Typed user events are produced straight onto user-events while the
 * user and movie actor groups run in this process; ingest is not included.
 *   throughput  events/s from the first event produced to the last movie event committed in Redis,
 *               synthetic world (small: 50k ratings + 132k watches), median of --runs runs
 *   freshness   p50/p99 seconds from a rating entering Kafka to its user's factors committed in Redis,
 *               replay paced at --rate events/s
 *   memory      RSS after 400k ratings spread over 10k and over 200k distinct users, registry bounded
 *               to --max-live actors per kind (passivation keeps memory flat)
 * Options: --runs N (3), --rate R (10000), --factors K (100), --max-live N (20000), --batch-size N
 * (4000), --users a,b (memory phase: 10000,200000), --split (movie actors in a second process: CPU
 * and RSS figures then cover the user actors' process only), --only a,b, --redis single|cluster|both
 * (state in the one Redis, in the local 3-master Redis Cluster of `marquee services up --with
 * redis-cluster`, or both: throughput runs alternate single/cluster and report each median and the
 * median of the paired ratios).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRedisClient, forEachMaster } from '../src/store/redis-client.ts';
import { ensureRedisCluster, LOCAL_CLUSTER_NODES } from '../src/services/redis-cluster-service.ts';
import { servicePaths } from '../src/services/service-paths.ts';
import { loadConfig, type Config } from '../config/load-config.ts';
import { produceUserEvents, userEventsOf } from '../test/support/replay-events.ts';
import { waitForCaughtUp } from '../test/support/stream-checks.ts';
import { movieRole, userRole } from '../actors/roles.ts';
import { startStream } from '../actors/stream-runtime.ts';
import { generateSyntheticWorld, SYNTHETIC_SIZES } from '../src/data/synthetic-world.ts';
import { createRandom } from '../src/lib/random.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { eventIdForKey, type UserEvent } from '../streams/events.ts';
import { topicPartitioner } from '../streams/event-pack.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { topicNames } from '../streams/topics.ts';

/** What the replay thread produces: a workload by name, onto a config's user-events topic. */
interface ReplaySpec {
  readonly workload: Workload;
  readonly env: Record<string, string | undefined>;
  readonly rate: number;
}
type Workload = { kind: 'world'; seed: number } | { kind: 'many-users'; users: number; ratings: number };

function workloadEvents(w: Workload): UserEvent[] {
  return w.kind === 'world'
    ? userEventsOf(generateSyntheticWorld({ ...SYNTHETIC_SIZES.small, seed: w.seed }))
    : manyUsers(w.users, w.ratings);
}

/** The replay runs in its own process, as `marquee replay` does; the parent says when to start. */
async function replayProcess(spec: ReplaySpec): Promise<void> {
  const config = loadConfig(spec.env);
  const events = workloadEvents(spec.workload);
  const kafka = createKafka(config, 'bench-replay');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const partitionOf = await topicPartitioner(kafka, topicNames(config).userEvents);
  await producer.connect();
  process.send?.({ user: events.length, movie: events.filter((e) => e.type !== 'served').length });
  await new Promise((resolve) => process.once('message', resolve));
  const started = performance.now();
  const chunk = 2000;
  for (let start = 0; start < events.length; start += chunk) {
    await produceUserEvents(
      producer,
      topicNames(config).userEvents,
      events.slice(start, start + chunk),
      partitionOf,
      chunk,
    );
    const wait = started + ((start + chunk) / spec.rate) * 1000 - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await producer.disconnect();
  process.send?.({ done: true });
}

if (process.argv[2] === '--replay') {
  await replayProcess(JSON.parse(process.argv[3] ?? '{}') as ReplaySpec);
  process.exit(0);
}

/** Records the replay will produce: user events, and the movie events they make. */
interface Expected {
  user: number;
  movie: number;
}

/**
 * Starts the replay process (it generates the workload, so the stream process never holds it and
 * its RSS is the stream's own); resolves once it is ready, with the counts and `go`.
 */
async function startReplay(spec: ReplaySpec): Promise<{ expected: Expected; go: () => Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), ['--replay', JSON.stringify(spec)], {
    execArgv: ['--import', 'tsx'],
  });
  const expected = await new Promise<Expected>((resolve) =>
    child.once('message', (m) => resolve(m as Expected)),
  );
  return {
    expected,
    go: () =>
      new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`replay exited with ${code}`)),
        );
        child.send('go');
      }),
  };
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    rate: { type: 'string', default: '10000' },
    factors: { type: 'string', default: '100' },
    'max-live': { type: 'string', default: '20000' },
    'batch-size': { type: 'string', default: '4000' },
    users: { type: 'string', default: '10000,200000' },
    split: { type: 'boolean', default: false },
    only: { type: 'string', default: 'throughput,freshness,memory' },
    redis: { type: 'string', default: 'single' },
  },
});
type Deployment = 'single' | 'cluster';
const deployments: Deployment[] =
  values.redis === 'both' ? ['single', 'cluster'] : values.redis === 'cluster' ? ['cluster'] : ['single'];
if (!['single', 'cluster', 'both'].includes(values.redis))
  throw new Error('--redis takes single, cluster or both');
const clusterNodes = process.env.REDIS_CLUSTER_NODES?.split(',') ?? [...LOCAL_CLUSTER_NODES];
if (deployments.includes('cluster')) {
  const { home, redis } = loadConfig(process.env);
  await ensureRedisCluster(
    clusterNodes,
    servicePaths(home),
    (line) => console.log(line),
    redis.clusterPassword,
  );
}
const factors = Number(values.factors);
const maxLive = Number(values['max-live']);
const phases = new Set(values.only.split(','));
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

interface Run {
  seconds: number;
  freshness: number[];
  rssMb: number;
  /** After a full GC at the end, the actors still live: what the stream retains. */
  heapAfterGcMb: number;
  rssAfterGcMb: number;
  /** CPU time of this process (the stream; the replay runs elsewhere), µs per user event. */
  cpuPerEvent: number;
  live: number;
  passivations: number;
}

async function cleanup(config: Config): Promise<void> {
  const admin = createKafka(config, 'bench-cleanup').admin();
  await admin.connect();
  const prefix = config.kafka.topicPrefix;
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  await admin.deleteGroups([`${prefix}user-actors`, `${prefix}movie-actors`]).catch(() => undefined);
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
  const redis = createRedisClient(config);
  // On a cluster every master holds some keys, and one UNLINK names keys of one slot only.
  await forEachMaster(redis, async (node) => {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${config.redis.keyPrefix}*`, 'COUNT', 5000);
      if (keys.length > 0) {
        if (config.redis.clusterNodes === undefined) await node.unlink(...keys);
        else await Promise.all(keys.map((key) => node.unlink(key)));
      }
      cursor = next;
    } while (cursor !== '0');
  });
  redis.disconnect();
}

/** A full garbage collection (the flag can be set at run time; `gc` then exists in a new context). */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Starts `marquee stream --only movie` with the run's prefixes; resolves once it runs. */
function startMovieProcess(env: Record<string, string | undefined>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      'bin/marquee.js',
      'stream',
      '--only',
      'movie',
      '--no-model',
      '--factors',
      String(factors),
      '--batch-size',
      values['batch-size'],
    ],
    { env: { ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve) =>
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('running')) resolve(child);
    }),
  );
}

/** Runs the stream over a workload produced at `rate` (Infinity: as fast as possible). */
async function run(
  workload: Workload,
  rate: number,
  deployment: Deployment = deployments[0] as Deployment,
): Promise<Run & { events: number }> {
  const id = randomBytes(4).toString('hex');
  const env = {
    ...process.env,
    TOPIC_PREFIX: `bench.${id}.`,
    REDIS_KEY_PREFIX: `bench:${id}:`,
    REDIS_CLUSTER_NODES: deployment === 'cluster' ? clusterNodes.join(',') : undefined,
  };
  const config = loadConfig(env);
  const freshness: number[] = [];
  // --split: movie actors in a second `marquee stream --only movie` process (scaling by copies).
  const movies = values.split ? await startMovieProcess(env) : undefined;
  const stream = await startStream(config, {
    roles: values.split ? [userRole] : [userRole, movieRole],
    model: { factors },
    registry: { maxLive },
    tasks: { batchSize: Number(values['batch-size']) },
    log: () => undefined,
    onRatingFresh: (s) => freshness.push(s),
  });
  const replay = await startReplay({ workload, env, rate: Number.isFinite(rate) ? rate : 1e12 });
  const redis = createRedisClient(config);
  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 200);
  await Promise.all(stream.roles.map((r) => r.group.joined));
  const started = performance.now();
  const cpu = process.cpuUsage();
  await replay.go();
  const expected = replay.expected;
  await waitForCaughtUp(
    createKafka(config, 'bench'),
    redis,
    redisKeys(config.redis.keyPrefix),
    config,
    600_000,
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const user = stream.roles.find((r) => r.name === 'user')?.registry;
  const cpuPerEvent = ((u) => (u.user + u.system) / expected.user)(process.cpuUsage(cpu));
  fullGc();
  const result = {
    heapAfterGcMb: process.memoryUsage().heapUsed / 2 ** 20,
    rssAfterGcMb: process.memoryUsage().rss / 2 ** 20,
    seconds,
    freshness,
    rssMb: Math.max(rssPeak, process.memoryUsage().rss) / 2 ** 20,
    cpuPerEvent,
    live: user?.size ?? 0,
    passivations: user?.passivations ?? 0,
    events: expected.user,
  };
  await stream.stop();
  if (movies !== undefined) {
    movies.kill('SIGTERM');
    await new Promise((resolve) => movies.once('exit', resolve));
  }
  redis.disconnect();
  await cleanup(config);
  return result;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const median = (xs: number[]) => quantile(xs, 0.5);

/** Ratings spread evenly over `users` distinct users (ids shuffled so users interleave). */
function manyUsers(users: number, ratings: number): UserEvent[] {
  const random = createRandom(users);
  return Array.from({ length: ratings }, (_, j) => ({
    type: 'rate' as const,
    userId: `u${(j * 7919) % users}`,
    movieId: `m${Math.floor(random.next() ** 2 * 5000)}`,
    rating: 1 + random.int(5),
    at: Date.UTC(2024, 0, 1) + j * 1000,
    eventId: eventIdForKey(`many:${users}:${j}`),
  }));
}

const lines: string[] = [];
const say = (line: string) => {
  console.log(line);
  lines.push(line);
};
say(
  `stream bench: ${factors} factors, max ${maxLive} live actors per kind, Node ${process.version}, services local on the same cores`,
);

if (phases.has('throughput')) {
  const workload: Workload = { kind: 'world', seed: 5 };
  const rates = new Map<Deployment, number[]>(deployments.map((d) => [d, []]));
  for (let r = 0; r < Number(values.runs); r++) {
    // Alternate which deployment goes first, so a drift in the machine's load hits both alike.
    const order = r % 2 === 0 ? deployments : [...deployments].reverse();
    for (const deployment of order) {
      const result = await run(workload, Infinity, deployment);
      rates.get(deployment)?.push(result.events / result.seconds);
      say(
        `  throughput run ${r + 1}${deployments.length > 1 ? ` (${deployment} Redis)` : ''}: ${result.events} events in ${result.seconds.toFixed(2)} s = ${Math.round(result.events / result.seconds)} events/s, stream CPU ${result.cpuPerEvent.toFixed(0)} µs/event`,
      );
    }
  }
  for (const [deployment, list] of rates)
    say(
      `throughput${deployments.length > 1 || deployment === 'cluster' ? ` on ${deployment === 'cluster' ? `Redis Cluster (${clusterNodes.length} masters)` : 'one Redis'}` : ''} (median of ${list.length}): ${Math.round(median(list))} user events/s end to end (plus as many movie events)`,
    );
  const single = rates.get('single') ?? [];
  const cluster = rates.get('cluster') ?? [];
  if (single.length > 0 && cluster.length > 0)
    say(
      `cluster / single, median of ${single.length} paired runs: ${median(cluster.map((c, j) => c / (single[j] as number))).toFixed(2)}`,
    );
}

if (phases.has('freshness')) {
  const rate = Number(values.rate);
  const workload: Workload = { kind: 'world', seed: 6 };
  const f = (await run(workload, rate)).freshness;
  say(
    `freshness at ${rate} events/s: p50 ${(median(f) * 1000).toFixed(0)} ms, p99 ${(quantile(f, 0.99) * 1000).toFixed(0)} ms, max ${(quantile(f, 1) * 1000).toFixed(0)} ms over ${f.length} ratings`,
  );
}

if (phases.has('memory')) {
  for (const users of values.users.split(',').map(Number)) {
    const workload: Workload = { kind: 'many-users', users, ratings: 400_000 };
    const result = await run(workload, Infinity);
    say(
      `memory with ${users} distinct users (400k ratings): peak RSS ${result.rssMb.toFixed(0)} MB, after GC heap ${result.heapAfterGcMb.toFixed(0)} MB / RSS ${result.rssAfterGcMb.toFixed(0)} MB, ${result.live} user actors live at the end, ${result.passivations} passivations, ${Math.round(400_000 / result.seconds)} events/s, stream CPU ${result.cpuPerEvent.toFixed(0)} µs/event`,
    );
  }
}
say('done');
process.exit(0);
