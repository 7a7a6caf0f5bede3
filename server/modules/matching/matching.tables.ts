import { sql } from 'drizzle-orm';
import {
  boolean,
  customType,
  date,
  index,
  integer,
  pgPolicy,
  pgRole,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { identityOrganisations, identityPeople } from '../identity/index.js';

const appRole = pgRole('cairn_app').existing();

/** A fixed-length bit string (PostgreSQL `bit(n)`), written and read as a string of 0s and 1s. */
const bits = customType<{ data: string; config: { length: number } }>({
  dataType: (config) => `bit(${config?.length ?? 1})`,
});

const tenantCondition = sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform'`;

/**
 * SECURITY: a row is visible to the application role only inside a transaction scoped to its organisation, or
 * to the platform. Screening compares other organisations' blind indexes in platform scope, and returns
 * organisation ids and selector types only (matching.screen.ts).
 */
const tenantPolicy = (name: string) =>
  pgPolicy(name, {
    as: 'permissive',
    for: 'all',
    to: appRole,
    using: tenantCondition,
    withCheck: tenantCondition,
  });

/**
 * What takes part in matching: an investigation or planned operation an organisation registered, or a case
 * file (written and kept in step by matching.cases.ts). The title is sealed with the organisation's key; the place is a country and optionally an
 * admin-1 region, the time a window of dates — both only for place-and-time deconfliction.
 */
export const matchingSubjects = pgTable(
  'matching_subjects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'restrict' }),
    /** investigation | operation | case */
    kind: text('kind').notNull(),
    /** The case file a subject of kind `case` follows (one per case and owner; a transferred case gets another). */
    caseId: uuid('case_id'),
    /** For a case: the day its Matching consents change by themselves (the daily sweep follows it again then). */
    reviewOn: date('review_on'),
    titleSealed: text('title_sealed').notNull(),
    /** open | closed: a closed subject no longer takes part in screening. */
    status: text('status').notNull().default('open'),
    /** ISO 3166-1 alpha-2, or null. */
    country: text('country'),
    /** GeoNames admin-1 code (`KE.19`), or null. */
    region: text('region'),
    windowStart: date('window_start'),
    windowEnd: date('window_end'),
    createdBy: uuid('created_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('matching_subjects_organisation_idx').on(table.organisationId, table.createdAt),
    uniqueIndex('matching_subjects_case_idx')
      .on(table.caseId, table.organisationId)
      .where(sql`${table.caseId} is not null`),
    index('matching_subjects_review_idx')
      .on(table.reviewOn)
      .where(sql`${table.reviewOn} is not null`),
    index('matching_subjects_place_idx')
      .on(table.country, table.windowStart)
      .where(sql`${table.status} = 'open' and ${table.country} is not null`),
    // Screening checks that the other subject is open for every hit: a small index answers without the heap.
    index('matching_subjects_open_idx')
      .on(table.id)
      .where(sql`${table.status} = 'open'`),
    tenantPolicy('matching_subjects_tenant'),
  ],
).enableRLS();

/**
 * One selector of a subject: its type and its keyed blind index under the matching key. SECURITY: no plaintext;
 * `selector_sealed` holds the canonical selector sealed with the organisation's key, only so key rotation can
 * recompute the index (kernel keyring); the screening never opens it.
 */
export const matchingSelectors = pgTable(
  'matching_selectors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').notNull(),
    subjectId: uuid('subject_id')
      .notNull()
      .references(() => matchingSubjects.id, { onDelete: 'cascade' }),
    selectorType: text('selector_type').notNull(),
    blindIndex: text('blind_index').notNull(),
    selectorSealed: text('selector_sealed').notNull(),
  },
  (table) => [
    // Screening only ever asks "which rows have this index": a hash index answers in about one page read per
    // selector and is a seventh of a B-tree's size (256 MB against 1.9 GB at 10M rows), so it stays in memory;
    // measured 5-10x faster for a 20-selector screening and 2x for re-screening (docs/matching.md).
    index('matching_selectors_index_idx').using('hash', table.blindIndex),
    index('matching_selectors_subject_idx').on(table.subjectId),
    // Bulk re-screening starts from one organisation's selectors, read from this index alone (it carries every
    // column needed).
    index('matching_selectors_organisation_idx').on(
      table.organisationId,
      table.subjectId,
      table.selectorType,
      table.blindIndex,
    ),
    tenantPolicy('matching_selectors_tenant'),
  ],
).enableRLS();

/**
 * The fuzzy encoding of a person's name: a keyed Bloom filter (1024 bits) in a block — the blind index of the
 * birth year or nationality it came with — so names are only ever compared within a block, never bare.
 */
export const matchingNames = pgTable(
  'matching_names',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').notNull(),
    subjectId: uuid('subject_id')
      .notNull()
      .references(() => matchingSubjects.id, { onDelete: 'cascade' }),
    /**
     * The person selector (plain compound, this block) the name came with: key rotation re-encodes the filter
     * from that selector's sealed canonical name. Null only for rows written before it existed.
     */
    selectorId: uuid('selector_id').references(() => matchingSelectors.id, { onDelete: 'cascade' }),
    /** The matching key version both encodings were made with (filters of two versions never compare). */
    keyVersion: integer('key_version').notNull(),
    block: text('block').notNull(),
    filter: bits('filter', { length: 1024 }).notNull(),
    /** Bits set in the filter, for the Dice coefficient. */
    ones: smallint('ones').notNull(),
    /**
     * The filter's locality-sensitive band keys (docs/matching.md "Candidates"), computed by PostgreSQL from the
     * block and the filter, so they follow every rewrite of either (key rotation included). Screening compares
     * only names that share a band key, instead of every name in the block.
     */
    bands: integer('bands')
      .array()
      .notNull()
      .generatedAlwaysAs(sql`matching_name_bands(block, filter)`),
  },
  (table) => [
    // No fast-update pending list: every search scans the whole list, which made a screening 10× slower after a
    // few hundred inserts (measured); a name's 16 keys go straight into the index instead.
    index('matching_names_bands_idx').using('gin', table.bands).with({ fastupdate: false }),
    index('matching_names_subject_idx').on(table.subjectId),
    index('matching_names_organisation_idx').on(table.organisationId),
    index('matching_names_selector_idx').on(table.selectorId),
    tenantPolicy('matching_names_tenant'),
  ],
).enableRLS();

