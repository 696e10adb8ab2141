/**
 * An HTTP fuzzer driven by the API's own OpenAPI document (`GET /openapi.json`): for every operation
 * it builds requests whose parameters and bodies are valid instances of the document's schemas
 * (json-schema-faker), then lets fast-check mutate any part of them — hostile strings in a path,
 * query or header, a field of the wrong type, a missing or extra field, bytes that are not JSON,
 * another method, an unknown path, forged, expired or foreign tokens. Requests leave as raw bytes on
 * a fresh socket each (`Connection: close`), so nothing a client library would refuse to send is
 * filtered out. Used by `src/api/http-fuzz.int.test.ts` (bounded) and `npm run fuzz` (the full run).
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { generateSync, type JsonSchema } from 'json-schema-faker';
import jwt from 'jsonwebtoken';
import { generateSyntheticWorld } from '../../src/data/synthetic-world.ts';
import { publishModel } from '../../src/store/model-store.ts';
import { redisKeys } from '../../src/store/redis-keys.ts';
import type { TestScope } from '../isolation.ts';
import { spawnApi, type ApiProcess } from './api-process.ts';
import { syntheticServingModel } from './synthetic-model.ts';

/** One generated request. */
export interface FuzzRequest {
  /** The documented operation it was built from (`POST /v1/ratings`), or `unknown path`. */
  readonly operation: string;
  readonly method: string;
  /** Request target as sent (already percent-encoded where the fuzzer chose to). */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer | undefined;
}

/** The part of an OpenAPI 3.1 document the fuzzer reads. */
export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components?: { readonly schemas?: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  readonly security?: readonly unknown[];
  readonly parameters?: readonly {
    readonly name: string;
    readonly in: 'path' | 'query' | 'header';
    readonly required?: boolean;
    readonly schema: JsonSchema;
  }[];
  readonly requestBody?: { readonly content: Record<string, { readonly schema: JsonSchema }> };
}

/** How the fuzzer signs tokens (the API's HS256 secret). */
export interface FuzzAuth {
  readonly secret: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

/** Strings meant to break parsers, validators, path handling and key builders. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    '..',
    '../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    '%ZZ',
    '%',
    '\u0000',
    '\u2028',
    '\ud800',
    '-1',
    '0',
    '1e309',
    'NaN',
    'Infinity',
    '9'.repeat(40),
    '__proto__',
    'constructor',
    '{u:1}',
    '*',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    'a'.repeat(5_000),
    'x'.repeat(70_000),
  ),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
);

/** Any JSON value, to put where the schema wants something else. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308, 4.5, -1, 0, 6, true, null, [], {}),
  hostileString,
);

type TokenKind =
  | 'own'
  | 'other'
  | 'service'
  | 'admin'
  | 'expired'
  | 'no-exp'
  | 'too-long'
  | 'alg-none'
  | 'wrong-key'
  | 'garbage'
  | 'missing';
const tokenKinds: fc.Arbitrary<TokenKind> = fc.constantFrom(
  'own',
  'own',
  'own',
  'other',
  'service',
  'admin',
  'expired',
  'no-exp',
  'too-long',
  'alg-none',
  'wrong-key',
  'garbage',
  'missing',
);

function token(kind: TokenKind, sub: string, auth: FuzzAuth, garbage: string): string | undefined {
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: object, key = auth.secret) =>
    jwt.sign({ sub, iat: now, exp: now + 600, ...claims }, key, { algorithm: 'HS256' });
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  switch (kind) {
    case 'own':
      return sign({});
    case 'other':
      return sign({ sub: `${sub}7` });
    case 'service':
      return sign({ sub: 'relay', roles: ['service'] });
    case 'admin':
      return sign({ sub: 'ops', role: 'admin' });
    case 'expired':
      return sign({ iat: now - 7_200, exp: now - 3_600 });
    case 'no-exp':
      return jwt.sign({ sub }, auth.secret, { algorithm: 'HS256' });
    case 'too-long':
      return sign({ exp: now + 90 * 86_400 });
    case 'alg-none':
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, exp: now + 600, roles: ['admin'] })}.`;
    case 'wrong-key':
      return sign({}, 'not-the-secret-but-long-enough-to-sign-with');
    case 'garbage':
      return garbage;
    case 'missing':
      return undefined;
  }
}

/** Inlines `#/components/schemas/…` references (the document's only kind) for the generator. */
function resolveRefs(schema: JsonSchema, doc: OpenApiDocument): JsonSchema {
  if (typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map((s) => resolveRefs(s as JsonSchema, doc)) as never;
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (target === undefined) throw new Error(`openapi: unresolved $ref ${ref}`);
    return resolveRefs(target, doc);
  }
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      typeof v === 'object' && v !== null ? resolveRefs(v as JsonSchema, doc) : v,
    ]),
  ) as JsonSchema;
}

