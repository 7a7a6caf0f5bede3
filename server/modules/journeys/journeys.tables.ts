import { sql } from 'drizzle-orm';
import {
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgRole,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { casesFiles } from '../cases/index.js';
import { identityOrganisations, identityPeople } from '../identity/index.js';

const appRole = pgRole('cairn_app').existing();

/**
 * SECURITY: a contribution is visible to the application role only inside a transaction scoped to its own
 * organisation, or to the platform (moderation, and the summary tables' refresh), on top of the queries' checks.
 */
const contributorPolicy = (name: string) =>
  pgPolicy(name, {
    as: 'permissive',
    for: 'all',
    to: appRole,
    using: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform'`,
    withCheck: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform'`,
  });

/**
 * A contributed route: who was moved, when, from where to where, exploited how. SECURITY: `organisation_id` and
 * `contributed_by` say who contributed it — they never leave the server except to platform moderators. The
 * route holds codes, bands and a count only; the moderator's note is sealed with the organisation's key.
 */
export const journeysRoutes = pgTable(
  'journeys_routes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'restrict' }),
    contributedBy: uuid('contributed_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    /** pending | validated | queried | rejected */
    status: text('status').notNull().default('pending'),
    /** form | import | case */
    source: text('source').notNull().default('form'),
    /** The case file a derived route follows (the "from a case" part of issue 7). */
    caseId: uuid('case_id').references(() => casesFiles.id, { onDelete: 'set null' }),
    year: smallint('year').notNull(),
    /** 1–4, or null when only the year is known. */
    quarter: smallint('quarter'),
    /** HTCDS exploitation types (at least one). */
    exploitationTypes: text('exploitation_types').array().notNull(),
    /** ISIC section as HTCDS codes it, or null. */
    industry: text('industry'),
    /** HTCDS `vic_MethodOfRecruitment`, or null. */
    recruitmentMethod: text('recruitment_method'),
    /** Estimated number of people the route describes. */
    people: integer('people').notNull(),
    genderBand: text('gender_band').notNull(),
    ageBand: text('age_band').notNull(),
    nationalityBand: text('nationality_band').notNull(),
    moderatorNoteSealed: text('moderator_note_sealed'),
    decidedBy: uuid('decided_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('journeys_routes_organisation_idx').on(table.organisationId, table.createdAt),
    index('journeys_routes_queue_idx')
      .on(table.createdAt)
      .where(sql`${table.status} = 'pending'`),
    index('journeys_routes_case_idx')
      .on(table.caseId)
      .where(sql`${table.caseId} is not null`),
    contributorPolicy('journeys_routes_contributor'),
  ],
).enableRLS();

/**
 * The places of a route, in order: its origin (position 0), its intended destination, its transit points and
 * its place(s) of exploitation. A place is a gazetteer city (its id and name, for the gazetteer version that
 * resolved it) or only a country with, optionally, a first-level region.
 */
export const journeysLegs = pgTable(
  'journeys_legs',
  {
    /**
     * The route. Not a declared foreign key: migration 0033's statement-level triggers check it and cascade a
     * route's deletion, once per statement instead of once per leg (a million-route import writes ~3.5M legs).
     */
    routeId: uuid('route_id').notNull(),
    /** The route's organisation, repeated so row-level security need not read the routes table. */
    organisationId: uuid('organisation_id').notNull(),
    position: smallint('position').notNull(),
    /** origin | destination | transit | exploitation */
    role: text('role').notNull(),
    placeId: integer('place_id'),
    placeName: text('place_name'),
    /** ISO 3166-1 alpha-2. */
    country: text('country').notNull(),
    /** GeoNames admin1 code (`VN.44`), or null. */
    region: text('region'),
    /** A border was crossed to reach this place. */
    borderCrossing: boolean('border_crossing').notNull().default(false),
    /** How this place was reached. */
    transport: text('transport'),
  },
  (table) => [
    primaryKey({ name: 'journeys_legs_pkey', columns: [table.routeId, table.position] }),
    contributorPolicy('journeys_legs_contributor'),
  ],
).enableRLS();

/**
 * Summary table of flows (docs/decisions/0011-journeys.md): people per (from → to) area pair, at country and at
 * admin-1 level, per year and quarter, in the slices the map reads (journeys.aggregates.ts): per exploitation
 * type and `*`, the exact cells of industry × nationality band, one slice per such filter (the other rolled up
 * to `*`) and the unfiltered slice; regions only in the unfiltered slice. Holds raw counts — small cells
 * included — so it is read only through the disclosure control of the map. It names no contribution and no
 * organisation.
 */
export const journeysFlows = pgTable(
  'journeys_flows',
  {
    /** country | region */
    level: text('level').notNull(),
    fromArea: text('from_area').notNull(),
    toArea: text('to_area').notNull(),
    fromCountry: text('from_country').notNull(),
    toCountry: text('to_country').notNull(),
    year: smallint('year').notNull(),
    /** 0 = the whole year; 1–4; 5 = contributions without a quarter. */
    quarter: smallint('quarter').notNull(),
    exploitationType: text('exploitation_type').notNull(),
    industry: text('industry').notNull(),
    nationalityBand: text('nationality_band').notNull(),
    people: integer('people').notNull(),
    routes: integer('routes').notNull(),
  },
  (table) => [
    // The key, in the order a map query narrows it: one slice, then a year range, then the pairs.
    uniqueIndex('journeys_flows_key_idx').on(
      table.level,
      table.quarter,
      table.exploitationType,
      table.industry,
      table.nationalityBand,
      table.year,
      table.fromArea,
      table.toArea,
    ),
    // Cells a rejection emptied, found without reading the table (none outlive the decision's transaction).
    index('journeys_flows_empty_idx')
      .on(table.level)
      .where(sql`${table.routes} <= 0`),
  ],
);

/**
 * Summary table of hotspots: people per area and role (origin, destination, transit, exploitation, and `any`:
 * the route touches the area), at world (`*`), country and admin-1 level, with the same dimensions as the flows.
 */
export const journeysHotspots = pgTable(
  'journeys_hotspots',
  {
    /** world | country | region */
    level: text('level').notNull(),
    area: text('area').notNull(),
    country: text('country').notNull(),
    /** origin | destination | transit | exploitation | any */
    role: text('role').notNull(),
    year: smallint('year').notNull(),
    quarter: smallint('quarter').notNull(),
    exploitationType: text('exploitation_type').notNull(),
    industry: text('industry').notNull(),
    nationalityBand: text('nationality_band').notNull(),
    people: integer('people').notNull(),
    routes: integer('routes').notNull(),
  },
  (table) => [
    uniqueIndex('journeys_hotspots_key_idx').on(
      table.level,
      table.quarter,
      table.exploitationType,
      table.industry,
      table.nationalityBand,
      table.year,
      table.area,
      table.role,
    ),
    index('journeys_hotspots_empty_idx')
      .on(table.level)
      .where(sql`${table.routes} <= 0`),
  ],
);

/** Bytes as PostgreSQL keeps them (`bytea`): node-postgres gives a Buffer, PGlite a Uint8Array. */
const bytes = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/**
 * The map's published answers (docs/decisions/0011-journeys.md, "The read path"): per slice (an exploitation
 * type, an industry and a nationality band, each given or `*`), per period, a world document (`area` = '') and
 * an area document per area that has more to show, as gzipped JSON, written by the publication job
 * (journeys.publication.ts) after disclosure control. The map sends these bytes as they are. They hold codes and
 * protected counts only: no contribution, no organisation, no cell under k.
 */
export const journeysDocuments = pgTable(
  'journeys_documents',
  {
    exploitationType: text('exploitation_type').notNull(),
    industry: text('industry').notNull(),
    nationalityBand: text('nationality_band').notNull(),
    /** A period id of journeys.publish.ts `mapPeriods`: `2024`, `last3`, `last5`, `all`. */
    period: text('period').notNull(),
    /** '' for the world document, else a country (`VN`) or a first-level region (`VN.44`). */
    area: text('area').notNull(),
    /** The document as gzipped UTF-8 JSON. */
    body: bytes('body').notNull(),
    /** A strong ETag of the JSON (its hash): the same answer keeps its tag across publications. */
    etag: text('etag').notNull(),
  },
  (table) => [
    primaryKey({
      name: 'journeys_documents_pkey',
      columns: [table.exploitationType, table.industry, table.nationalityBand, table.period, table.area],
    }),
  ],
);

/**
 * The slices whose documents no longer match the summary: marked in the transaction of each change (beside its
 * cells), cleared by the publication job once it has published them. `generation` counts the changes, so a
 * slice changed again while it was being published stays marked.
 */
export const journeysStaleSlices = pgTable(
  'journeys_stale_slices',
  {
    exploitationType: text('exploitation_type').notNull(),
    industry: text('industry').notNull(),
    nationalityBand: text('nationality_band').notNull(),
    generation: integer('generation').notNull().default(1),
  },
  (table) => [
    primaryKey({
      name: 'journeys_stale_slices_pkey',
      columns: [table.exploitationType, table.industry, table.nationalityBand],
    }),
  ],
);

/**
 * What the published documents were built with (one row): k, and the first and last years of all validated
 * contributions, which set the periods of every slice. When either changes, every slice is published again.
 */
export const journeysPublication = pgTable('journeys_publication', {
  id: smallint('id').primaryKey().default(1),
  k: integer('k').notNull(),
  /** Null when nothing was validated. */
  earliestYear: smallint('earliest_year'),
  latestYear: smallint('latest_year'),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A spreadsheet import of routes (issue 7, "Ways in"): uploaded, checked row by row in the background, then
 * committed all or nothing. SECURITY: nothing from the file is in a plaintext column — the row-by-row report
 * (which quotes cells) is sealed with the organisation's key; the file itself waits, sealed, in
 * `journeys_import_chunks`. Only its importer sees it (other people, other organisations: 404).
 */
export const journeysImports = pgTable(
  'journeys_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    /** tracker | ctdc */
    layout: text('layout').notNull(),
    /** csv | xlsx */
    format: text('format').notNull(),
    /** uploading | checking | checked | committing | committed | failed */
    status: text('status').notNull(),
    /** The column mapping asked for (field names, or null per column), or null to propose one. */
    mapping: jsonb('mapping'),
    bytes: integer('bytes').notNull().default(0),
    chunks: integer('chunks').notNull().default(0),
    totalRows: integer('total_rows').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    /** Counts only (rows, valid, invalid, issues, created): no content. */
    counts: jsonb('counts').notNull(),
    /** File name, columns and the row-by-row report, sealed. */
    reportSealed: text('report_sealed'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('journeys_imports_person_idx').on(table.personId, table.createdAt),
    index('journeys_imports_expiry_idx').on(table.expiresAt),
    contributorPolicy('journeys_imports_contributor'),
  ],
).enableRLS();

/**
 * The uploaded file of an import, in order, in sealed pieces of about 1 MiB: read back one piece at a time, so
 * a file of a million rows never sits whole in memory. Deleted once the import is committed or expires.
 */
export const journeysImportChunks = pgTable(
  'journeys_import_chunks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    importId: uuid('import_id')
      .notNull()
      .references(() => journeysImports.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').notNull(),
    seq: integer('seq').notNull(),
    sealed: text('sealed').notNull(),
  },
  (table) => [
    uniqueIndex('journeys_import_chunks_seq_idx').on(table.importId, table.seq),
    contributorPolicy('journeys_import_chunks_contributor'),
  ],
).enableRLS();
