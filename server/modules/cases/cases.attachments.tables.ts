import { sql } from 'drizzle-orm';
import {
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
import { identityPeople } from '../identity/index.js';
import { casesFiles } from './cases.tables.js';

const appRole = pgRole('cairn_app').existing();

/**
 * A document, photo or recording attached to a case file. SECURITY: a tenant table (row-level security on the
 * organisation, as every case table). The file itself is in the file store under a random key, encrypted
 * with a key of its own (AES-256-GCM); that key and the original file name are sealed here with the
 * organisation's key (`*_sealed`), so a key rotation re-seals them and the stored file never needs rewriting.
 * Nothing here says what the file shows: kind, detected media type and size only.
 */
export const casesAttachments = pgTable(
  'cases_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => casesFiles.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').notNull(),
    kind: text('kind', { enum: ['document', 'photo', 'audio'] }).notNull(),
    /** The media type found in the content (never the one the uploader declared). */
    mediaType: text('media_type').notNull(),
    /** Bytes of the stored content (after re-encoding photos), before encryption. */
    sizeBytes: integer('size_bytes').notNull(),
    /** The file store's key: random, never derived from anything the uploader sent. */
    storageKey: text('storage_key').notNull(),
    /** The file's own data key (base64), sealed with the organisation's key. */
    keySealed: text('key_sealed').notNull(),
    /** The file name as uploaded: identifying, so sealed. */
    nameSealed: text('name_sealed').notNull(),
    createdBy: uuid('created_by').references(() => identityPeople.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('cases_attachments_case_idx').on(table.caseId, table.createdAt),
    uniqueIndex('cases_attachments_storage_key_idx').on(table.storageKey),
    pgPolicy('cases_attachments_tenant', {
      as: 'permissive',
      for: 'all',
      to: appRole,
      using: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid`,
      withCheck: sql`organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid`,
    }),
  ],
).enableRLS();
