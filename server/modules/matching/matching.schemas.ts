import { z } from 'zod';
import { countryCodeSchema } from '../identity/index.js';

/** The kinds of selector an organisation can take part with (or not), and what a match can be on. */
export const participationTypes = [
  'person',
  'phone',
  'email',
  'identity_document',
  'bank_account',
  'vehicle_plate',
  'organisation_name',
  'online_handle',
  'address',
  'place_time',
] as const;
export type ParticipationType = (typeof participationTypes)[number];

/** What a match says it is on: a canonical selector type, a fuzzy name, or place and time. */
export const matchTypes = [
  'person_name_birth_year',
  'person_name_nationality',
  'person_name_fuzzy',
  'phone',
  'email',
  'identity_document',
  'bank_account',
  'vehicle_plate',
  'organisation_name',
  'online_handle',
  'address',
  'place_time',
] as const;
export type MatchType = (typeof matchTypes)[number];

/**
 * What a subject is: a registered investigation, planned operation or alert (a warning a member organisation
 * circulates about a recruiter, a fake agency or job advert, a phone number, a website or social handle), or a
 * case file (which follows its case).
 */
export const subjectKinds = ['investigation', 'operation', 'alert', 'case'] as const;
/**
 * The kinds a person registers by hand, all screened alike (a case file takes part through the cases module).
 * A future alerts module registers its alerts as kind `alert` through the same path.
 */
export const registeredSubjectKinds = ['investigation', 'operation', 'alert'] as const;
export const matchStatuses = ['new', 'in_contact', 'resolved', 'dismissed'] as const;
export type MatchStatus = (typeof matchStatuses)[number];
export const matchActions = ['agree', 'dismiss', 'resolve'] as const;
export type MatchAction = (typeof matchActions)[number];

/** Most selectors one subject or lookup may carry. */
export const maxSelectors = 50;
const text = (max = 512) => z.string().min(1).max(max);

/** One selector as a user types it; normalised on the server (docs/matching.md). */
export const selectorInputSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('person'),
      name: text(),
      birthYear: z.number().int().optional(),
      nationality: z.string().max(8).optional(),
    })
    .strict(),
  z
    .object({ type: z.literal('phone'), number: text(64), defaultCountry: z.string().max(8).optional() })
    .strict(),
  z.object({ type: z.literal('email'), address: text() }).strict(),
  z
    .object({ type: z.literal('identity_document'), number: text(64), issuingCountry: z.string().max(8) })
    .strict(),
  z
    .object({ type: z.literal('bank_account'), account: text(64), country: z.string().max(8).optional() })
    .strict(),
  z.object({ type: z.literal('vehicle_plate'), plate: text(32), country: z.string().max(8) }).strict(),
  z.object({ type: z.literal('organisation_name'), name: text() }).strict(),
  z
    .object({ type: z.literal('online_handle'), handle: text(), platform: z.string().max(32).optional() })
    .strict(),
  z.object({ type: z.literal('address'), address: text(), country: z.string().max(8) }).strict(),
]);

const dateSchema = z.iso.date();

export const subjectInputSchema = z
  .object({
    kind: z.enum(registeredSubjectKinds),
    title: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('Your own name for it; sealed, seen by your organisation only'),
    country: countryCodeSchema.optional().describe('Where, for place-and-time deconfliction'),
    region: z
      .string()
      .regex(/^[A-Z]{2}\.[A-Za-z0-9]{1,8}$/)
      .optional()
      .describe('GeoNames admin1 code, e.g. KE.19'),
    windowStart: dateSchema.optional(),
    windowEnd: dateSchema.optional(),
    selectors: z.array(selectorInputSchema).max(maxSelectors).default([]),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (
      value.region !== undefined &&
      (value.country === undefined || !value.region.startsWith(`${value.country}.`))
    )
      ctx.addIssue({ code: 'custom', path: ['region'], params: { i18n: 'matching.region_country' } });
    if (
      (value.windowStart === undefined) !== (value.windowEnd === undefined) ||
      (value.windowStart && !value.country)
    )
      ctx.addIssue({ code: 'custom', path: ['windowStart'], params: { i18n: 'matching.window_incomplete' } });
    if (value.windowStart && value.windowEnd && value.windowEnd < value.windowStart)
      ctx.addIssue({ code: 'custom', path: ['windowEnd'], params: { i18n: 'matching.window_order' } });
  });
export type SubjectInput = z.infer<typeof subjectInputSchema>;

export const subjectParamsSchema = z.object({ id: z.uuid() });

const organisationRef = z.object({ id: z.uuid(), name: z.string() });

export const subjectSchema = z.object({
  id: z.uuid(),
  kind: z.enum(subjectKinds),
  title: z.string(),
  status: z.enum(['open', 'closed']),
  country: z.string().nullable(),
  region: z.string().nullable(),
  windowStart: z.string().nullable(),
  windowEnd: z.string().nullable(),
  caseId: z.uuid().nullable().describe('The case file a subject of kind case follows'),
  selectorTypes: z.array(z.object({ type: z.string(), count: z.number().int() })),
  matches: z.number().int().describe('Possible overlaps found for it so far'),
  createdAt: z.string(),
});
export type Subject = z.infer<typeof subjectSchema>;
export const subjectListSchema = z.object({ items: z.array(subjectSchema) });

