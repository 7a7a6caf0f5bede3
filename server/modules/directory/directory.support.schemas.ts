import { z } from 'zod';
import { countryCodeSchema, organisationTypes, tiers } from '../identity/index.js';
import { languageCodeSchema, regionCodeSchema } from './directory.profiles.schemas.js';
import {
  ageBands,
  declineReasons,
  exploitationTypes,
  genders,
  maxSupportRecipients,
  populations,
  services,
  urgencies,
} from './directory.vocabulary.js';

/**
 * The contracts of "find support for a case". SECURITY: a need is a handful of codes and a place — there is
 * no free-text field that could describe a survivor, and unknown fields are refused (strict objects).
 */

const uniqueList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((list) => new Set(list as unknown[]).size === list.length, {
      params: { i18n: 'directory.support_duplicate_value' },
    });

export const supportRequestStatuses = ['open', 'accepted', 'closed'] as const;
export const recipientStatuses = ['pending', 'accepted', 'declined', 'withdrawn'] as const;

/** What a caseworker describes: where, what, for whom, in which language, how soon. No identity. */
export const needInputSchema = z.strictObject({
  placeId: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('A place from searchPlaces; its country must be `country`'),
  country: countryCodeSchema,
  region: regionCodeSchema.optional().describe('A region of `country`, when no place is given'),
  services: uniqueList(z.enum(services), services.length).min(1),
  populations: uniqueList(z.enum(populations), populations.length)
    .default([])
    .describe('Populations beyond what gender and age band imply (migrant workers, fishers …)'),
  languages: uniqueList(languageCodeSchema, 10).default([]),
  gender: z.enum(genders),
  ageBand: z.enum(ageBands),
  exploitationTypes: uniqueList(z.enum(exploitationTypes), exploitationTypes.length).default([]),
  urgency: z.enum(urgencies),
});
export type NeedInput = z.infer<typeof needInputSchema>;

export const matchBodySchema = z.strictObject({
  need: needInputSchema,
  limit: z.number().int().min(1).max(50).default(20),
});

/** A need as stored and shown back (the place is named, never re-resolved). */
export const needSchema = z
  .object({
    country: z.string(),
    region: z.string().nullable(),
    regionName: z.string().nullable(),
    placeName: z.string().nullable(),
    services: z.array(z.enum(services)),
    populations: z.array(z.enum(populations)),
    languages: z.array(z.string()),
    gender: z.enum(genders),
    ageBand: z.enum(ageBands),
    exploitationTypes: z.array(z.enum(exploitationTypes)),
    urgency: z.enum(urgencies),
  })
  .meta({ id: 'SupportNeed' });
export type Need = z.infer<typeof needSchema>;

const reasonsSchema = z
  .array(z.string())
  .describe(
    'Why it matched: `offers_all_services`, `offers_some_services:2/3`, `serves_population`, ' +
      '`serves_some_populations:1/2`, `speaks_language:<code>`, `works_in_region`, `works_in_country`, ' +
      '`within_km:<n>`, `verified_frontline`, `verified`, `works_on_exploitation:<type>`',
  );

export const supportCandidateSchema = z
  .object({
    organisationId: z.uuid(),
    name: z.string(),
    type: z.enum(organisationTypes),
    tier: z.enum(tiers).nullable(),
    score: z.number().int().min(0).max(100).describe('How much of the need it covers, out of 100'),
    reasons: reasonsSchema,
    distanceKm: z.number().nullable(),
    services: z.array(z.enum(services)).describe('The needed services it offers'),
  })
  .meta({ id: 'SupportCandidate' });
export type SupportCandidate = z.infer<typeof supportCandidateSchema>;

export const matchResultSchema = z
  .object({ need: needSchema, candidates: z.array(supportCandidateSchema) })
  .meta({ id: 'SupportMatch' });
export type MatchResult = z.infer<typeof matchResultSchema>;

export const createSupportRequestSchema = z.strictObject({
  need: needInputSchema,
  recipientOrganisationIds: z
    .array(z.uuid())
    .min(1)
    .max(maxSupportRecipients)
    .refine((list) => new Set(list).size === list.length, {
      params: { i18n: 'directory.support_duplicate_value' },
    }),
});

