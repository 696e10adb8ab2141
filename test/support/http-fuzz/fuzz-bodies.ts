/**
 * Request bodies for one operation: valid instances of its body schema (json-schema-faker), the same
 * with a field dropped or set to any value, any JSON, random bytes, and JSON broken on purpose; an
 * operation without a body gets none, or (sometimes) any JSON.
 */
import fc from 'fast-check';
import { generateSync, type JsonSchema } from 'json-schema-faker';
import { anyJson } from './hostile-values.ts';

/** A body as the fuzzer sends it: JSON to serialise, or raw bytes. */
export interface FuzzBody {
  readonly json?: unknown;
  readonly raw?: Buffer;
}

/** A valid instance of `schema`, drawn by json-schema-faker from a fast-check seed. */
export function instanceOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => generateSync(schema, { seed }));
}

/** The bodies of an operation whose (resolved) body schema is `resolvedBody`. */
export function bodyArbitrary(resolvedBody: JsonSchema | undefined): fc.Arbitrary<FuzzBody> {
  return resolvedBody === undefined
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
}
