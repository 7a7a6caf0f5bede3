import { createHash } from 'node:crypto';
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Actor } from '../access/policy.js';
import { canonicalJson } from '../audit/audit.js';
import { kernelIdempotencyKeys, kernelJobs } from '../db/kernel.tables.js';
import { inTransaction, withTransactionGuard, type TransactionGuard } from '../db/transaction.js';
import { queryRows, type Db, type Tx } from '../db/types.js';
import type { Kernel } from '../kernel.js';
import { AppError } from './errors.js';

/**
 * `Idempotency-Key` for write operations that clients may retry (a dropped connection, a crash, a 503 while
 * the database restarts). A route opts in with `config: { idempotent: true }`. The first request with a key
 * runs the use case; its answer is stored, sealed, IN THE SAME TRANSACTION as the change, so a retry can
 * never run the change twice: either both committed (the retry gets the stored answer, marked
 * `Idempotent-Replayed: true`) or neither did (the retry runs it as if first). Keys are scoped to the
 * organisation and person asking; the same key with another request is refused (422), and a retry while the
 * first is still running is told to wait (409). Keys are kept at least 24 hours.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route accepts an Idempotency-Key header (server/kernel/http/idempotency.ts). */
    idempotent?: boolean;
  }
}

declare module '../jobs/jobs.js' {
  interface CairnJobs {
    'kernel.idempotency_sweep': Record<string, never>;
  }
}

export const idempotencyKeyHeader = 'idempotency-key';
export const replayedHeader = 'idempotent-replayed';
/** How long a key is honoured at least; the daily sweep deletes older ones. */
export const idempotencyRetentionHours = 24;

/** 1–255 visible ASCII characters: what a UUID, a ULID or any random token fits in. */
const keyFormat = /^[\x21-\x7e]{1,255}$/;

/**
 * First key of the two-key advisory lock space used for in-flight keys. Cairn's other advisory locks use the
 * one-key (bigint) space, which never collides with the two-key one.
 */
const lockSpace = 0x1de3;

/** An answer stored for a key, ready to send again. */
interface StoredAnswer {
  status: number;
  body: string;
}

/** Thrown inside the claiming transaction when the key turns out to be answered already: roll back, replay. */
class AlreadyAnswered extends Error {
  constructor(readonly answer: StoredAnswer) {
    super('idempotency key already answered');
  }
}

/** The header's key, or undefined without one; a malformed key is refused with the field named. */
export function parseIdempotencyKey(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && keyFormat.test(value)) return value;
  throw new AppError('validation_failed', {
    fields: [{ path: `headers.${idempotencyKeyHeader}`, code: 'idempotency_key' }],
  });
}

/** Who a key belongs to: the organisation acted for (if any) and the person. */
export function idempotencyScope(actor: Actor): string {
  // The route gate lets only signed-in people reach an opted-in route; this keeps it true if one is misdeclared.
  if (actor.kind !== 'person') throw new AppError('unauthenticated');
  return `${actor.membership?.organisationId ?? 'none'}:${actor.personId}`;
}

/** What makes two requests "the same": method, route, and the validated params, query and body. */
export function requestFingerprint(request: FastifyRequest): string {
  const what = canonicalJson({
    method: request.method,
    route: request.routeOptions.url ?? '',
    params: request.params ?? null,
    query: request.query ?? null,
    body: request.body ?? null,
  });
  return createHash('sha256').update(what, 'utf8').digest('hex');
}

/**
 * SECURITY: keys are stored as SHA-256 digests (a client could put anything in one), and the stored answer is
 * sealed under the master key, bound to its row: it carries what the caller was allowed to see.
 */
const keyDigest = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const answerAad = (scope: string, digest: string) =>
  `kernel_idempotency_keys.sealed_response.${scope}.${digest}`;

type KeyRow = typeof kernelIdempotencyKeys.$inferSelect;

/** The stored answer for a key used before with this fingerprint; 422 for another request, 409 if in flight. */
function answerOf(kernel: Kernel, row: KeyRow, fingerprint: string): StoredAnswer {
  if (row.requestHash !== fingerprint) throw new AppError('idempotency_key_reused');
  if (row.state !== 'done' || row.statusCode === null || row.sealedResponse === null)
    throw new AppError('idempotency_key_in_progress');
  return {
    status: row.statusCode,
    body: kernel.unseal(row.sealedResponse, answerAad(row.scope, row.key)),
  };
}

function sendReplay(reply: FastifyReply, answer: StoredAnswer): FastifyReply {
  return reply
    .code(answer.status)
    .header(replayedHeader, 'true')
    .type('application/json; charset=utf-8')
    .send(answer.body);
}

/** The one 2xx status an opted-in route answers with (what a replay repeats). */
function successStatusOf(route: RouteOptions): number {
  const codes = Object.keys((route.schema?.response ?? {}) as Record<string, unknown>).filter((code) =>
    /^2\d\d$/.test(code),
  );
  if (codes.length !== 1)
    throw new Error(
      `Route ${String(route.method)} ${route.url} is idempotent but has ${codes.length} 2xx answers`,
    );
  return Number(codes[0]);
}

