import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
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