/** A valid instance of `schema`, drawn by json-schema-faker from a fast-check seed. */
function instanceOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => generateSync(schema, { seed }));
}

/** Percent-encodes a value for a path segment or query, or (sometimes) sends it raw. */
const encodings: fc.Arbitrary<'encoded' | 'raw'> = fc.constantFrom('encoded', 'encoded', 'encoded', 'raw');
function encode(value: string, how: 'encoded' | 'raw'): string {
  const whole = value.replace(/[\ud800-\udfff]/g, '\ufffd');
  if (how === 'encoded') return encodeURIComponent(whole);
  // Raw: only what can stand in a request line (no spaces, CR, LF or non-Latin-1).
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return whole.replace(/[\s\u0000-\u001f\u007f-\uffff]/g, (ch) => encodeURIComponent(ch));
}

/** A header value that fits on one line of Latin-1 (what HTTP/1.1 can carry). */
function headerSafe(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return value.replace(/[\r\n\u0000]/g, ' ').replace(/[^\u0020-\u00ff]/g, '?');
}

type Operation = { readonly path: string; readonly method: string; readonly op: OpenApiOperation };

/** Every documented operation of `doc`. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
}

/** The fast-check arbitrary of requests for one documented operation. */
function operationRequest(o: Operation, doc: OpenApiDocument, auth: FuzzAuth): fc.Arbitrary<FuzzRequest> {
  const params = o.op.parameters ?? [];
  const bodySchema = o.op.requestBody?.content['application/json']?.schema;
  const resolvedBody = bodySchema === undefined ? undefined : resolveRefs(bodySchema, doc);
  const paramValue = (schema: JsonSchema) =>
    fc.oneof(
      {
        weight: 3,
        arbitrary: instanceOf(schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
      },
      { weight: 2, arbitrary: hostileString },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
  const paramArbs = params.map((p) => fc.tuple(paramValue(p.schema), encodings));
  const extraQuery = fc.option(fc.tuple(hostileString, hostileString), { freq: 4 });
  const body: fc.Arbitrary<{ json?: unknown; raw?: Buffer }> =
    resolvedBody === undefined
      ? fc.oneof(
          { weight: 4, arbitrary: fc.constant({}) },
          { weight: 1, arbitrary: anyJson.map((json) => ({ json })) },
        )
      : fc.oneof(
          { weight: 4, arbitrary: instanceOf(resolvedBody).map((json) => ({ json })) },
          {
            weight: 3,
            arbitrary: fc
              .tuple(instanceOf(resolvedBody), fc.string({ maxLength: 12 }), anyJson, fc.boolean())
              .map(([valid, key, value, drop]) => {
                const object = { ...(valid as Record<string, unknown>) };
                const keys = Object.keys(object);
                const target = keys.length > 0 && drop ? (keys[key.length % keys.length] as string) : key;
                if (drop) delete object[target];
                else object[keys.length > 0 && key.length % 2 === 0 ? (keys[0] as string) : key] = value;
                return { json: object };
              }),
          },
          { weight: 1, arbitrary: anyJson.map((json) => ({ json })) },
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ raw: Buffer.from(b) })) },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom(
                '[',
                '{',
                '{"userId":',
                '['.repeat(5_000),
                '{"a":1}{"b":2}',
                '\ufeff{}',
                '"\\ud800"',
              )
              .map((s) => ({ raw: Buffer.from(s) })),
          },
        );
  return fc
    .record({
      values: fc.tuple(...paramArbs),
      extraQuery,
      body,
      tokenKind: tokenKinds,
      garbage: hostileString,
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(o.method) },
        { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
      ),
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'text/plain',
        undefined,
        'application/json; charset=latin1',
      ),
      sub: fc.oneof(fc.constant(undefined), fc.stringMatching(/^\d{1,6}$/)),
    })
    .map(({ values, extraQuery, body, tokenKind, garbage, method, contentType, sub }) => {
      let path = o.path;
      const query: string[] = [];
      const headers: [string, string][] = [];
      let userId: string | undefined;
      params.forEach((p, j) => {
        const [value, how] = values[j] as [string | undefined, 'encoded' | 'raw'];
        if (p.name === 'userId' && value !== undefined) userId = value;
        if (p.in === 'path') path = path.replace(`{${p.name}}`, encode(value ?? '', how));
        else if (value === undefined) return;
        else if (p.in === 'query') query.push(`${encode(p.name, 'encoded')}=${encode(value, how)}`);
        else headers.push([p.name, headerSafe(value)]);
      });
      if (extraQuery !== null)
        query.push(`${encode(extraQuery[0], 'encoded')}=${encode(extraQuery[1], 'raw')}`);
      const json = body.json as Record<string, unknown> | undefined;
      if (userId === undefined && typeof json?.['userId'] === 'string') userId = json['userId'];
      if (o.op.security !== undefined) {
        const t = token(tokenKind, sub ?? userId ?? '42', auth, headerSafe(garbage));
        if (t !== undefined) headers.push(['Authorization', tokenKind === 'garbage' ? t : `Bearer ${t}`]);
      }
      let payload: Buffer | undefined;
      if (body.raw !== undefined) payload = body.raw;
      else if ('json' in body) payload = Buffer.from(JSON.stringify(body.json) ?? 'null');
      if (payload !== undefined && contentType !== undefined) headers.push(['Content-Type', contentType]);
      return {
        operation: `${o.method} ${o.path}`,
        method,
        target: query.length > 0 ? `${path}?${query.join('&')}` : path,
        headers,
        body: payload,
      };
    });
}