/**
 * Wraps an opted-in route's handler. Without the header it runs as is. With one: a stored answer is replayed
 * at once; otherwise the handler runs with a transaction guard, so the first transaction of its use case
 * claims the key at its start and stores the serialised answer before COMMIT.
 */
function idempotentHandler(
  kernel: Kernel,
  route: RouteOptions,
  expectedBodies: WeakMap<FastifyRequest, string>,
): RouteOptions['handler'] {
  const original = route.handler;
  const status = successStatusOf(route);
  const db = kernel.database.db;
  return async function handler(this: FastifyInstance, request, reply) {
    const key = parseIdempotencyKey(request.headers[idempotencyKeyHeader]);
    if (key === undefined) return original.call(this, request, reply);
    const scope = idempotencyScope(request.actor);
    const digest = keyDigest(key);
    const fingerprint = requestFingerprint(request);
    const where = and(eq(kernelIdempotencyKeys.scope, scope), eq(kernelIdempotencyKeys.key, digest));
    const [known] = await db.select().from(kernelIdempotencyKeys).where(where);
    if (known) return sendReplay(reply, answerOf(kernel, known, fingerprint));

    let stored = false;
    const guard: TransactionGuard = {
      begin: async (tx: Tx) => {
        // One round trip: take the key's lock, then claim it. A retry arriving while the first request is
        // inside its transaction must neither wait for it (holding a connection) nor run the change again:
        // the first holds the lock until it commits. The pending claim only ever commits as done (below).
        const [claim] = await queryRows<{ locked: boolean; claimed: number }>(
          tx,
          sql`with lock as (
                select pg_try_advisory_xact_lock(${lockSpace}, hashtext(${`${scope}\n${digest}`})) as locked),
              claim as (
                insert into kernel_idempotency_keys (scope, key, operation, request_hash)
                select ${scope}, ${digest}, ${`${request.method} ${request.routeOptions.url ?? ''}`}, ${fingerprint}
                from lock where locked
                on conflict do nothing
                returning 1)
              select (select locked from lock) as locked, (select count(*) from claim)::int as claimed`,
        );
        if (!claim?.locked) throw new AppError('idempotency_key_in_progress');
        if (claim.claimed > 0) return;
        // Answered between the look-up above and this lock: holding the lock, the row is committed.
        const [row] = await tx.select().from(kernelIdempotencyKeys).where(where);
        if (!row) throw new AppError('idempotency_key_in_progress');
        throw new AlreadyAnswered(answerOf(kernel, row, fingerprint));
      },
      beforeCommit: async (tx: Tx, result: unknown) => {
        // The exact bytes the route will send: its own serialiser for its success status.
        const body = reply.serializeInput(result as Record<string, unknown>, String(status)) as string;
        await tx
          .update(kernelIdempotencyKeys)
          .set({
            state: 'done',
            statusCode: status,
            sealedResponse: kernel.seal(body, answerAad(scope, digest)),
            completedAt: new Date(),
          })
          .where(where);
        expectedBodies.set(request, body);
        stored = true;
      },
    };
    try {
      const result: unknown = await withTransactionGuard(guard, async () =>
        original.call(this, request, reply),
      );
      if (!stored) {
        request.log.error(
          { route: request.routeOptions.url },
          'idempotent route answered without a guarded transaction: its answer was not stored',
        );
      }
      return result;
    } catch (error) {
      if (error instanceof AlreadyAnswered) return sendReplay(reply, error.answer);
      throw error;
    }
  };
}

/**
 * Installs Idempotency-Key support: wraps the handlers of routes declared `idempotent` (checking that they
 * are signed-in routes with one success status), checks that what they send is what was stored, and
 * queues the daily sweep. Call before any module registers its routes.
 */
export function registerIdempotency(app: FastifyInstance, kernel: Kernel): void {
  const expectedBodies = new WeakMap<FastifyRequest, string>();
  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotent) return;
    const name = `${String(route.method)} ${route.url}`;
    if (!route.config.policy || route.config.policy.access === 'public')
      throw new Error(`Route ${name} is idempotent but public: keys are scoped to a signed-in person`);
    route.handler = idempotentHandler(kernel, route, expectedBodies);
  });
  // A use case must return, from its first transaction, exactly what its route sends: otherwise a replay would
  // answer something else than the first time. Loud in the log, and the tests of every opted-in route check it.
  app.addHook('onSend', async (request, _reply, payload) => {
    const expected = expectedBodies.get(request);
    if (expected !== undefined && typeof payload === 'string' && payload !== expected) {
      request.log.error(
        { route: request.routeOptions.url },
        'idempotent route sent another answer than the one it stored',
      );
    }
    return payload;
  });
  setupIdempotencySweep(kernel);
}

// ---------------------------------------------------------------------------------------------------------
// OpenAPI: one shared header parameter on every opted-in operation
// ---------------------------------------------------------------------------------------------------------

