/**
 * Observability end to end, against the real Jaeger and Prometheus the test harness runs (global
 * setup: `marquee services up --with jaeger,prometheus`): `marquee up` with two API workers, tracing
 * every request into Jaeger; a rating is one trace from the API through both actors to Redis; a
 * /recommend is one trace with its steps; Prometheus scrapes every role and sees the API's two
 * workers as one.
 */
import { createServer, type AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticWorld } from '../src/data/synthetic-world.ts';
import { waitUntil } from '../src/lib/time.ts';
import { JAEGER_OTLP_URL, JAEGER_QUERY_URL } from '../src/services/jaeger-service.ts';
import { publishModel } from '../src/store/model-store.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { createTestScope } from '../test/isolation.ts';
import { spawnUp, type UpProcess } from '../test/support/marquee-up-process.ts';
import { syntheticServingModel } from '../test/support/synthetic-model.ts';
import { attributes, spans } from './names.ts';

const scope = createTestScope('observability');
const secret = 'observability-secret-at-least-32-characters';
const prefix = scope.config.kafka.topicPrefix;
let up: UpProcess;
let base: string;
const world = generateSyntheticWorld({ users: 50, movies: 200, ratings: 1000, seed: 15 });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Three consecutive free ports (stream, sink, worker). */
async function freePortRun(): Promise<number> {
  for (;;) {
    const first = 20_000 + Math.floor(Math.random() * 20_000);
    const free = await Promise.all(
      [0, 1, 2].map(
        (k) =>
          new Promise<boolean>((resolve) => {
            const s = createServer();
            s.once('error', () => resolve(false));
            s.listen(first + k, '127.0.0.1', () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (free.every(Boolean)) return first;
  }
}

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  duration: number;
  startTime: number;
  processID: string;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

async function jaegerTraces(operation: string, tags: Record<string, string>): Promise<JaegerTrace[]> {
  const query = new URLSearchParams({
    service: 'marquee',
    operation,
    tags: JSON.stringify(tags),
    lookback: '1h',
    limit: '20',
  });
  const response = await fetch(`${JAEGER_QUERY_URL}/api/traces?${query}`);
  if (!response.ok) throw new Error(`jaeger answered ${response.status}`);
  return ((await response.json()) as { data: JaegerTrace[] | null }).data ?? [];
}

const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
const roleOf = (t: JaegerTrace, span: JaegerSpan) =>
  t.processes[span.processID]?.tags.find((tag) => tag.key === attributes.role)?.value;

/** A trace as lines of `name (role) duration`, children indented under their parents. */
function describeTrace(t: JaegerTrace): string {
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of t.spans.filter((x) => parentOf(x) === parent).sort((a, b) => a.startTime - b.startTime)) {
      lines.push(
        `${'  '.repeat(depth)}${s.operationName} (${String(roleOf(t, s))}) ${(s.duration / 1000).toFixed(2)} ms`,
      );
      walk(s.spanID, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

async function prometheus(
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const url = `${scope.config.prometheusUrl}/api/v1/query?${new URLSearchParams({ query })}`;
  const body = (await (await fetch(url)).json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result;
}

beforeAll(async () => {
  const redis = scope.redis();
  const { artifact, movies } = syntheticServingModel(world, 15);
  await publishModel(redis, redisKeys(scope.config.redis.keyPrefix), artifact, { movies, version: '3' });
  const apiPort = await freePort();
  base = `http://127.0.0.1:${apiPort}`;
  up = spawnUp(['--no-services', '--api-workers', '2', '--metrics-port', String(await freePortRun())], {
    ...scope.env,
    API_PORT: String(apiPort),
    KAFKA_CLIENT_ID: `${prefix}marquee`,
    JWT_SECRET: secret,
    OTEL_EXPORTER_OTLP_ENDPOINT: JAEGER_OTLP_URL,
    TRACE_SAMPLE_RATIO: '1',
  });
  scope.groupId('marquee-sink');
  const ready = await waitUntil(
    async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200,
    90_000,
    500,
  );
  if (!ready.ok) throw new Error(`the API did not become ready:\n${up.output().slice(-3000)}`);
}, 120_000);

afterAll(async () => {
  await up?.stop();
  await scope.cleanup();
});

describe('traces in Jaeger', () => {
  it('follow a rating from the API through Kafka, the user actor and the movie actor to the Redis commits, as one trace', async () => {
    const user = world.users[0]?.userId as string;
    const movie = world.movies[0]?.movieId as string;
    const token = jwt.sign({ sub: user }, secret, { algorithm: 'HS256', expiresIn: 60 });
    const posted = await fetch(`${base}/v1/ratings`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': `trace-${prefix.replace(/[^\w]/g, '')}`.slice(0, 128),
      },
      body: JSON.stringify({ userId: user, movieId: movie, rating: 4 }),
    });
    expect(posted.status).toBe(202);
    let trace: JaegerTrace | undefined;
    await expect
      .poll(
        async () => {
          [trace] = await jaegerTraces(spans.apiPublish, { [attributes.topic]: `${prefix}user-events` });
          const names = trace?.spans.map((s) => s.operationName) ?? [];
          return [spans.userReceive, spans.movieReceive].every((n) => names.includes(n)) &&
            names.filter((n) => n === spans.stateCommit).length >= 2
            ? 'complete'
            : names.join(', ');
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe('complete');
    const t = trace as JaegerTrace;
    console.log(`rating trace ${t.traceID}:\n${describeTrace(t)}`);
    const byName = (name: string) => t.spans.filter((s) => s.operationName === name);
    const [rating] = byName(spans.apiRating);
    const [publish] = byName(spans.apiPublish);
    const [userTurn] = byName(spans.userReceive);
    const [movieTurn] = byName(spans.movieReceive);
    expect(rating && parentOf(rating)).toBeUndefined();
    expect(publish && parentOf(publish)).toBe(rating?.spanID);
    // Across Kafka: the record's traceparent names the publish span, the movie event's the user turn.
    expect(userTurn && parentOf(userTurn)).toBe(publish?.spanID);
    expect(movieTurn && parentOf(movieTurn)).toBe(userTurn?.spanID);
    const commitParents = byName(spans.stateCommit).map(parentOf);
    expect(commitParents).toContain(userTurn?.spanID);
    expect(commitParents).toContain(movieTurn?.spanID);
    expect(rating && roleOf(t, rating)).toBe('api');
    expect(userTurn && roleOf(t, userTurn)).toBe('stream');
    expect(movieTurn && roleOf(t, movieTurn)).toBe('stream');
  }, 90_000);

  it('show a /recommend as one root span with the context read, scoring, guard, diversify and the served record', async () => {
    const user = world.users[1]?.userId as string;
    expect((await fetch(`${base}/recommend/${user}`)).status).toBe(200);
    let trace: JaegerTrace | undefined;
    await expect
      .poll(
        async () => {
          const traces = await jaegerTraces(spans.apiRecommend, { [attributes.route]: '/recommend/:userId' });
          trace = traces.find((t) => t.spans.length >= 6);
          return trace?.spans.map((s) => s.operationName).sort() ?? [];
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toEqual(
        [
          spans.apiRecommend,
          spans.apiUserContext,
          spans.apiScore,
          spans.apiGuard,
          spans.apiDiversify,
          spans.apiServedRecord,
        ].sort(),
      );
    const t = trace as JaegerTrace;
    console.log(`recommend trace ${t.traceID}:\n${describeTrace(t)}`);
    const root = t.spans.find((s) => s.operationName === spans.apiRecommend);
    for (const s of t.spans) if (s !== root) expect(parentOf(s), s.operationName).toBe(root?.spanID);
  }, 60_000);
});

describe('Prometheus', () => {
  it('scrapes the API, stream, sink and worker of this run', async () => {
    await expect
      .poll(
        async () =>
          (await prometheus(`max by (job) (marquee_build_info{deployment="${prefix}"})`))
            .map((r) => r.metric['job'])
            .sort(),
        { timeout: 60_000, interval: 1_000 },
      )
      .toEqual(['marquee-api', 'marquee-sink', 'marquee-stream', 'marquee-worker']);
    const stream = await prometheus(`marquee_stream_lag_records{deployment="${prefix}"}`);
    expect(stream.map((r) => r.metric['group']).sort()).toEqual(['movie', 'user']);
    const worker = await prometheus(`marquee_retrain_last_success_timestamp_seconds{deployment="${prefix}"}`);
    expect(worker).toHaveLength(1);
  }, 90_000);

  it("sees both API workers' requests in one scrape (one worker alone would show about half)", async () => {
    const n = 40;
    for (let k = 0; k < n; k++)
      expect((await fetch(`${base}/recommend/${world.users[k % 50]?.userId}`)).status).toBe(200);
    const query = `sum(marquee_http_request_duration_seconds_count{deployment="${prefix}", route="/recommend/:userId"})`;
    // The earlier test made one call; every later scrape must see all of them.
    await expect
      .poll(async () => Number((await prometheus(query))[0]?.value[1] ?? 0), {
        timeout: 30_000,
        interval: 1_000,
      })
      .toBe(n + 1);
    const workers = await prometheus(`marquee_build_info{deployment="${prefix}", job="marquee-api"}`);
    expect(workers.map((r) => r.value[1])).toEqual(['1']);
  }, 90_000);
});