export const lookupInputSchema = z
  .object({ selectors: z.array(selectorInputSchema).min(1).max(20) })
  .strict();
export type LookupInput = z.infer<typeof lookupInputSchema>;

export const hitSchema = z.object({
  matchType: z.enum(matchTypes),
  organisation: organisationRef.describe(
    'Who holds a case, investigation or alert with it: nothing more is revealed',
  ),
});
export const lookupResultSchema = z.object({
  hits: z.array(hitSchema),
  remaining: z.object({ person: z.number().int(), organisation: z.number().int() }),
});
export type LookupResult = z.infer<typeof lookupResultSchema>;

export const matchSchema = z.object({
  id: z.uuid(),
  matchType: z.enum(matchTypes),
  status: z.enum(matchStatuses).describe('Your side’s status'),
  agreedByUs: z.boolean(),
  agreedByThem: z.boolean(),
  otherOrganisation: organisationRef,
  subject: z.object({
    id: z.uuid(),
    kind: z.enum(subjectKinds),
    title: z.string().describe('Your own title, or the case reference for a case file'),
    caseId: z.uuid().nullable(),
  }),
  createdAt: z.string(),
  abilities: z.object({ agree: z.boolean(), dismiss: z.boolean(), resolve: z.boolean() }),
});
export type Match = z.infer<typeof matchSchema>;
export const matchListQuerySchema = z.object({ status: z.enum(matchStatuses).optional() }).strict();
export const matchListSchema = z.object({ items: z.array(matchSchema) });
export const matchParamsSchema = z.object({ id: z.uuid() });
export const matchActionSchema = z.object({ action: z.enum(matchActions) }).strict();

export const focalPointSchema = z.object({ personId: z.uuid(), name: z.string() });
export type FocalPoint = z.infer<typeof focalPointSchema>;

export const participationSchema = z.object({
  types: z.array(z.object({ type: z.enum(participationTypes), enabled: z.boolean() })),
  focalPoint: focalPointSchema
    .nullable()
    .describe('Who other organisations may write to about a match, through Cairn; null: none named'),
  candidates: z
    .array(focalPointSchema)
    .describe('Members who may be named: org admins, case supervisors and investigators'),
});
export type Participation = z.infer<typeof participationSchema>;
export const focalPointInputSchema = z
  .object({ personId: z.uuid().nullable().describe('null: name nobody') })
  .strict();
export const matchFocalPointSchema = z.object({
  focalPoint: focalPointSchema
    .nullable()
    .describe('The other organisation’s matching focal point; null when it named none'),
});
export const participationInputSchema = z
  .object({
    types: z
      .array(z.object({ type: z.enum(participationTypes), enabled: z.boolean() }).strict())
      .min(1)
      .max(participationTypes.length),
  })
  .strict();

export const lookupAuditSchema = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      person: z.object({ id: z.uuid(), name: z.string() }),
      purpose: z.enum(['lookup', 'register']),
      selectorTypes: z.array(z.string()),
      hits: z.number().int(),
      createdAt: z.string(),
    }),
  ),
});

const limit = (max: number) => z.number().int().min(1).max(max);

const quotaDefaultsSchema = z.object({ perPerson: z.number().int(), perOrganisation: z.number().int() });

export const organisationQuotasSchema = z.object({
  perPerson: z.number().int().describe('Lookups and registrations one person may make in any 24 hours'),
  perOrganisation: z.number().int().describe('The same for the whole organisation'),
  defaults: quotaDefaultsSchema.describe(
    'The platform’s limits, which staff may change for one organisation',
  ),
  overridden: z.boolean().describe('Platform staff set other limits for this organisation'),
  used: z.number().int().describe('Lookups and registrations of the last 24 hours'),
  people: z.array(
    z.object({
      person: z.object({ id: z.uuid(), name: z.string() }),
      used: z.number().int(),
      remaining: z.number().int(),
    }),
  ),
});
export type OrganisationQuotas = z.infer<typeof organisationQuotasSchema>;

export const platformQuotaQuerySchema = z
  .object({ q: z.string().trim().min(1).max(100).optional().describe('Part of an organisation’s name') })
  .strict();
export type PlatformQuotaQuery = z.infer<typeof platformQuotaQuerySchema>;

export const quotaLineSchema = z.object({
  organisation: organisationRef,
  perPerson: z.number().int(),
  perOrganisation: z.number().int(),
  override: z
    .object({
      perPerson: z.number().int().nullable(),
      perOrganisation: z.number().int().nullable(),
      reason: z.string(),
      updatedAt: z.string(),
    })
    .nullable(),
  usedDay: z.number().int().describe('Lookups and registrations of the last 24 hours'),
  usedMonth: z.number().int().describe('… of the last 30 days'),
});
export const platformQuotaListSchema = z.object({
  defaults: quotaDefaultsSchema,
  items: z.array(quotaLineSchema),
});
export type PlatformQuotaList = z.infer<typeof platformQuotaListSchema>;

export const quotaOverrideInputSchema = z
  .object({
    lookupsPerPerson: limit(100_000).nullable().describe('null: the platform’s default'),
    lookupsPerOrganisation: limit(1_000_000).nullable().describe('null: the platform’s default'),
    reason: z.string().trim().min(3).max(500),
  })
  .strict();
export type QuotaOverrideInput = z.infer<typeof quotaOverrideInputSchema>;
export const organisationParamsSchema = z.object({ organisationId: z.uuid() });