const marker = 'x-cairn-idempotent';

/** For @fastify/swagger's `transform`: marks the operations of idempotent routes. */
export function markIdempotentOperation<T extends { schema?: unknown }>(
  transformed: T,
  route: { config?: unknown },
): T {
  const idempotent = (route.config as { idempotent?: boolean } | undefined)?.idempotent === true;
  if (!idempotent || !transformed.schema) return transformed;
  return { ...transformed, schema: { ...transformed.schema, [marker]: true } };
}

interface OpenApiOperation {
  [marker]?: boolean;
  description?: string;
  parameters?: unknown[];
  responses?: Record<string, { headers?: Record<string, unknown> }>;
}

/** For @fastify/swagger's `transformObject`: the shared parameter and header, referenced by marked operations. */
export function addIdempotencyToOpenApi<T extends object>(document: T): T {
  const doc = document as T & {
    paths?: Record<string, Record<string, OpenApiOperation>>;
    components?: Record<string, Record<string, unknown> | undefined>;
  };
  for (const byMethod of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(byMethod)) {
      if (!operation[marker]) continue;
      delete operation[marker];
      operation.parameters = [
        { $ref: '#/components/parameters/IdempotencyKey' },
        ...(operation.parameters ?? []),
      ];
      for (const [code, response] of Object.entries(operation.responses ?? {})) {
        if (/^2\d\d$/.test(code))
          response.headers = {
            ...response.headers,
            'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' },
          };
      }
    }
  }
  const components = (doc.components ??= {});
  components.parameters = {
    ...components.parameters,
    IdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes a retry safe: send a new random key (1–255 visible ASCII characters, e.g. a UUID) with each new ' +
        'request, and the same key with the same request when retrying it. A key already answered gets the ' +
        'same status and body again (with `Idempotent-Replayed: true`); the same key with another request ' +
        'gets 422 `idempotency_key_reused`; a retry while the first is still running gets 409 ' +
        '`idempotency_key_in_progress`. Keys belong to the person and the organisation they act for, and are ' +
        `kept at least ${idempotencyRetentionHours} hours.`,
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
    },
  };
  components.headers = {
    ...components.headers,
    IdempotentReplayed: {
      description:
        '`true` when this answer is the stored answer to an earlier request with the same Idempotency-Key',
      schema: { type: 'string', enum: ['true'] },
    },
  };
  return document;
}

// ---------------------------------------------------------------------------------------------------------
// The daily sweep
// ---------------------------------------------------------------------------------------------------------

const sweepJob = 'kernel.idempotency_sweep';
const utcDay = (date: Date) => date.toISOString().slice(0, 10);

/** The next daily sweep: tomorrow at 03:00 UTC. */
export function nextSweepRun(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 3));
}

/** Deletes keys older than the retention; returns how many. */
export async function sweepIdempotencyKeys(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - idempotencyRetentionHours * 3_600_000);
  const deleted = await db
    .delete(kernelIdempotencyKeys)
    .where(lt(kernelIdempotencyKeys.createdAt, cutoff))
    .returning({ key: kernelIdempotencyKeys.key });
  return deleted.length;
}

/** Queues today's sweep unless one is pending or running (the dedupe key carries the day). */
export async function scheduleIdempotencySweep(kernel: Kernel, now = new Date()): Promise<void> {
  await inTransaction(kernel.database.db, async (tx) => {
    // An unmigrated database (`main.ts openapi` builds the app over an empty one) has no queue to use.
    const [queue] = await queryRows<{ ready: boolean }>(
      tx,
      sql`select to_regclass('kernel_jobs') is not null as ready`,
    );
    if (!queue?.ready) return;
    const [live] = await tx
      .select({ id: kernelJobs.id })
      .from(kernelJobs)
      .where(and(eq(kernelJobs.name, sweepJob), inArray(kernelJobs.status, ['pending', 'running'])))
      .limit(1);
    if (live) return;
    await kernel.jobs.enqueue(tx, sweepJob, {}, { runAt: now, dedupeKey: `${sweepJob}:${utcDay(now)}` });
  });
}

function setupIdempotencySweep(kernel: Kernel): void {
  kernel.jobs.register(sweepJob, async (_payload, run) => {
    const now = new Date();
    const next = nextSweepRun(now);
    // The successor is queued and committed first, so a failing sweep cannot end the daily chain.
    await inTransaction(kernel.database.db, (tx) =>
      kernel.jobs.enqueue(tx, sweepJob, {}, { runAt: next, dedupeKey: `${sweepJob}:${utcDay(next)}` }),
    );
    const deleted = await sweepIdempotencyKeys(kernel.database.db, now);
    run.log.info({ deleted }, 'idempotency keys swept');
  });
  // Queued in the background (buildApp is not the place to wait on the database); the next start retries.
  scheduleIdempotencySweep(kernel).catch((error: unknown) => {
    kernel.log.warn({ err: error }, 'could not queue the idempotency key sweep');
  });
}