const matchPartyCondition = sql`low_organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or high_organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform'`;

/**
 * A possible overlap between two subjects of two organisations on one kind of selector. The pair is stored in a
 * fixed order (low = the smaller subject id) so it is recorded once; each side has its own status. SECURITY:
 * visible to the two organisations only; what each learns is the selector type and the other organisation.
 */
export const matchingMatches = pgTable(
  'matching_matches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** A canonical selector type, `person_name_fuzzy`, or `place_time`. */
    selectorType: text('selector_type').notNull(),
    /** The Dice coefficient of a fuzzy name match, or null. */
    score: real('score'),
    /**
     * The two subjects. Not foreign keys: a match is only ever written by a statement that joins both subjects
     * (open ones), and re-screening writes thousands at a time, where the two per-row key checks took 40 % of
     * the time (docs/matching.md, bulk re-screening). Cairn closes subjects and never deletes them; a subject
     * deleted by hand takes its matches with it (trigger `matching_subjects_drop_matches`, migration 0026).
     */
    lowSubjectId: uuid('low_subject_id').notNull(),
    lowOrganisationId: uuid('low_organisation_id').notNull(),
    highSubjectId: uuid('high_subject_id').notNull(),
    highOrganisationId: uuid('high_organisation_id').notNull(),
    /** new | in_contact | resolved | dismissed, per side. */
    lowStatus: text('low_status').notNull().default('new'),
    highStatus: text('high_status').notNull().default('new'),
    lowAgreedAt: timestamp('low_agreed_at', { withTimezone: true }),
    highAgreedAt: timestamp('high_agreed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('matching_matches_pair_idx').on(table.lowSubjectId, table.highSubjectId, table.selectorType),
    index('matching_matches_low_idx').on(table.lowOrganisationId, table.createdAt),
    index('matching_matches_high_idx').on(table.highOrganisationId, table.createdAt),
    pgPolicy('matching_matches_party', {
      as: 'permissive',
      for: 'all',
      to: appRole,
      using: matchPartyCondition,
      withCheck: matchPartyCondition,
    }),
  ],
).enableRLS();

/**
 * One lookup (a screening that stores nothing): who, which selector types, how many hits. SECURITY: never the
 * selectors themselves. Read by the organisation's admins and supervisors, and counted for the quotas.
 */
export const matchingLookups = pgTable(
  'matching_lookups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    /** lookup (nothing stored) | register (a subject registered and screened) */
    purpose: text('purpose').notNull(),
    selectorTypes: text('selector_types').array().notNull(),
    hits: integer('hits').notNull(),
    /** This lookup raised a spike report (matching.notifications.ts): no other for the person within 24 hours. */
    spike: boolean('spike').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('matching_lookups_organisation_idx').on(table.organisationId, table.createdAt),
    index('matching_lookups_person_idx').on(table.personId, table.createdAt),
    tenantPolicy('matching_lookups_tenant'),
  ],
).enableRLS();

/** An organisation's choice per selector type (no row: taking part). */
export const matchingParticipation = pgTable(
  'matching_participation',
  {
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    selectorType: text('selector_type').notNull(),
    enabled: boolean('enabled').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.organisationId, table.selectorType] }),
    tenantPolicy('matching_participation_tenant'),
  ],
).enableRLS();

/**
 * An organisation's matching settings, chosen by its admins: the focal point other organisations may write to
 * (through Cairn, never by email address) about a match, before both sides agreed to connect.
 */
export const matchingSettings = pgTable(
  'matching_settings',
  {
    organisationId: uuid('organisation_id')
      .primaryKey()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    /** A member of the organisation (org admin, case supervisor or investigator), or null: none named. */
    focalPersonId: uuid('focal_person_id').references(() => identityPeople.id, { onDelete: 'set null' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  () => [tenantPolicy('matching_settings_tenant')],
).enableRLS();

const platformCondition = sql`current_setting('cairn.scope', true) = 'platform'`;

/**
 * Platform staff's lookup quotas for one organisation, in place of the platform's defaults (a null limit keeps
 * the default). SECURITY: the organisation reads its row; only platform scope writes one, so no code path
 * acting for the organisation can raise its own quota.
 */
export const matchingQuotaOverrides = pgTable(
  'matching_quota_overrides',
  {
    organisationId: uuid('organisation_id')
      .primaryKey()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    lookupsPerPerson: integer('lookups_per_person'),
    lookupsPerOrganisation: integer('lookups_per_organisation'),
    /** Why staff set it (shown to platform staff and audited). */
    reason: text('reason').notNull(),
    setBy: uuid('set_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  () => [
    pgPolicy('matching_quota_overrides_read', {
      as: 'permissive',
      for: 'select',
      to: appRole,
      using: tenantCondition,
    }),
    pgPolicy('matching_quota_overrides_write', {
      as: 'permissive',
      for: 'all',
      to: appRole,
      using: platformCondition,
      withCheck: platformCondition,
    }),
  ],
).enableRLS();
