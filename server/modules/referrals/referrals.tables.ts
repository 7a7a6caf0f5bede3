import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  pgPolicy,
  pgRole,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { casesFiles } from '../cases/index.js';
import { directorySupportRequests } from '../directory/index.js';
import { identityOrganisations, identityPeople } from '../identity/index.js';

const appRole = pgRole('cairn_app').existing();

const currentOrganisation = sql`nullif(current_setting('cairn.organisation_id', true), '')::uuid`;
const platformScope = sql`current_setting('cairn.scope', true) = 'platform'`;

/**
 * SECURITY: a row shared by two organisations (a referral, a transfer and their history) is visible to the
 * application role only inside a transaction scoped to one of them (or to the platform, for staff statistics and
 * background jobs), on top of the checks in the queries.
 */
const twoSidedPolicy = (name: string, first: string, second: string) =>
  pgPolicy(name, {
    as: 'permissive',
    for: 'all',
    to: appRole,
    using: sql`${sql.identifier(first)} = ${currentOrganisation} or ${sql.identifier(second)} = ${currentOrganisation} or ${platformScope}`,
    withCheck: sql`${sql.identifier(first)} = ${currentOrganisation} or ${sql.identifier(second)} = ${currentOrganisation} or ${platformScope}`,
  });

/** SECURITY: a message-thread row is visible only inside a transaction scoped to one of its parties. */
const partiesPolicy = (name: string) =>
  pgPolicy(name, {
    as: 'permissive',
    for: 'all',
    to: appRole,
    using: sql`${currentOrganisation} = any(party_organisation_ids) or ${platformScope}`,
    withCheck: sql`${currentOrganisation} = any(party_organisation_ids) or ${platformScope}`,
  });

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/**
 * A referral: the owner of a case file shares the consented sections of it with another organisation for named
 * services, read-only, until the referral closes. SECURITY: the recipient never gets a copy — it reads the
 * owner's case through the referral, and every read re-checks the referral's state and the survivor's consent.
 * Free text (note, reasons, outcome note) is sealed with the sender's key (`*_sealed`).
 */
