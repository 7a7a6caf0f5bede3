import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { translator } from '../i18n/i18n.js';
import { AppError, type ErrorCode, type FieldIssue } from './errors.js';

/** The RFC 9457 problem document every error of Cairn's API is sent as. */
export const problemSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem: urn:cairn:problem:<code>'),
    title: z.string().describe('A short, localised summary of the kind of problem'),
    status: z.number().int(),
    detail: z.string().describe('A localised explanation of this occurrence'),
    instance: z.string().describe('The request path (without query) that failed'),
    code: z.string().describe('Stable machine-readable code from a closed list'),
    requestId: z.string().describe('Quote this when reporting a problem; it is in the server log'),
    errors: z
      .array(z.object({ path: z.string(), code: z.string(), message: z.string() }))
      .optional()
      .describe('One entry per invalid field (validation_failed only)'),
    newPartner: z
      .object({ senderTier: z.string().nullable(), recipientTier: z.string().nullable() })
      .optional()
      .describe('Both organisations’ vetting tiers (new_partner_unconfirmed only)'),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;

const contextNames: Record<string, string> = {
  querystring: 'query',
  params: 'params',
  body: 'body',
  headers: 'headers',
};

/** Turns a zod issue (as fastify-type-provider-zod reports it) into a field issue with message parameters. */
function fieldIssueFromValidation(
  context: string,
  item: { instancePath: string; keyword: string; params: Record<string, unknown> },
): FieldIssue {
  const segments = item.instancePath.split('/').filter(Boolean);
  const path = [contextNames[context] ?? context, ...segments].join('.');
  const params: Record<string, string | number> = {};
  for (const key of ['minimum', 'maximum', 'expected', 'format', 'origin', 'divisor'] as const) {
    const value = item.params[key];
    if (typeof value === 'string' || typeof value === 'number') params[key] = value;
    if (typeof value === 'bigint') params[key] = Number(value);
  }
  if (Array.isArray(item.params.keys)) params.keys = item.params.keys.join(', ');
  if (Array.isArray(item.params.values)) params.values = item.params.values.map(String).join(', ');
  // Custom refinements name their own message key: `.refine(fn, { params: { i18n: 'identity.x' } })`.
  const custom = (item.params.params as { i18n?: unknown } | undefined)?.i18n;
  const code = typeof custom === 'string' ? custom : item.keyword;
  return { path, code, params };
}

/** Maps anything thrown to an AppError; unknown errors become `internal` (logged by the caller). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext ?? 'body';
    return new AppError('validation_failed', {
      fields: error.validation.map((item) =>
        fieldIssueFromValidation(context, item as Parameters<typeof fieldIssueFromValidation>[1]),
      ),
    });
  }
  const fastifyError = error as Partial<FastifyError>;
  const byFastifyCode: Partial<Record<string, ErrorCode>> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
    FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
    FST_ERR_NOT_FOUND: 'not_found',
    FST_ERR_BAD_URL: 'bad_request',
    FST_ERR_MAX_PARAM_LENGTH: 'not_found',
    FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
  };
  // PostgreSQL refuses text it cannot store (a NUL character, an unconvertible byte): bad input, not a fault.
  const sqlState = (error as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? fastifyError.code;
  if (sqlState === '22021' || sqlState === '22P05')
    return new AppError('validation_failed', { cause: error });
  const mapped = fastifyError.code ? byFastifyCode[fastifyError.code] : undefined;
  if (mapped) return new AppError(mapped, { cause: error });
  // JSON.parse failures, including __proto__ / constructor poisoning, arrive as 400 SyntaxErrors.
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) return new AppError('malformed_json');
  if (fastifyError.statusCode === 400 && /prototype|constructor/i.test(fastifyError.message ?? '')) {
    return new AppError('bad_request', { cause: error });
  }
  if (fastifyError.statusCode === 406) return new AppError('not_acceptable', { cause: error });
  if (fastifyError.statusCode === 415) return new AppError('unsupported_media_type', { cause: error });
  if (fastifyError.statusCode === 413) return new AppError('payload_too_large', { cause: error });
  return new AppError('internal', { cause: error });
}

/** Builds the localised problem document for an AppError. */
export function problemFor(error: AppError, request: FastifyRequest): Problem {
  const t = translator(request.language);
  const problem: Problem = {
    type: `urn:cairn:problem:${error.code}`,
    title: t(`errors.${error.code}.title`),
    status: error.status,
    detail: t(`errors.${error.code}.detail`, error.options.params ?? {}),
    instance: request.url.split('?')[0] ?? '/',
    code: error.code,
    requestId: request.id,
  };
  // Extension members the problem document declares (problemSchema); the standard members always win.
  if (error.options.extensions) Object.assign(problem, { ...error.options.extensions, ...problem });
  if (error.options.fields?.length) {
    problem.errors = error.options.fields.map((field) => ({
      path: field.path,
      code: field.code,
      message: t(`validation.${field.code}`, {
        ...field.params,
        defaultValue: t('validation.invalid'),
      }),
    }));
  }
  return problem;
}

/** Sends an AppError as application/problem+json. */
export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  const problem = problemFor(error, reply.request);
  if (error.code === 'rate_limited' && error.options.params?.seconds !== undefined) {
    void reply.header('retry-after', String(error.options.params.seconds));
  }
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}

/**
 * Installs the error handler: every error leaves as problem+json with a stable code and a localised
 * message. Unknown errors are logged with the request id and answered with a generic 500 — no stack,
 * no message, no internals.
 */
export function registerProblemHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.code === 'internal') {
      const what = isResponseSerializationError(error)
        ? 'response did not match its schema'
        : 'unhandled error';
      request.log.error({ err: error }, what);
    } else if (appError.status >= 500) {
      request.log.warn({ err: error, code: appError.code }, 'request failed');
    }
    return sendProblem(reply, appError);
  });
}

/**
 * Finds the first string holding a NUL character (U+0000) in a request part, and names its path. PostgreSQL
 * cannot store one in text, and no person types one: it is refused up front, with the field named.
 */
export function findNul(value: unknown, path: string, depth = 0): string | null {
  // A lone UTF-16 surrogate cannot be stored either (PostgreSQL refuses it in text and jsonb).
  if (typeof value === 'string') return value.includes('\u0000') || /\p{Cs}/u.test(value) ? path : null;
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  // Only what a parser made (plain objects and arrays): a stream, a buffer or another object a route takes as its
  // body is not walked (a socket's object graph is endless).
  const prototype: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) return null;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key.includes('\u0000')) return `${path}.${key.replaceAll('\u0000', '')}`;
    const found = findNul(child, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}