export const supportRecipientSchema = z
  .object({
    organisationId: z.uuid(),
    name: z.string(),
    status: z.enum(recipientStatuses),
    declineReason: z.enum(declineReasons).nullable(),
    declineNote: z.string().nullable(),
    respondedAt: z.iso.datetime().nullable(),
    score: z.number().int(),
    reasons: reasonsSchema,
  })
  .meta({ id: 'SupportRecipient' });

/**
 * A support request as one side sees it. The requester sees every recipient and its answer; a recipient
 * sees the need, who asked, and its own answer (`myResponse`), never the other recipients.
 */
export const supportRequestSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(supportRequestStatuses),
    need: needSchema,
    requester: z.object({ organisationId: z.uuid(), name: z.string() }),
    acceptedBy: z.object({ organisationId: z.uuid(), name: z.string() }).nullable(),
    createdAt: z.iso.datetime(),
    closedAt: z.iso.datetime().nullable(),
    /** The requester's view only. */
    recipients: z.array(supportRecipientSchema).optional(),
    /** The recipient's view only. */
    myResponse: supportRecipientSchema.optional(),
    abilities: z.object({ accept: z.boolean(), decline: z.boolean(), close: z.boolean() }),
  })
  .meta({ id: 'SupportRequest' });
export type SupportRequest = z.infer<typeof supportRequestSchema>;

export const supportRequestPageSchema = z
  .object({ items: z.array(supportRequestSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'SupportRequestPage' });
export type SupportRequestPage = z.infer<typeof supportRequestPageSchema>;

export const supportRequestParamsSchema = z.object({ requestId: z.uuid() });

export const listQuerySchema = z.object({
  status: z.enum(['open', 'done']).optional().describe('`open`, or `done` (accepted or closed)'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(300).optional().describe('The nextCursor of the previous page'),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export const incomingQuerySchema = z.object({
  status: z
    .enum(['pending', 'answered'])
    .optional()
    .describe('`pending` (waiting for my organisation’s answer), or `answered` (any other)'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(300).optional().describe('The nextCursor of the previous page'),
});
export type IncomingQuery = z.infer<typeof incomingQuerySchema>;

export const declineBodySchema = z.strictObject({
  reason: z.enum(declineReasons),
  /** SECURITY: about the organisation (capacity, eligibility), never about the person; shown to the requester. */
  note: z
    .string()
    .trim()
    .max(500)
    .optional()
    .describe('A short note about your organisation (capacity, eligibility) — never about the person'),
});

export const supportStatsSchema = z
  .object({
    organisationId: z.uuid(),
    since: z.iso.datetime().describe('Start of the window (12 months back)'),
    received: z.number().int(),
    accepted: z.number().int(),
    declined: z.number().int(),
    pending: z.number().int(),
    withdrawn: z.number().int().describe('Closed or taken by another organisation before this one answered'),
    responseRate: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe(
        'Answered (accepted or declined) ÷ (answered + withdrawn before an answer); requests still waiting ' +
          'are not counted. Null when nothing was decided yet',
      ),
    medianResponseMinutes: z.number().nullable(),
    abilities: z
      .object({ requestSupport: z.boolean(), respond: z.boolean() })
      .describe('What the caller may do with support requests'),
  })
  .meta({ id: 'SupportStats' });
export type SupportStats = z.infer<typeof supportStatsSchema>;

export const unmetNeedsQuerySchema = z.object({
  months: z.coerce.number().int().min(1).max(36).default(12),
  country: countryCodeSchema.optional(),
});

export const unmetNeedSchema = z
  .object({
    country: z.string(),
    service: z.enum(services),
    total: z.number().int(),
    allDeclined: z.number().int().describe('Every recipient declined'),
    closedUnanswered: z.number().int().describe('Closed by the requester without an acceptance'),
    waiting: z.number().int().describe('Still open after 7 days without an acceptance'),
  })
  .meta({ id: 'UnmetNeed' });

export const unmetNeedsSchema = z
  .object({ since: z.iso.datetime(), items: z.array(unmetNeedSchema) })
  .meta({ id: 'UnmetNeeds' });
export type UnmetNeeds = z.infer<typeof unmetNeedsSchema>;