export const referralsReferrals = pgTable(
  'referrals_referrals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => casesFiles.id, { onDelete: 'restrict' }),
    senderOrganisationId: uuid('sender_organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'restrict' }),
    recipientOrganisationId: uuid('recipient_organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'restrict' }),
    /** draft → sent → acknowledged → accepted | declined → in_progress → completed | closed; or cancelled. */
    state: text('state').notNull().default('draft'),
    /** Services asked for (the directory's vocabulary). */
    services: text('services').array().notNull(),
    /** The case sections shared: each covered by an active Referral consent for this recipient, or overridden. */
    sections: text('sections').array().notNull(),
    /** Sections shared without consent, on a supervisor's recorded override. */
    overrideSections: text('override_sections')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    overrideBy: uuid('override_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    overrideAt: timestamp('override_at', { withTimezone: true }),
    overrideReasonSealed: text('override_reason_sealed'),
    /** What the sender tells the recipient (no survivor identity is needed here; sealed all the same). */
    noteSealed: text('note_sealed'),
    urgency: text('urgency').notNull().default('normal'),
    /** Hours the recipient has to acknowledge once sent (default 48). */
    acknowledgeWithinHours: integer('acknowledge_within_hours').notNull().default(48),
    acknowledgeDueAt: timestamp('acknowledge_due_at', { withTimezone: true }),
    reminderSentAt: timestamp('reminder_sent_at', { withTimezone: true }),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    /** The first referral between the two organisations: the sender confirmed after seeing both tiers. */
    newPartnerConfirmed: boolean('new_partner_confirmed').notNull().default(false),
    /** The accepted support request this referral was made from, if any. */
    supportRequestId: uuid('support_request_id').references(() => directorySupportRequests.id, {
      onDelete: 'set null',
    }),
    createdBy: uuid('created_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    /** Who handles it at the recipient (set on acceptance). */
    recipientPersonId: uuid('recipient_person_id').references(() => identityPeople.id, {
      onDelete: 'set null',
    }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    declineReasonSealed: text('decline_reason_sealed'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    /** completed: services_delivered | survivor_declined | could_not_contact | other. */
    outcome: text('outcome'),
    outcomeNoteSealed: text('outcome_note_sealed'),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** sender | recipient, for a cancellation. */
    cancelledBy: text('cancelled_by'),
    cancelReasonSealed: text('cancel_reason_sealed'),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (table) => [
    index('referrals_referrals_sender_idx').on(table.senderOrganisationId, table.state, table.updatedAt),
    index('referrals_referrals_recipient_idx').on(
      table.recipientOrganisationId,
      table.state,
      table.updatedAt,
    ),
    index('referrals_referrals_case_idx').on(table.caseId),
    // The boxes list newest first without a state filter: one index per side serves the page directly.
    index('referrals_referrals_sent_list_idx').on(
      table.senderOrganisationId,
      table.updatedAt.desc(),
      table.id.desc(),
    ),
    // Migration 0018 adds INCLUDE (sender, state, acknowledge due date) for the received box's index-only scan.
    index('referrals_referrals_received_list_idx')
      .on(table.recipientOrganisationId, table.updatedAt.desc(), table.id.desc())
      .where(sql`${table.sentAt} is not null`),
    index('referrals_referrals_due_idx')
      .on(table.acknowledgeDueAt)
      .where(sql`${table.state} = 'sent'`),
    twoSidedPolicy('referrals_referrals_parties', 'sender_organisation_id', 'recipient_organisation_id'),
  ],
).enableRLS();

/** Every transition of a referral or transfer, for the timeline both sides see (the audit trail has it too). */
export const referralsTransitions = pgTable(
  'referrals_transitions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** referral | transfer */
    subjectKind: text('subject_kind').notNull(),
    subjectId: uuid('subject_id').notNull(),
    senderOrganisationId: uuid('sender_organisation_id').notNull(),
    recipientOrganisationId: uuid('recipient_organisation_id').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    byOrganisationId: uuid('by_organisation_id'),
    byPersonId: uuid('by_person_id').references(() => identityPeople.id, { onDelete: 'set null' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('referrals_transitions_subject_idx').on(table.subjectId, table.at),
    twoSidedPolicy('referrals_transitions_parties', 'sender_organisation_id', 'recipient_organisation_id'),
  ],
).enableRLS();

/**
 * A transfer: ownership of a case file moves to another organisation (the survivor's Transfer consent names it).
 * requested → accepted | rejected | revoked. On acceptance the case is re-sealed under the recipient's key; the
 * sender may keep a read-only record of what it held, sealed under its own key (`record_sealed`).
 */
export const referralsTransfers = pgTable(
  'referrals_transfers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => casesFiles.id, { onDelete: 'restrict' }),
    senderOrganisationId: uuid('sender_organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'restrict' }),
    recipientOrganisationId: uuid('recipient_organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'restrict' }),
    state: text('state').notNull().default('requested'),
    /** The case's reference at the sender when the transfer was asked (the recipient gives its own). */
    senderReference: text('sender_reference').notNull(),
    keepRecord: boolean('keep_record').notNull().default(false),
    noteSealed: text('note_sealed'),
    requestedBy: uuid('requested_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    decidedBy: uuid('decided_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    reasonSealed: text('reason_sealed'),
    /** The sender's read-only record of the case as it held it, sealed with the sender's key. */
    recordSealed: text('record_sealed'),
    newPartnerConfirmed: boolean('new_partner_confirmed').notNull().default(false),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (table) => [
    index('referrals_transfers_sender_idx').on(table.senderOrganisationId, table.state, table.updatedAt),
    index('referrals_transfers_recipient_idx').on(
      table.recipientOrganisationId,
      table.state,
      table.updatedAt,
    ),
    // One open transfer per case at a time.
    uniqueIndex('referrals_transfers_open_idx')
      .on(table.caseId)
      .where(sql`${table.state} = 'requested'`),
    twoSidedPolicy('referrals_transfers_parties', 'sender_organisation_id', 'recipient_organisation_id'),
  ],
).enableRLS();

/**
 * A message thread about a referral, a transfer or a support request, between the people of its parties.
 * `party_organisation_ids` decides visibility (row-level security); the subject's own rules decide who may post.
 */
export const referralsThreads = pgTable(
  'referrals_threads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** referral | transfer | support_request */
    subjectKind: text('subject_kind').notNull(),
    subjectId: uuid('subject_id').notNull(),
    partyOrganisationIds: uuid('party_organisation_ids').array().notNull(),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
    ...timestamps,
  },
  (table) => [
    // A support request has one thread per recipient; a referral or transfer has one.
    uniqueIndex('referrals_threads_subject_idx').on(
      table.subjectKind,
      table.subjectId,
      table.partyOrganisationIds,
    ),
    // Unread counts and listings look threads up by party.
    index('referrals_threads_parties_idx').using('gin', table.partyOrganisationIds),
    partiesPolicy('referrals_threads_parties'),
  ],
).enableRLS();

/** A message: its body (and attachment, if any) sealed with the author's organisation's key. */
export const referralsMessages = pgTable(
  'referrals_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    threadId: uuid('thread_id')
      .notNull()
      .references(() => referralsThreads.id, { onDelete: 'cascade' }),
    /** The thread's parties, repeated so this table's policy need not read the threads table. */
    partyOrganisationIds: uuid('party_organisation_ids').array().notNull(),
    authorOrganisationId: uuid('author_organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'restrict' }),
    authorPersonId: uuid('author_person_id').references(() => identityPeople.id, { onDelete: 'set null' }),
    bodySealed: text('body_sealed').notNull(),
    /** People mentioned (ids only): they are notified. */
    mentions: uuid('mentions')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    /** The attachment's metadata (name, type, size, file key) sealed; the bytes are in storage, encrypted. */
    attachmentSealed: text('attachment_sealed'),
    attachmentStorageKey: text('attachment_storage_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('referrals_messages_thread_idx').on(table.threadId, table.createdAt),
    partiesPolicy('referrals_messages_parties'),
  ],
).enableRLS();

/** Read receipts: who read a thread up to which moment. */
export const referralsReads = pgTable(
  'referrals_reads',
  {
    threadId: uuid('thread_id')
      .notNull()
      .references(() => referralsThreads.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').notNull(),
    partyOrganisationIds: uuid('party_organisation_ids').array().notNull(),
    readAt: timestamp('read_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.threadId, table.personId] }),
    partiesPolicy('referrals_reads_parties'),
  ],
).enableRLS();
