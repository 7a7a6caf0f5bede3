import { createHash } from 'node:crypto';
import { asc, gt, sql } from 'drizzle-orm';
import { kernelAudit, kernelAuditQueue, kernelMeta } from '../db/kernel.tables.js';
import { beforeCommit } from '../db/transaction.js';
import type { Db, Tx } from '../db/types.js';

/**
 * The audit events of Cairn, by action, with their details. Modules add theirs by declaration merging.
 * SECURITY: details name things (ids, roles, tiers, field names) — never sensitive values.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AuditEvents {}

export type AuditAction = keyof AuditEvents;

/** Who did it and from where; filled from the request by the HTTP layer. */
export interface AuditContext {
  actorPersonId?: string | null;
  actorMembershipId?: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export interface AuditEvent<A extends AuditAction = AuditAction> {
  action: A;
  objectType: string;
  objectId?: string | null;
  /** The organisation whose trail this belongs to (its admins can read it). */
  organisationId?: string | null;
  details: AuditEvents[A];
}

export const GENESIS_HASH = '0'.repeat(64);
const HEAD_KEY = 'audit_head';
// The head is written by the chain's trigger, kernel_audit_chain() (migration 0021_audit_chained_at_commit).

/** JSON with object keys sorted at every level, so jsonb's own key order cannot change a hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

interface ContentFields {
  occurredAt: Date;
  action: string;
  actorPersonId: string | null;
  actorMembershipId: string | null;
  organisationId: string | null;
  objectType: string;
  objectId: string | null;
  ip: string | null;
  requestId: string | null;
  details: unknown;
}

interface HashedFields extends ContentFields {
  id: number;
}

/**
 * SHA-256 of an entry's content, every field but its place in the chain: what the application writes with the
 * entry, and what verification recomputes.
 */
export function auditDigest(entry: ContentFields): string {
  const body = canonicalJson([
    entry.occurredAt.toISOString(),
    entry.action,
    entry.actorPersonId,
    entry.actorMembershipId,
    entry.organisationId,
    entry.objectType,
    entry.objectId,
    entry.ip,
    entry.requestId,
    entry.details,
  ]);
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/**
 * The hash of an entry chained at COMMIT (migration 0021, kernel_audit_chain): SHA-256 over the previous hash,
 * the entry's id and its digest, exactly as the trigger computes it.
 */
export function chainHash(prevHash: string, id: number, digest: string): string {
  return createHash('sha256').update(`${prevHash}\n${id}\n${digest}`, 'utf8').digest('hex');
}

/**
 * The hash of an entry chained before migration 0021 (no digest column): SHA-256 over the previous hash and
 * every field of the row. Verification still checks those entries with it.
 */
export function auditHash(prevHash: string, row: HashedFields): string {
  const body = canonicalJson([
    row.id,
    row.occurredAt.toISOString(),
    row.action,
    row.actorPersonId,
    row.actorMembershipId,
    row.organisationId,
    row.objectType,
    row.objectId,
    row.ip,
    row.requestId,
    row.details,
  ]);
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
}

type PendingEntry = Omit<ContentFields, 'occurredAt'>;

// The entries a transaction has recorded, in order, waiting for its end.
const queued = new WeakMap<Tx, PendingEntry[]>();
// Rows per INSERT when a transaction appends many entries (an import), well under PostgreSQL's parameter limit.
const insertChunk = 500;

/**
 * Records an audit event in the transaction of the change it describes, so the two commit or roll back together.
 * In a transaction opened by inTransaction the entry is written just before COMMIT, with the transaction's other
 * entries, in one statement; elsewhere it is written at once. Either way it joins the chain at COMMIT (appendEntries).
 */
export async function recordAudit<A extends AuditAction>(
  tx: Tx,
  event: AuditEvent<A>,
  context: AuditContext = {},
): Promise<void> {
  const entry: PendingEntry = {
    action: event.action,
    actorPersonId: context.actorPersonId ?? null,
    actorMembershipId: context.actorMembershipId ?? null,
    organisationId: event.organisationId ?? null,
    objectType: event.objectType,
    objectId: event.objectId ?? null,
    ip: context.ip ?? null,
    requestId: context.requestId ?? null,
    // A copy as JSON now: later changes to the caller's object are not what happened.
    details: JSON.parse(JSON.stringify(event.details)) as unknown,
  };
  const queue = queued.get(tx);
  if (queue) {
    queue.push(entry);
    return;
  }
  const fresh = [entry];
  if (beforeCommit(tx, () => appendEntries(tx, fresh))) queued.set(tx, fresh);
  else await appendEntries(tx, fresh);
}

/**
 * Writes entries to the queue, in order, with their digests. At COMMIT the deferred trigger kernel_audit_chain
 * (migration 0021) gives them ids and chains them under the chain's lock, so the lock is never held across a round
 * trip to this process: a busy event loop cannot make every other writer wait.
 */
async function appendEntries(tx: Tx, entries: PendingEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // Millisecond precision: the column stores exactly what the digest covers.
  const occurredAt = new Date(Math.floor(Date.now()));
  const rows = entries.map((entry) => ({
    ...entry,
    occurredAt,
    digest: auditDigest({ ...entry, occurredAt }),
  }));
  for (let from = 0; from < rows.length; from += insertChunk) {
    await tx.insert(kernelAuditQueue).values(rows.slice(from, from + insertChunk));
  }
}

export type AuditVerification =
  { ok: true; checked: number } | { ok: false; checked: number; brokenId: number | null; reason: string };

/** Walks the whole chain in order and names the first entry that does not verify. */
export async function verifyAuditChain(db: Db, batchSize = 1000): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(kernelAudit)
      .where(gt(kernelAudit.id, lastId))
      .orderBy(asc(kernelAudit.id))
      .limit(batchSize);
    for (const row of rows) {
      if (row.prevHash !== prevHash) {
        return {
          ok: false,
          checked,
          brokenId: row.id,
          reason: 'previous hash does not match (a row before it was removed or changed)',
        };
      }
      // Entries chained at COMMIT carry their content's digest; older ones were hashed over their content.
      const expected =
        row.digest === null ? auditHash(prevHash, row) : chainHash(prevHash, row.id, auditDigest(row));
      if (expected !== row.hash) {
        return {
          ok: false,
          checked,
          brokenId: row.id,
          reason: 'content does not match its hash (the row was changed)',
        };
      }
      prevHash = row.hash;
      lastId = row.id;
      checked++;
    }
    if (rows.length < batchSize) break;
  }
  const [head] = await db
    .select()
    .from(kernelMeta)
    .where(sql`${kernelMeta.key} = ${HEAD_KEY}`);
  const recorded = head?.value as { id: number; hash: string } | undefined;
  if (recorded && (recorded.id !== lastId || recorded.hash !== prevHash)) {
    return {
      ok: false,
      checked,
      brokenId: recorded.id,
      reason: 'entries at the end of the trail are missing',
    };
  }
  if (!recorded && checked > 0) {
    return { ok: false, checked, brokenId: null, reason: 'the recorded head of the trail is missing' };
  }
  return { ok: true, checked };
}

/** The audit context of an HTTP request: who (from the actor), from where, under which request id. */
export function auditContextOf(request: {
  actor: { kind: string; personId?: string; membership?: { id: string } | null };
  ip: string;
  id: string;
}): AuditContext {
  const person = request.actor.kind === 'person' ? request.actor : undefined;
  return {
    actorPersonId: person?.personId ?? null,
    actorMembershipId: person?.membership?.id ?? null,
    ip: request.ip,
    requestId: request.id,
  };
}