/** Requests to paths the document does not name (and documented paths bent out of shape). */
function unknownPathRequest(doc: OpenApiDocument): fc.Arbitrary<FuzzRequest> {
  const known = Object.keys(doc.paths).map((p) => p.replace(/\{[^}]+\}/g, '1'));
  return fc
    .record({
      base: fc.constantFrom('/', '/v1', '/v1/', '/recommend', '/recommend/', '//recommend/1', ...known),
      suffix: fc.oneof(
        fc.constant(''),
        hostileString.map((s) => encode(s, 'raw')),
        hostileString.map((s) => `/${encode(s, 'encoded')}`),
      ),
      method: fc.constantFrom(...METHODS),
    })
    .map(({ base, suffix, method }) => ({
      operation: 'unknown path',
      method,
      target: (base + suffix).startsWith('/') ? base + suffix : `/${base}${suffix}`,
      headers: [],
      body: undefined,
    }));
}

/** `count` requests generated from `doc` with fast-check's `seed` (the same seed, the same requests). */
export function generateRequests(
  doc: OpenApiDocument,
  auth: FuzzAuth,
  count: number,
  seed: number,
): FuzzRequest[] {
  const arbitrary = fc.oneof(
    ...operationsOf(doc).map((o) => ({ weight: 6, arbitrary: operationRequest(o, doc, auth) })),
    { weight: 1, arbitrary: unknownPathRequest(doc) },
  );
  return fc.sample(arbitrary, { seed, numRuns: count });
}

/** The raw bytes of a request (one per connection). */
export function requestBytes(r: FuzzRequest, host: string): Buffer {
  const lines = [`${r.method} ${r.target} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  for (const [name, value] of r.headers) lines.push(`${name}: ${value}`);
  if (r.body !== undefined) lines.push(`Content-Length: ${r.body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return r.body === undefined ? head : Buffer.concat([head, r.body]);
}

/** What one request got: an HTTP status, or why there was none. */
export type FuzzOutcome = { readonly status: number } | { readonly error: string };

/** Sends one request on a fresh connection and reads the status line (times out after `timeoutMs`). */
export function sendRaw(
  r: FuzzRequest,
  host: string,
  port: number,
  timeoutMs = 10_000,
): Promise<FuzzOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let head = '';
    let settled = false;
    const done = (outcome: FuzzOutcome) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ error: 'timeout' }));
    socket.on('error', (error) => done({ error: error.message }));
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3}) /.exec(head);
      if (match !== null) done({ status: Number(match[1]) });
      else if (head.length > 16 && !head.startsWith('HTTP/'))
        done({ error: `not HTTP: ${head.slice(0, 40)}` });
    });
    socket.on('end', () =>
      done({ error: head === '' ? 'closed without an answer' : `no status line: ${head.slice(0, 40)}` }),
    );
    socket.write(requestBytes(r, `${host}:${port}`));
  });
}

