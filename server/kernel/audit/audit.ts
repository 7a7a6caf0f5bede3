import { createHash } from 'node:crypto';
import { asc, gt, sql } from 'drizzle-orm';
import { kernelAudit, kernelMeta } from '../db/kernel.tables.js';
import { queryRows, type Db, type Tx } from '../db/types.js';

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
// Any fixed number: appends take this transaction-scoped lock so the chain is linear in commit order.
const AUDIT_LOCK_ID = '7310420615002';

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

interface HashedFields {
  id: number;
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

/** The hash of one audit row: SHA-256 over the previous hash and every field of the row. */
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

/**
 * Appends an audit event inside the transaction of the change it describes, so the two commit or roll back
 * together. Concurrent appends are serialised by an advisory lock held until commit.
 */
export async function recordAudit<A extends AuditAction>(
  tx: Tx,
  event: AuditEvent<A>,
  context: AuditContext = {},
): Promise<number> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_ID})`);
  const [head] = await queryRows<{ id: string; hash: string }>(
    tx,
    sql`select id, hash from kernel_audit order by id desc limit 1`,
  );
  const [next] = await queryRows<{ id: string }>(tx, sql`select nextval('kernel_audit_id_seq') as id`);
  const row: HashedFields = {
    id: Number(next!.id),
    // Millisecond precision: the column stores exactly what was hashed.
    occurredAt: new Date(Math.floor(Date.now())),
    action: event.action,
    actorPersonId: context.actorPersonId ?? null,
    actorMembershipId: context.actorMembershipId ?? null,
    organisationId: event.organisationId ?? null,
    objectType: event.objectType,
    objectId: event.objectId ?? null,
    ip: context.ip ?? null,
    requestId: context.requestId ?? null,
    details: JSON.parse(JSON.stringify(event.details)) as unknown,
  };
  const prevHash = head?.hash ?? GENESIS_HASH;
  const hash = auditHash(prevHash, row);
  await tx.insert(kernelAudit).values({ ...row, prevHash, hash });
  // The head lets verification notice rows cut off the end of the chain.
  await tx
    .insert(kernelMeta)
    .values({ key: HEAD_KEY, value: { id: row.id, hash } })
    .onConflictDoUpdate({
      target: kernelMeta.key,
      set: { value: { id: row.id, hash }, updatedAt: new Date() },
    });
  return row.id;
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
      if (auditHash(prevHash, row) !== row.hash) {
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
