import { z } from 'zod';
import { AppError } from '../../kernel/http/errors.js';
import { emailSchema, newPasswordSchema } from './identity.auth.schemas.js';
import { isCountryCode } from './identity.countries.js';
import { passwordProblem } from './identity.passwords.js';
import { organisationStatuses, organisationTypes, tiers } from './identity.vocabulary.js';

// ---------------------------------------------------------------------------------------------------------
// Pagination (keyset): an opaque cursor names the last item of a page; the next page starts after it.
// ---------------------------------------------------------------------------------------------------------

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('Items per page'),
  cursor: z.string().max(300).optional().describe('The nextCursor of the previous page'),
});

/** A page of items and the cursor of the next page (null on the last page). */
export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });

/** Encodes a keyset position (e.g. a timestamp and an id) as an opaque, URL-safe cursor. */
export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor; a tampered or foreign cursor is a validation error. */
export function decodeCursor<T extends readonly ('string' | 'number')[]>(
  cursor: string | undefined,
  shape: T,
): { [K in keyof T]: T[K] extends 'number' ? number : string } | null {
  if (cursor === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (
    !Array.isArray(value) ||
    value.length !== shape.length ||
    value.some((part, i) => typeof part !== shape[i] || String(part).length > 100)
  ) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'query.cursor', code: 'identity.invalid_cursor' }],
    });
  }
  return value as { [K in keyof T]: T[K] extends 'number' ? number : string };
}

// ---------------------------------------------------------------------------------------------------------
// Applying
// ---------------------------------------------------------------------------------------------------------

export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/)
  .refine(isCountryCode, { params: { i18n: 'identity.unknown_country' } })
  .describe('ISO 3166-1 alpha-2 code (or XK)');

/** The organisation part of an application. */
export const organisationApplicationSchema = z
  .strictObject({
    name: z.string().trim().min(2).max(200),
    type: z.enum(organisationTypes),
    countries: z.array(countryCodeSchema).min(1).max(60).describe('Countries the organisation works in'),
    // SECURITY: only http(s) with a real domain name, so the link shown to moderators cannot run script.
    website: z
      .url({ protocol: /^https?$/, hostname: z.regexes.domain })
      .max(500)
      .optional(),
    referee: z
      .string()
      .trim()
      .min(3)
      .max(1000)
      .describe('Someone in the field who can vouch for the organisation, and how to reach them'),
  })
  .meta({ id: 'OrganisationApplication' });

export const accountApplicationSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(100),
  email: emailSchema,
  password: newPasswordSchema,
});

/** An application from someone without an account: the organisation and the applicant's new account. */
export const applicationBodySchema = z
  .strictObject({ organisation: organisationApplicationSchema, account: accountApplicationSchema })
  .superRefine((value, ctx) => {
    // The field check cannot see the account's name and email; this one can.
    const problem = passwordProblem(value.account.password, {
      email: value.account.email,
      displayName: value.account.displayName,
    });
    if (problem === 'identity.password_contains_identity') {
      ctx.addIssue({
        code: 'custom',
        path: ['account', 'password'],
        message: problem,
        params: { i18n: problem },
      });
    }
  });

// ---------------------------------------------------------------------------------------------------------
// Moderation and administration
// ---------------------------------------------------------------------------------------------------------

export const organisationIdParamsSchema = z.object({ id: z.uuid() });
export const tierBodySchema = z.strictObject({ tier: z.enum(tiers) });
export const messageBodySchema = z.strictObject({ message: z.string().trim().min(1).max(4000) });
export const reasonBodySchema = z.strictObject({ reason: z.string().trim().min(1).max(4000) });

export const applicationQueueQuerySchema = pageQuerySchema.extend({
  status: z.enum(['pending', 'info_requested', 'rejected']).default('pending'),
});

export const organisationListQuerySchema = pageQuerySchema.extend({
  status: z.enum(organisationStatuses).optional(),
  type: z.enum(organisationTypes).optional(),
  country: countryCodeSchema.optional(),
  q: z.string().trim().min(1).max(100).optional().describe('Part of the organisation’s name'),
});

const organisationAbilitiesSchema = z.object({
  viewMembers: z.boolean(),
  manageMembers: z.boolean(),
  viewAudit: z.boolean(),
  approve: z.boolean(),
  requestInfo: z.boolean(),
  reject: z.boolean(),
  respond: z.boolean(),
  suspend: z.boolean(),
  reinstate: z.boolean(),
  renew: z.boolean(),
});

export const organisationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    type: z.enum(organisationTypes),
    countries: z.array(z.string()),
    website: z.string().nullable(),
    status: z.enum(organisationStatuses),
    tier: z.enum(tiers).nullable(),
    tierExpired: z.boolean().describe('The tier’s validity has ended; it is kept until renewed'),
    verifiedAt: z.iso.datetime().nullable().describe('When the organisation was last verified'),
    tierExpiresAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    review: z
      .object({
        referee: z.string(),
        latestNote: z
          .object({ by: z.enum(['moderator', 'applicant']), text: z.string() })
          .nullable()
          .describe('The latest message of the vetting conversation'),
        applicant: z.object({ id: z.uuid(), displayName: z.string(), email: z.string() }).nullable(),
      })
      .nullable()
      .describe('Vetting details, for platform staff only (null for everyone else)'),
    abilities: organisationAbilitiesSchema,
  })
  .meta({ id: 'Organisation' });

export const organisationPageSchema = pageOf(organisationSchema, 'OrganisationPage');

/** One of my applications, as its applicant sees it. */
export const myApplicationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    type: z.enum(organisationTypes),
    countries: z.array(z.string()),
    website: z.string().nullable(),
    status: z.enum(organisationStatuses),
    tier: z.enum(tiers).nullable(),
    moderatorNote: z
      .string()
      .nullable()
      .describe('What the moderator asked for, or why the application was declined'),
    myResponse: z.string().nullable().describe('My answer to the moderator, while it awaits review'),
    submittedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    abilities: z.object({ respond: z.boolean() }),
  })
  .meta({ id: 'MyApplication' });

// ---------------------------------------------------------------------------------------------------------
// Audit trail
// ---------------------------------------------------------------------------------------------------------

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    occurredAt: z.iso.datetime(),
    action: z.string(),
    actor: z
      .object({
        displayName: z
          .string()
          .nullable()
          .describe('Null when withheld (platform staff, in an organisation’s own trail)'),
        platformStaff: z.boolean(),
      })
      .nullable()
      .describe('Null for the system'),
    objectType: z.string(),
    objectId: z.string().nullable(),
    organisationId: z.uuid().nullable(),
    details: z.record(z.string(), z.unknown()).describe('Names of things (ids, roles, tiers), never values'),
  })
  .meta({ id: 'AuditEntry' });

export const auditPageSchema = pageOf(auditEntrySchema, 'AuditPage');

export const platformAuditQuerySchema = pageQuerySchema.extend({
  organisationId: z.uuid().optional(),
  action: z.string().max(100).optional(),
});
