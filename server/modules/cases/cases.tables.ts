import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgRole,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { identityMemberships, identityOrganisations, identityPeople } from '../identity/index.js';

const appRole = pgRole('cairn_app').existing();

/**
 * SECURITY: every case table is a tenant table. Row-level security shows the application role only the rows
 * of the organisation its transaction is scoped to (setTenant), on top of the checks in the queries.
 */
const tenantPolicy = (name: string) =>
  pgPolicy(name, {
    as: 'permissive',
    for: 'all',
    to: appRole,
    using: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid`,
    withCheck: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid`,
  });

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/**
 * A survivor's case file (HTCDS `prs_`, `vic_`, `cas_`). SECURITY: the identifying sections (identity,
 * contact, documents, narrative) are sealed by the application with the organisation's key before they reach
 * this table (`*_sealed`); `profile` and `victim` hold only picklist values, codes and numbers.
 */
export const casesFiles = pgTable(
  'cases_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'restrict' }),
    /** The organisation's own number for the case (e.g. 2026-0042): says nothing about the survivor. */
    reference: text('reference').notNull(),
    status: text('status').notNull().default('Active'),
    /** An intake saved before it was complete. */
    draft: boolean('draft').notNull().default(false),
    /** Only the named staff (cases_restricted_staff) may open it, supervisors included. */
    restricted: boolean('restricted').notNull().default(false),
    identitySealed: text('identity_sealed'),
    contactSealed: text('contact_sealed'),
    documentsSealed: text('documents_sealed'),
    narrativeSealed: text('narrative_sealed'),
    profile: jsonb('profile').$type<Record<string, unknown>>().notNull().default({}),
    victim: jsonb('victim').$type<Record<string, unknown>>().notNull().default({}),
    openedOn: date('opened_on').notNull(),
    closedOn: date('closed_on'),
    /** A closure waiting for a supervisor: who asked, when, and to which closed status. */
    closureRequestedBy: uuid('closure_requested_by').references(() => identityPeople.id, {
      onDelete: 'set null',
    }),
    closureRequestedAt: timestamp('closure_requested_at', { withTimezone: true }),
    closureStatus: text('closure_status'),
    closureReasonSealed: text('closure_reason_sealed'),
    createdBy: uuid('created_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    /** Optimistic concurrency: a save names the version it edited. */
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('cases_files_reference_idx').on(table.organisationId, table.reference),
    index('cases_files_updated_idx').on(table.organisationId, table.updatedAt),
    tenantPolicy('cases_files_tenant'),
  ],
).enableRLS();

