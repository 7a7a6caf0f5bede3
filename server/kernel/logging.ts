import { pino, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config.js';

/**
 * Field names whose values never reach a log line, wherever they sit in a logged object (two levels deep).
 * SECURITY: modules add the names of their sensitive fields here rather than trusting every call site.
 */
export const sensitiveLogKeys = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'secret',
  'totp',
  'otp',
  'totpCode',
  'recoveryCode',
  'cookie',
  'authorization',
  'sensitive',
  'email',
  'name',
  'phone',
];

const headerPaths = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

/** Redaction paths for pino: the headers above plus every sensitive key at the top and one level down. */
export const redactPaths = [...headerPaths, ...sensitiveLogKeys.flatMap((key) => [key, `*.${key}`])];

/** Keeps the frames of a stack and drops its first line, which repeats the (possibly sensitive) message. */
function framesOnly(stack: string | undefined): string | undefined {
  return stack
    ?.split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
}

/**
 * Serialises errors without the values they may carry. SECURITY: Drizzle's query errors put bound
 * parameters in their message, and PostgreSQL errors put row values in `detail` ("Key (x)=(…)"): both
 * can be survivor data, so only the SQL text, codes and names are logged.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> | undefined {
  if (!(error instanceof Error) || depth > 3) return error === undefined ? undefined : { type: typeof error };
  const value = error as Error & Record<string, unknown>;
  const out: Record<string, unknown> = {
    type: value.constructor?.name ?? value.name,
    stack: framesOnly(value.stack),
  };
  if (value.name === 'DrizzleQueryError' || 'query' in value) {
    out.message = 'database query failed';
    if (typeof value.query === 'string') out.query = value.query;
  } else if (typeof value.severity === 'string' && typeof value.code === 'string') {
    // A PostgreSQL error: the message names the constraint, never the values (those are in detail).
    out.message = value.message;
  } else {
    out.message = value.message;
  }
  for (const key of ['code', 'statusCode', 'constraint', 'table', 'column', 'routine', 'validationContext']) {
    if (typeof value[key] === 'string' || typeof value[key] === 'number') out[key] = value[key];
  }
  if (value.cause !== undefined) out.cause = serializeError(value.cause, depth + 1);
  return out;
}

/** pino options shared by the app and the CLI. */
export function loggerOptions(level: Config['logLevel']): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    base: { service: 'cairn' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

/** The process logger (JSON lines on stdout). */
export function createLogger(level: Config['logLevel'], destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
