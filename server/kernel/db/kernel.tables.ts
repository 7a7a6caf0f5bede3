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

/**
 * The audit trail: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE; the app role has no such
 * grants) and hash-chained (each row's hash covers the previous row's hash), so any change is detectable.
 * SECURITY: details hold ids and names of things, never the sensitive values themselves.
 */
export const kernelAudit = pgTable(
  'kernel_audit',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
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
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (table) => [
    index('kernel_audit_organisation_idx').on(table.organisationId, table.id),
    index('kernel_audit_object_idx').on(table.objectType, table.objectId),
    index('kernel_audit_actor_idx').on(table.actorPersonId, table.id),
  ],
);

export const kernelAuditSeq = pgSequence('kernel_audit_id_seq', { startWith: 1 });