/** Who works on a case. A caseworker sees the cases assigned to them. */
export const casesAssignments = pgTable(
  'cases_assignments',
  {
    caseId: uuid('case_id')
      .notNull()
      .references(() => casesFiles.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').notNull(),
    membershipId: uuid('membership_id')
      .notNull()
      .references(() => identityMemberships.id, { onDelete: 'cascade' }),
    primary: boolean('primary').notNull().default(false),
    assignedAt: timestamp('assigned_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.caseId, table.membershipId] }),
    index('cases_assignments_membership_idx').on(table.membershipId),
    tenantPolicy('cases_assignments_tenant'),
  ],
).enableRLS();

/** The named staff of a restricted case. */
export const casesRestrictedStaff = pgTable(
  'cases_restricted_staff',
  {
    caseId: uuid('case_id')
      .notNull()
      .references(() => casesFiles.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').notNull(),
    membershipId: uuid('membership_id')
      .notNull()
      .references(() => identityMemberships.id, { onDelete: 'cascade' }),
  },
  (table) => [
    primaryKey({ columns: [table.caseId, table.membershipId] }),
    // Lists test "is this person named on the case" for every restricted case: without it the planner hashes every
    // named-staff row of the platform (37 ms of a dashboard at 1M cases).
    index('cases_restricted_staff_membership_idx').on(table.membershipId),
    tenantPolicy('cases_restricted_staff_tenant'),
  ],
).enableRLS();

/**
 * The repeating parts of a case file, one row each: perpetrators (`per_`), trafficking events (`hte_`), support
 * plan items (`spl_`), follow-ups, comments (`cco_`). `attributes` holds picklist values, codes and dates;
 * everything free-text or identifying is in `sealed`.
 */
export const casesEntries = pgTable(
  'cases_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => casesFiles.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').notNull(),
    kind: text('kind', { enum: ['perpetrator', 'event', 'supportPlan', 'followUp', 'comment'] }).notNull(),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    sealed: text('sealed'),
    /** Follow-ups and support-plan items: when it is due; and when it was done. */
    dueOn: date('due_on'),
    doneAt: timestamp('done_at', { withTimezone: true }),
    /** Whom a follow-up's reminder goes to. */
    assigneeId: uuid('assignee_id').references(() => identityPeople.id, { onDelete: 'set null' }),
    remindedAt: timestamp('reminded_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (table) => [
    index('cases_entries_case_idx').on(table.caseId, table.kind, table.createdAt),
    index('cases_entries_due_idx')
      .on(table.organisationId, table.dueOn)
      .where(sql`done_at is null and due_on is not null`),
    // The hourly reminder sweep: follow-ups due and not yet reminded, across organisations.
    index('cases_entries_reminder_idx')
      .on(table.dueOn)
      .where(sql`kind = 'followUp' and done_at is null and reminded_at is null and assignee_id is not null`),
    // The dashboard: open follow-ups assigned to a person.
    index('cases_entries_assignee_idx')
      .on(table.assigneeId, table.dueOn)
      .where(sql`done_at is null and assignee_id is not null`),
    tenantPolicy('cases_entries_tenant'),
  ],
).enableRLS();

/**
 * Consent records (HTCDS `con_`, one per purpose): scope (which sections), recipient organisation (referrals),
 * who recorded it, when, expiry and revocation. Checked on the server wherever data leaves the case.
 */
export const casesConsents = pgTable(
  'cases_consents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => casesFiles.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').notNull(),
    purpose: text('purpose').notNull(),
    recipientOrganisationId: uuid('recipient_organisation_id').references(() => identityOrganisations.id, {
      onDelete: 'set null',
    }),
    sections: text('sections').array().notNull(),
    givenOn: date('given_on').notNull(),
    expiresOn: date('expires_on'),
    recordedBy: uuid('recorded_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    noteSealed: text('note_sealed'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: uuid('revoked_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (table) => [index('cases_consents_case_idx').on(table.caseId), tenantPolicy('cases_consents_tenant')],
).enableRLS();

/**
 * Blind-index entries for duplicate warnings inside the organisation: keyed HMACs (`digest`, the
 * organisation's `lookup` scope) of a document number, or of name + birth year. The indexed value itself is
 * kept sealed beside its digest so a blind-index key rotation can recompute the digest from this row alone.
 */
export const casesLookup = pgTable(
  'cases_lookup',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => casesFiles.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').notNull(),
    kind: text('kind', { enum: ['document', 'name_birth_year'] }).notNull(),
    valueSealed: text('value_sealed').notNull(),
    digest: text('digest').notNull(),
  },
  (table) => [
    index('cases_lookup_case_idx').on(table.caseId),
    index('cases_lookup_digest_idx').on(table.organisationId, table.digest),
    tenantPolicy('cases_lookup_tenant'),
  ],
).enableRLS();

/** A supervisor's time-limited opening of a case outside their scope, with a written reason (sealed). */
export const casesBreakGlass = pgTable(
  'cases_break_glass',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => casesFiles.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    reasonSealed: text('reason_sealed').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('cases_break_glass_case_idx').on(table.caseId, table.personId, table.expiresAt),
    tenantPolicy('cases_break_glass_tenant'),
  ],
).enableRLS();
