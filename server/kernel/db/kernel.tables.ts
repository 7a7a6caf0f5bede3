import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Small facts about this installation (e.g. whether demo data was loaded). */
export const kernelMeta = pgTable('kernel_meta', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Durable background jobs: written in the same transaction as the change that needs them. */
export const kernelJobs = pgTable(
  'kernel_jobs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: ['pending', 'running', 'done', 'failed'] })
      .notNull()
      .default('pending'),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(8),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lockedBy: text('locked_by'),
    lastError: text('last_error'),
    dedupeKey: text('dedupe_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    // The runner's hot query: due pending jobs in order.
    index('kernel_jobs_due_idx')
      .on(table.runAt)
      .where(sql`status = 'pending'`),
    index('kernel_jobs_running_idx')
      .on(table.lockedUntil)
      .where(sql`status = 'running'`),
    // One live job per dedupe key; finished ones no longer block a new one.
    uniqueIndex('kernel_jobs_dedupe_idx')
      .on(table.dedupeKey)
      .where(sql`dedupe_key is not null and status in ('pending', 'running')`),
    check('kernel_jobs_attempts_check', sql`attempts >= 0 and max_attempts >= 1`),
  ],
);

/** An audit entry's content: the columns of kernel_audit and of kernel_audit_queue alike (auditDigest covers them). */
const auditContentColumns = () => ({
  occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
  action: text('action').notNull(),
  actorPersonId: uuid('actor_person_id'),
  actorMembershipId: uuid('actor_membership_id'),
  organisationId: uuid('organisation_id'),
  objectType: text('object_type').notNull(),
  objectId: text('object_id'),
  ip: text('ip'),
  requestId: text('request_id'),
  details: jsonb('details').notNull(),
});

/**
 * The audit trail: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE; the app role has no such
 * grants) and hash-chained (each row's hash covers the previous row's hash), so any change is detectable.
 * SECURITY: details hold ids and names of things, never the sensitive values themselves.
 */
export const kernelAudit = pgTable(
  'kernel_audit',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
    ...auditContentColumns(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /**
     * SHA-256 of the entry's content (server/kernel/audit/audit.ts auditDigest); `hash` chains it to the entry
     * before. Null on entries chained before migration 0021, whose hash covers the content directly.
     */
    digest: text('digest'),
  },
  (table) => [
    index('kernel_audit_organisation_idx').on(table.organisationId, table.id),
    index('kernel_audit_object_idx').on(table.objectType, table.objectId),
    index('kernel_audit_actor_idx').on(table.actorPersonId, table.id),
  ],
);

export const kernelAuditSeq = pgSequence('kernel_audit_id_seq', { startWith: 1 });

/**
 * Audit entries written by a transaction that has not committed yet. At COMMIT a deferred trigger
 * (kernel_audit_chain, migration 0021) moves them into kernel_audit, chained, under the chain's lock: the lock is
 * held for that step of the commit only, never across a round trip to the application. Always empty between
 * transactions.
 */
export const kernelAuditQueue = pgTable('kernel_audit_queue', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  ...auditContentColumns(),
  digest: text('digest').notNull(),
});

/**
 * Data keys of each organisation (envelope encryption, ARCHITECTURE §4): a random 256-bit key per version,
 * stored only sealed under the master key. One version is active (new writes); retired versions still open
 * old values until rotation has re-encrypted them; a destroyed version keeps its row (so a leftover value
 * says "key destroyed", not "unknown key") but no key material.
 */
export const kernelOrganisationKeys = pgTable(
  'kernel_organisation_keys',
  {
    organisationId: uuid('organisation_id').notNull(),
    version: integer('version').notNull(),
    sealedKey: text('sealed_key'),
    state: text('state', { enum: ['active', 'retired', 'destroyed'] })
      .notNull()
      .default('active'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    destroyedAt: timestamp('destroyed_at', { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.organisationId, table.version] }),
    uniqueIndex('kernel_organisation_keys_active_idx')
      .on(table.organisationId)
      .where(sql`state = 'active'`),
    check('kernel_organisation_keys_version_check', sql`version >= 1`),
    check('kernel_organisation_keys_material_check', sql`(state = 'destroyed') = (sealed_key is null)`),
  ],
);

/**
 * Keys of the keyed HMAC blind indexes, one series per purpose (`lookup` for equality search inside an
 * organisation; `matching` for cross-organisation overlap detection, kept apart from the encryption keys).
 * Same life cycle as the organisation keys.
 */
export const kernelBlindIndexKeys = pgTable(
  'kernel_blind_index_keys',
  {
    purpose: text('purpose').notNull(),
    version: integer('version').notNull(),
    sealedKey: text('sealed_key'),
    state: text('state', { enum: ['active', 'retired', 'destroyed'] })
      .notNull()
      .default('active'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    destroyedAt: timestamp('destroyed_at', { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.purpose, table.version] }),
    uniqueIndex('kernel_blind_index_keys_active_idx')
      .on(table.purpose)
      .where(sql`state = 'active'`),
    check('kernel_blind_index_keys_version_check', sql`version >= 1`),
    check('kernel_blind_index_keys_material_check', sql`(state = 'destroyed') = (sealed_key is null)`),
  ],
);

/** One rotation of a key series: which versions, how far the background re-encryption has come. */
export const kernelKeyRotations = pgTable(
  'kernel_key_rotations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: ['organisation', 'blind_index'] }).notNull(),
    /** The organisation id (kind organisation) or the purpose (kind blind_index). */
    scope: text('scope').notNull(),
    fromVersion: integer('from_version').notNull(),
    toVersion: integer('to_version').notNull(),
    state: text('state', { enum: ['running', 'done', 'failed'] })
      .notNull()
      .default('running'),
    rowsDone: integer('rows_done').notNull().default(0),
    lastError: text('last_error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('kernel_key_rotations_running_idx')
      .on(table.kind, table.scope)
      .where(sql`state = 'running'`),
  ],
);

/**
 * Idempotency keys of retried writes (`Idempotency-Key` header), scoped to who asked (organisation and
 * person). The stored answer is sealed under the master key: it may carry data the caller was allowed to see,
 * and must not lie here in the clear. Old rows are swept by a job.
 */
export const kernelIdempotencyKeys = pgTable(
  'kernel_idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    operation: text('operation').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state', { enum: ['pending', 'done'] })
      .notNull()
      .default('pending'),
    statusCode: integer('status_code'),
    sealedResponse: text('sealed_response'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.scope, table.key] }),
    index('kernel_idempotency_keys_created_idx').on(table.createdAt),
  ],
);
