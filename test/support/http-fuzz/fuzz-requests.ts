/**
 * The requests the fuzzer sends, as fast-check arbitraries over the API's OpenAPI document: for every
 * operation, parameters and bodies that are valid instances of its schemas (json-schema-faker), then
 * mutated in any part; plus requests to paths the document does not name.
 */
import fc from 'fast-check';
import type { JsonSchema } from 'json-schema-faker';
import { operationsOf, resolveRefs, type OpenApiDocument, type Operation } from './openapi-document.ts';
import { encode, encodings, headerSafe, hostileString, METHODS } from './hostile-values.ts';
import { token, tokenKinds, type FuzzAuth } from './fuzz-tokens.ts';
import { bodyArbitrary, instanceOf } from './fuzz-bodies.ts';

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
  const body = bodyArbitrary(resolvedBody);
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