/** Counts of a fuzz run. */
export interface FuzzSummary {
  readonly requests: number;
  /** operation → status (or error) → count. */
  readonly byOperation: Map<string, Map<string, number>>;
  readonly serverErrors: number;
  /** Requests that got no HTTP answer at all. */
  readonly noAnswer: number;
  /** Up to 20 requests that got a 5xx or no answer, for the report. */
  readonly examples: { readonly request: FuzzRequest; readonly outcome: FuzzOutcome }[];
}

/** Sends every request, `concurrency` at a time, and tallies the outcomes; `onProgress` per 1,000. */
export async function runFuzz(
  requests: readonly FuzzRequest[],
  target: { readonly host: string; readonly port: number },
  concurrency = 8,
  onProgress?: (done: number) => void,
): Promise<FuzzSummary> {
  const byOperation = new Map<string, Map<string, number>>();
  const examples: { request: FuzzRequest; outcome: FuzzOutcome }[] = [];
  let serverErrors = 0;
  let noAnswer = 0;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++] as FuzzRequest;
      const outcome = await sendRaw(request, target.host, target.port);
      const label = 'status' in outcome ? String(outcome.status) : 'no answer';
      const counts = byOperation.get(request.operation) ?? new Map<string, number>();
      byOperation.set(request.operation, counts.set(label, (counts.get(label) ?? 0) + 1));
      const bad = !('status' in outcome) || outcome.status >= 500;
      if ('status' in outcome && outcome.status >= 500) serverErrors++;
      if (!('status' in outcome)) noAnswer++;
      if (bad && examples.length < 20) examples.push({ request, outcome });
      if (++done % 1_000 === 0) onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests: requests.length, byOperation, serverErrors, noAnswer, examples };
}

/** The summary as a table: one row per operation, one column per status class. */
export function formatSummary(s: FuzzSummary): string {
  const rows = [...s.byOperation].sort(([a], [b]) => a.localeCompare(b));
  const lines = ['operation                              requests  statuses'];
  for (const [operation, counts] of rows) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const statuses = [...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, n]) => `${label}×${n}`)
      .join(' ');
    lines.push(`${operation.padEnd(38)} ${String(total).padStart(8)}  ${statuses}`);
  }
  return lines.join('\n');
}

/** A `marquee api` process to fuzz, in a test scope with a small published model. */
export interface FuzzTarget {
  readonly api: ApiProcess;
  readonly port: number;
  readonly auth: FuzzAuth;
  /** The API's /openapi.json, as it serves it. */
  readonly doc: OpenApiDocument;
}

/**
 * Publishes a small synthetic model in `scope` and starts `marquee api` on it (per-IP throttling out
 * of the way, no rating quota, so requests reach the routes rather than the limiters).
 */
export async function startFuzzTarget(scope: TestScope): Promise<FuzzTarget> {
  const auth = { secret: 'fuzz-secret-that-is-at-least-32-characters' };
  for (const name of ['served', 'user-events']) await scope.createTopic(name, 1);
  // The schema as `marquee up` leaves it (migrated), so the experiment reports read real, empty tables.
  await scope.postgres();
  const redis = new Redis(scope.config.redis.url);
  try {
    const world = generateSyntheticWorld({ users: 100, movies: 300, ratings: 2_000, seed: 5 });
    const { artifact, movies } = syntheticServingModel(world, 8);
    await publishModel(redis, redisKeys(scope.config.redis.keyPrefix), artifact, { movies, version: '1' });
  } finally {
    redis.disconnect();
  }
  const api = spawnApi({ ...scope.env, JWT_SECRET: auth.secret, RATING_QUOTA: '0' }, [
    '--rate-limit',
    '1000000',
  ]);
  const port = await api.ready;
  const doc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as OpenApiDocument;
  return { api, port, auth, doc };
}

/** The requests that got a 5xx or no answer, one line each. */
export function describeFailures(s: FuzzSummary): string {
  return s.examples
    .map((e) => `${JSON.stringify(e.outcome)} ← ${e.request.method} ${e.request.target.slice(0, 200)}`)
    .join('\n');
}
