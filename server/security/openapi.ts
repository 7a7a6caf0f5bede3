import type { FastifyInstance } from 'fastify';

/**
 * The security suites read the API from its own OpenAPI document (GET /api/openapi.json), so an operation is
 * attacked the day its route lands, without anyone adding it to a list.
 */

/** The subset of JSON Schema (as zod 4 and @fastify/swagger publish it) the suites understand. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  default?: unknown;
  description?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One API operation as the suites see it. */
export interface Operation {
  operationId: string;
  method: Method;
  /** The OpenAPI path, with `{name}` placeholders. */
  path: string;
  /** True when the operation declares `security: []` (or an empty alternative): callable without a session. */
  isPublic: boolean;
  pathParams: Parameter[];
  queryParams: Parameter[];
  /** Request headers the operation declares (e.g. a file name sent beside a binary body). */
  headerParams: Parameter[];
  /** The request body: its schema, and every content type it accepts (the first is the preferred one). */
  body?: { schema: JsonSchema; required: boolean; contentType: string; contentTypes: string[] };
}

interface RawOperation {
  operationId?: string;
  security?: Record<string, unknown>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
}

interface OpenApiDocument {
  security?: Record<string, unknown>[];
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const methods = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Replaces every `$ref` with the schema it names (cycles are cut with an empty schema). */
export function resolveRefs(
  schema: JsonSchema,
  components: Record<string, JsonSchema>,
  seen: string[] = [],
): JsonSchema {
  const visit = (node: unknown, trail: string[]): unknown => {
    if (Array.isArray(node)) return node.map((item) => visit(item, trail));
    if (!node || typeof node !== 'object') return node;
    const object = node as Record<string, unknown>;
    if (typeof object.$ref === 'string') {
      const name = object.$ref.replace('#/components/schemas/', '');
      if (trail.includes(name) || !components[name]) return {};
      const { $ref: _ref, ...rest } = object;
      return { ...(visit(components[name], [...trail, name]) as object), ...(visit(rest, trail) as object) };
    }
    return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, visit(value, trail)]));
  };
  return visit(schema, seen) as JsonSchema;
}

/** Turns an OpenAPI document into the list of operations, $refs resolved, sorted by path then method. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const components = doc.components?.schemas ?? {};
  const operations: Operation[] = [];
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(byMethod)) {
      if (!methods.has(method) || !raw.operationId) continue;
      const security = raw.security ?? doc.security ?? [];
      const parameters = (raw.parameters ?? []).map((p) => ({
        ...p,
        required: p.required === true,
        schema: resolveRefs(p.schema ?? {}, components),
      }));
      const content = raw.requestBody?.content ?? {};
      const contentType = Object.keys(content)[0];
      operations.push({
        operationId: raw.operationId,
        method: method.toUpperCase() as Method,
        path,
        isPublic: security.length === 0 || security.some((entry) => Object.keys(entry).length === 0),
        pathParams: parameters.filter((p) => p.in === 'path'),
        queryParams: parameters.filter((p) => p.in === 'query'),
        headerParams: parameters.filter((p) => p.in === 'header'),
        body: contentType
          ? {
              schema: resolveRefs(content[contentType]?.schema ?? {}, components),
              required: raw.requestBody?.required === true,
              contentType,
              contentTypes: Object.keys(content),
            }
          : undefined,
      });
    }
  }
  return operations.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** Reads the operations of a running app from its own OpenAPI document. */
export async function loadOperations(app: FastifyInstance): Promise<Operation[]> {
  const res = await app.inject({ url: '/api/openapi.json' });
  if (res.statusCode !== 200)
    throw new Error(`GET /api/openapi.json answered ${res.statusCode}: ${res.body}`);
  return operationsOf(res.json<OpenApiDocument>());
}

/** Replaces lone surrogates (which no URL can carry) so encodeURIComponent never throws. */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Encodes a query object the way browsers and openapi-fetch do (`a=1&a=2` for arrays). */
export function encodeQuery(query: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      const text = item !== null && typeof item === 'object' ? JSON.stringify(item) : String(item);
      parts.push(`${encodeURIComponent(wellFormed(key))}=${encodeURIComponent(wellFormed(text))}`);
    }
  }
  return parts.join('&');
}

/**
 * The URL of an operation with its path parameters filled in. Values are percent-encoded unless `raw`
 * (for sending deliberately broken encodings).
 */
export function urlOf(
  op: Pick<Operation, 'path'>,
  params: Record<string, string>,
  query = '',
  options: { raw?: boolean } = {},
): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = params[name] ?? '';
    return options.raw ? value : encodeURIComponent(wellFormed(value));
  });
  return query ? `${path}?${query}` : path;
}
