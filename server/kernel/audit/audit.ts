import { createHash } from 'node:crypto';
import { asc, gt, sql } from 'drizzle-orm';
import { kernelAudit, kernelMeta } from '../db/kernel.tables.js';
import { beforeCommit } from '../db/transaction.js';
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
// The chain's transaction-scoped lock is taken by kernel_audit_reserve() (migration 0016_audit_append).

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

type PendingEntry = Omit<HashedFields, 'id' | 'occurredAt'>;

// The entries a transaction has recorded, in order, waiting for its end.
const queued = new WeakMap<Tx, PendingEntry[]>();
// Rows per INSERT when a transaction appends many entries (an import), well under PostgreSQL's parameter limit.
const insertChunk = 500;

/**
 * Records an audit event in the transaction of the change it describes, so the two commit or roll back together.
 * In a transaction opened by inTransaction the entry is appended just before COMMIT, with the transaction's other
 * entries: the chain's lock (which makes the chain linear in commit order) is then held for two statements and
 * the commit, not for the rest of the use case, so concurrent writers queue far less. Elsewhere it is appended at
 * once.
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

/** Appends entries to the chain: lock, head and ids in one call, then the rows and the new head in one more. */
async function appendEntries(tx: Tx, entries: PendingEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const [reserved] = await queryRows<{ head_hash: string | null; ids: (string | number)[] }>(
    tx,
    sql`select head_hash, ids from kernel_audit_reserve(${entries.length})`,
  );
  // Millisecond precision: the column stores exactly what was hashed.
  const occurredAt = new Date(Math.floor(Date.now()));
  let prevHash = reserved?.head_hash ?? GENESIS_HASH;
  const rows = entries.map((entry, index) => {
    const row: HashedFields = { ...entry, id: Number(reserved!.ids[index]), occurredAt };
    const hash = auditHash(prevHash, row);
    const stored = { ...row, prevHash, hash };
    prevHash = hash;
    return stored;
  });
  const last = rows.at(-1)!;
  for (let from = 0; from + insertChunk < rows.length; from += insertChunk) {
    await tx.insert(kernelAudit).values(rows.slice(from, from + insertChunk));
  }
  const tail = rows.slice(Math.floor((rows.length - 1) / insertChunk) * insertChunk);
  // The head lets verification notice rows cut off the end of the chain; written with the last rows.
  const head = { id: last.id, hash: last.hash };
  await tx.execute(
    sql`with appended as (${tx.insert(kernelAudit).values(tail).getSQL()}) ${tx
      .insert(kernelMeta)
      .values({ key: HEAD_KEY, value: head })
      .onConflictDoUpdate({ target: kernelMeta.key, set: { value: head, updatedAt: new Date() } })
      .getSQL()}`,
  );
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
