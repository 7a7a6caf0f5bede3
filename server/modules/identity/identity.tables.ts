import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  pgPolicy,
  pgRole,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const appRole = pgRole('cairn_app').existing();

/**
 * SECURITY: the second wall for tenant rows. The application sees a row only when the transaction has set
 * `cairn.organisation_id` to its organisation, or `cairn.scope` to `platform` for the few platform-wide use
 * cases (sign-in, moderation), set with SET LOCAL by server/kernel/db/tenant.ts.
 */
const tenantPolicy = (name: string) =>
  pgPolicy(name, {
    as: 'permissive',
    for: 'all',
    to: appRole,
    using: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid
      or current_setting('cairn.scope', true) = 'platform'`,
  });

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const identityOrganisations = pgTable(
  'identity_organisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    type: text('type').notNull(),
    countries: text('countries').array().notNull(),
    website: text('website'),
    referee: text('referee').notNull(),
    status: text('status').notNull().default('pending'),
    tier: text('tier'),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    tierExpiresAt: timestamp('tier_expires_at', { withTimezone: true }),
    renewalRemindedAt: timestamp('renewal_reminded_at', { withTimezone: true }),
    reviewNote: text('review_note'),
    applicantPersonId: uuid('applicant_person_id'),
    ...timestamps,
  },
  (table) => [index('identity_organisations_status_idx').on(table.status, table.createdAt)],
);

export const identityPeople = pgTable(
  'identity_people',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    platformRole: text('platform_role'),
    language: text('language').notNull().default('en'),
    ...timestamps,
  },
  (table) => [uniqueIndex('identity_people_email_idx').on(sql`lower(${table.email})`)],
);

export const identityMemberships = pgTable(
  'identity_memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('identity_memberships_person_org_idx').on(table.personId, table.organisationId),
    index('identity_memberships_org_idx').on(table.organisationId),
    tenantPolicy('identity_memberships_tenant'),
  ],
).enableRLS();

export const identityInvitations = pgTable(
  'identity_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => identityOrganisations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role').notNull(),
    tokenHash: text('token_hash').notNull(),
    invitedByPersonId: uuid('invited_by_person_id').references(() => identityPeople.id, {
      onDelete: 'set null',
    }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('identity_invitations_token_idx').on(table.tokenHash),
    index('identity_invitations_org_idx').on(table.organisationId),
    tenantPolicy('identity_invitations_tenant'),
  ],
).enableRLS();

export const identitySessions = pgTable(
  'identity_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    activeMembershipId: uuid('active_membership_id'),
    /** `partial` after the password when a second factor is still due; `full` after it. */
    level: text('level').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    stepUpAt: timestamp('step_up_at', { withTimezone: true }),
    ip: text('ip'),
    userAgent: text('user_agent'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('identity_sessions_token_idx').on(table.tokenHash),
    index('identity_sessions_person_idx').on(table.personId),
  ],
);

export const identityPasskeys = pgTable(
  'identity_passkeys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    credentialId: text('credential_id').notNull(),
    publicKey: text('public_key').notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull().default(0),
    transports: text('transports')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    backedUp: boolean('backed_up').notNull().default(false),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('identity_passkeys_credential_idx').on(table.credentialId),
    index('identity_passkeys_person_idx').on(table.personId),
  ],
);

export const identityTotpFactors = pgTable('identity_totp_factors', {
  personId: uuid('person_id')
    .primaryKey()
    .references(() => identityPeople.id, { onDelete: 'cascade' }),
  /** The seed, sealed under the master key (AAD: table, column, person). */
  secretSealed: text('secret_sealed').notNull(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  /** The last accepted time step: a code is never accepted twice. */
  lastUsedStep: bigint('last_used_step', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const identityRecoveryCodes = pgTable(
  'identity_recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('identity_recovery_codes_person_idx').on(table.personId)],
);

export const identityChallenges = pgTable('identity_challenges', {
  id: uuid('id').primaryKey().defaultRandom(),
  challenge: text('challenge').notNull(),
  purpose: text('purpose').notNull(),
  personId: uuid('person_id'),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

export const identityPasswordResets = pgTable(
  'identity_password_resets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => identityPeople.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('identity_password_resets_token_idx').on(table.tokenHash)],
);

/** Failed sign-in counters per account and per address: back-off, never a permanent lockout. */
export const identityThrottles = pgTable('identity_throttles', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  blockedUntil: timestamp('blocked_until', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Platform settings owned by identity (e.g. which second factor case roles need). */
export const identitySettings = pgTable('identity_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
