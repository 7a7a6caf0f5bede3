import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgRole,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { identityOrganisations, identityPeople } from '../identity/index.js';

/**
 * The tables of HTCDS exchange (export requests and imports of case files). Both are tenant tables like the
 * other case tables. SECURITY: neither holds anything from a case file in plaintext — an export request names
 * cases by id only, and an import keeps its file name, report and checked rows sealed in `payload_sealed`.
 */

const appRole = pgRole('cairn_app').existing();

/** Row-level security: the application role sees only the rows of the organisation of its transaction. */
const tenantPolicy = (name: string) =>
  pgPolicy(name, {
    as: 'permissive',
    for: 'all',
    to: appRole,
    using: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid`,
    withCheck: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid`,
  });

/**
 * A bulk export of case files waiting for (or given) a second supervisor's approval (four eyes). The
 * password of the archive is given at download time and never stored.
 */
export const casesExportRequests = pgTable(
  'cases_export_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'restrict' }),
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    /** `selected` (the cases named) or `all` (every case the requester could reach when asking). */
    scope: text('scope').notNull(),
    /** The cases, by id only, fixed when the request is made so the approver approves a known set. */
    caseIds: uuid('case_ids').array().notNull(),
    /** `csv`, `json` or `xlsx`. */
    format: text('format').notNull(),
    includeIdentifying: boolean('include_identifying').notNull(),
    /** `pending`, `approved`, `rejected`, `downloaded`. */
    status: text('status').notNull().default('pending'),
    decidedBy: uuid('decided_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** A pending request waits this long for a decision; an approved one may be downloaded until then. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    downloadedAt: timestamp('downloaded_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('cases_export_requests_org_idx').on(table.organisationId, table.createdAt),
    tenantPolicy('cases_export_requests_tenant'),
  ],
).enableRLS();

/**
 * An HTCDS import between its dry run and its commit. Only counts and the status are plaintext; SECURITY:
 * the file name, the row report (it quotes cell values) and the checked cases are one JSON document sealed
 * under the organisation's key (kernel.keys, registered for rotation) in `payload_sealed`.
 */
export const casesImports = pgTable(
  'cases_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'restrict' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    /** `checked`, `committing`, `committed`, `failed`. */
    status: text('status').notNull(),
    /** `csv`, `xlsx`, `zip` (CSV files of an export) or `json`. */
    format: text('format').notNull(),
    /** Cases in the file, and cases written so far by the commit. */
    totalRows: integer('total_rows').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    /** Numbers only: cases, valid, invalid, issues, created. */
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
    payloadSealed: text('payload_sealed'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('cases_imports_person_idx').on(table.personId, table.createdAt),
    tenantPolicy('cases_imports_tenant'),
  ],
).enableRLS();
