/**
 * The part of the API's OpenAPI 3.1 document (`GET /openapi.json`) the fuzzer reads: its operations,
 * their parameters and bodies, with the document's `$ref`s inlined for the generator.
 */
import type { JsonSchema } from 'json-schema-faker';

/** The part of an OpenAPI 3.1 document the fuzzer reads. */
export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components?: { readonly schemas?: Record<string, JsonSchema> };
}

/** One documented operation. */
export interface OpenApiOperation {
  readonly security?: readonly unknown[];
  readonly parameters?: readonly {
    readonly name: string;
    readonly in: 'path' | 'query' | 'header';
    readonly required?: boolean;
    readonly schema: JsonSchema;
  }[];
  readonly requestBody?: { readonly content: Record<string, { readonly schema: JsonSchema }> };
}

/** Inlines `#/components/schemas/…` references (the document's only kind) for the generator. */
export function resolveRefs(schema: JsonSchema, doc: OpenApiDocument): JsonSchema {
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

/** A documented operation with its path and method. */
export type Operation = { readonly path: string; readonly method: string; readonly op: OpenApiOperation };

/** Every documented operation of `doc`. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
}
