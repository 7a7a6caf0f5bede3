import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js';
import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * A route's 200 answer written by a serializer compiled from its zod schema (fast-json-stringify, Fastify's
 * own, from the schema's JSON Schema), instead of checking the answer with zod and then `JSON.stringify`.
 * For hot read routes whose answer is large (the directory's map; the search now writes its answer from parts
 * encoded once, decision 0016): about a quarter of the cost (docs/decisions/0015-directory-search-compiled.md).
 *
 * What it keeps: only the schema's properties leave (extra fields of the service's objects are dropped, as zod
 * drops them), and a required property that is missing fails the answer (500), as zod's check does. What it
 * does not: formats, enums and number ranges are not checked on the way out, so a route may use it only when
 * its service builds the answer from values already of those types. Every other status (problem+json) goes
 * through the zod serializer as before.
 *
 * Use per route: `{ serializerCompiler: compiledSerializer, schema: { response: { 200: … } } }`.
 */
export function compiledSerializer<T>(route: FastifyRouteSchemaDef<T>): (data: unknown) => string {
  // Fastify types a route's own compiler by the route's whole schema; what it is given is one status's schema.
  const forStatus = route as unknown as FastifyRouteSchemaDef<z.ZodType>;
  if (String(route.httpStatus) !== '200') return zodSerializerCompiler(forStatus);
  return compileSerializer(forStatus.schema);
}

/** The serializer of one zod schema's output (exported for the test that compares it with zod's). */
export function compileSerializer(schema: z.ZodType): (data: unknown) => string {
  const jsonSchema = z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'throw' });
  return fastJson(jsonSchema as Parameters<typeof fastJson>[0]);
}
