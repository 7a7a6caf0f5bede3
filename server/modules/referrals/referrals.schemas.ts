import { z } from 'zod';
import { caseSections, sharedCaseFileSchema } from '../cases/index.js';
import { services } from '../directory/index.js';
import {
  defaultAcknowledgeHours,
  maxAcknowledgeHours,
  minAcknowledgeHours,
  referralOutcomes,
  referralSides,
  referralStates,
  referralUrgencies,
} from './referrals.vocabulary.js';

/**
 * The contracts of referrals. Objects are strict: a field the caller may not write is refused with 400, never
 * dropped. Nothing here carries survivor data except what the recipient reads through `getReferralCase`.
 */

const uniqueList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((list) => new Set(list as unknown[]).size === list.length, {
      params: { i18n: 'cases.duplicate_value' },
    });
const text = (max: number) => z.string().trim().min(1).max(max);
const sectionList = () => uniqueList(z.enum(caseSections), caseSections.length);

export const referralParamsSchema = z.strictObject({ referralId: z.uuid() });

/** A new referral (a draft): to an organisation, or from an accepted support request (which names it). */
export const referralCreateSchema = z
  .strictObject({
    caseId: z.uuid(),
    recipientOrganisationId: z.uuid().optional().describe('Optional with `supportRequestId`: its acceptor'),
    supportRequestId: z
      .uuid()
      .optional()
      .describe(
        'An accepted support request of my organisation: fills in the recipient, services and urgency',
      ),
    services: uniqueList(z.enum(services), services.length)
      .min(1)
      .optional()
      .describe('Required without `supportRequestId`'),
    sections: sectionList()
      .min(1)
      .describe('Case sections to share: each covered by a live Referral consent naming the recipient'),
    overrideSections: sectionList()
      .default([])
      .describe('Sections shared without consent (case supervisors only, with `overrideReason`)'),
    overrideReason: text(2_000).optional().describe('Sealed; the recipient never sees it'),
    note: text(5_000).optional().describe('For the recipient; sealed at rest'),
    urgency: z.enum(referralUrgencies).optional().describe('Defaults to normal (or the support request’s)'),
    acknowledgeWithinHours: z
      .number()
      .int()
      .min(minAcknowledgeHours)
      .max(maxAcknowledgeHours)
      .default(defaultAcknowledgeHours),
  })
  .superRefine((value, issue) => {
    if (!value.recipientOrganisationId && !value.supportRequestId)
      issue.addIssue({
        code: 'custom',
        path: ['recipientOrganisationId'],
        params: { i18n: 'referrals.recipient_required' },
      });
    if (!value.services && !value.supportRequestId)
      issue.addIssue({ code: 'custom', path: ['services'], params: { i18n: 'referrals.services_required' } });
    value.overrideSections.forEach((section, index) => {
      if (!value.sections.includes(section))
        issue.addIssue({
          code: 'custom',
          path: ['overrideSections', index],
          params: { i18n: 'referrals.override_not_shared' },
        });
    });
    if (value.overrideSections.length > 0 && !value.overrideReason)
      issue.addIssue({
        code: 'custom',
        path: ['overrideReason'],
        params: { i18n: 'referrals.override_reason_required' },
      });
    if (value.overrideSections.length === 0 && value.overrideReason)
      issue.addIssue({
        code: 'custom',
        path: ['overrideReason'],
        params: { i18n: 'referrals.reason_not_needed' },
      });
  });
export type ReferralCreate = z.infer<typeof referralCreateSchema>;

/**
 * An edit of a draft: the fields given replace the draft's (`note: null` clears it); the recipient and the case
 * stay. `sections` comes with the whole consent choice: `overrideSections` (default none) and, for a section
 * newly shared without consent, a supervisor's `overrideReason`. Keeping the draft's own override needs no new
 * reason.
 */
export const referralUpdateSchema = z
  .strictObject({
    version: z.number().int().min(1).describe('The version the caller loaded (409 when stale)'),
    services: uniqueList(z.enum(services), services.length).min(1).optional(),
    sections: sectionList().min(1).optional(),
    overrideSections: sectionList().optional().describe('Only with `sections`'),
    overrideReason: text(2_000).optional().describe('A new override (case supervisors only); sealed'),
    note: text(5_000).nullable().optional().describe('For the recipient; null clears it; sealed at rest'),
    urgency: z.enum(referralUrgencies).optional(),
    acknowledgeWithinHours: z.number().int().min(minAcknowledgeHours).max(maxAcknowledgeHours).optional(),
  })
  .superRefine((value, issue) => {
    if (!value.sections && (value.overrideSections || value.overrideReason))
      issue.addIssue({
        code: 'custom',
        path: ['sections'],
        params: { i18n: 'referrals.sections_with_override' },
      });
    (value.overrideSections ?? []).forEach((section, index) => {
      if (value.sections && !value.sections.includes(section))
        issue.addIssue({
          code: 'custom',
          path: ['overrideSections', index],
          params: { i18n: 'referrals.override_not_shared' },
        });
    });
    if (value.overrideReason && (value.overrideSections ?? []).length === 0)
      issue.addIssue({
        code: 'custom',
        path: ['overrideReason'],
        params: { i18n: 'referrals.reason_not_needed' },
      });
  });
export type ReferralUpdate = z.infer<typeof referralUpdateSchema>;

/** One step of the state machine (sending included); `version` is the one the caller loaded. */
export const referralTransitionSchema = z
  .strictObject({
    to: z.enum(referralStates),
    version: z.number().int().min(1),
    reason: text(2_000).optional().describe('Declining, closing, cancelling a sent referral; sealed'),
    outcome: z.enum(referralOutcomes).optional().describe('Completing'),
    outcomeNote: text(5_000).optional().describe('Completing; sealed'),
    confirmNewPartner: z
      .boolean()
      .optional()
      .describe('Sending to an organisation never worked with: confirms after seeing both tiers'),
  })
  .superRefine((value, issue) => {
    if (value.confirmNewPartner !== undefined && value.to !== 'sent')
      issue.addIssue({
        code: 'custom',
        path: ['confirmNewPartner'],
        params: { i18n: 'referrals.confirm_only_when_sending' },
      });
    if (value.outcomeNote && !value.outcome)
      issue.addIssue({
        code: 'custom',
        path: ['outcomeNote'],
        params: { i18n: 'referrals.outcome_required' },
      });
  });
export type ReferralTransitionInput = z.infer<typeof referralTransitionSchema>;

const organisationRef = z.object({
  id: z.uuid(),
  name: z.string(),
  countries: z.array(z.string()),
  tier: z.string().nullable(),
});
const personRef = z.object({ personId: z.uuid(), name: z.string() });
const tiersSchema = z.object({ senderTier: z.string().nullable(), recipientTier: z.string().nullable() });

export const referralAbilitiesSchema = z.object({
  edit: z.boolean().describe('Edit the draft (sender side, who may refer the case)'),
  send: z.boolean(),
  acknowledge: z.boolean(),
  accept: z.boolean(),
  decline: z.boolean(),
  start: z.boolean(),
  complete: z.boolean(),
  close: z.boolean(),
  cancel: z.boolean(),
  readCase: z.boolean().describe('Read the shared sections now (recipient, while active and consented)'),
});

export const referralSchema = z.object({
  id: z.uuid(),
  state: z.enum(referralStates),
  version: z.number().int(),
  side: z.enum(referralSides).describe('The caller’s side'),
  sender: organisationRef,
  recipient: organisationRef,
  caseId: z.uuid().nullable().describe('Sender side only'),
  caseReference: z.string().nullable().describe('Sender side only'),
  services: z.array(z.enum(services)),
  sections: z.array(z.enum(caseSections)).describe('The sections shared, by name'),
  overrideSections: z.array(z.enum(caseSections)),
  override: z
    .object({
      by: personRef.nullable(),
      at: z.iso.datetime(),
      reason: z.string().nullable().describe('Sender side only'),
    })
    .nullable(),
  note: z.string().nullable(),
  urgency: z.enum(referralUrgencies),
  acknowledgeWithinHours: z.number().int(),
  acknowledgeDueAt: z.iso.datetime().nullable(),
  overdue: z.boolean(),
  supportRequestId: z.uuid().nullable(),
  newPartner: tiersSchema
    .nullable()
    .describe('On a draft: both tiers when the organisations never worked together (sending must confirm)'),
  createdBy: personRef.nullable(),
  recipientPerson: personRef.nullable().describe('Who accepted it'),
  sentAt: z.iso.datetime().nullable(),
  acknowledgedAt: z.iso.datetime().nullable(),
  decidedAt: z.iso.datetime().nullable(),
  startedAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
  declineReason: z.string().nullable(),
  /** Closed or cancelled: by which side, and why. */
  ended: z.object({ by: z.enum(referralSides), reason: z.string().nullable() }).nullable(),
  outcome: z.enum(referralOutcomes).nullable(),
  outcomeNote: z.string().nullable(),
  timeline: z.array(
    z.object({
      from: z.enum(referralStates).nullable(),
      to: z.enum(referralStates),
      at: z.iso.datetime(),
      side: z.enum(referralSides),
      person: personRef.nullable(),
    }),
  ),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  abilities: referralAbilitiesSchema,
});
export type Referral = z.infer<typeof referralSchema>;

export const referralCaseQuerySchema = z.strictObject({
  reveal: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('Include the identifying shared sections (needs a step-up in the last 5 minutes)'),
});

export const referralCaseSchema = sharedCaseFileSchema.extend({ referralId: z.uuid() });

export const referralListQuerySchema = z.strictObject({
  box: z.enum(['sent', 'received']),
  state: z.enum(referralStates).optional(),
  overdue: z.enum(['true', 'false']).optional().describe('Sent and not acknowledged in time'),
  caseId: z
    .uuid()
    .optional()
    .describe(
      'The referrals of one case (sent box only: the recipient never learns the case id; 400 otherwise)',
    ),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type ReferralListQuery = z.infer<typeof referralListQuerySchema>;

export const referralSummarySchema = z.object({
  id: z.uuid(),
  state: z.enum(referralStates),
  urgency: z.enum(referralUrgencies),
  services: z.array(z.enum(services)),
  acknowledgeDueAt: z.iso.datetime().nullable(),
  overdue: z.boolean(),
  counterpart: z.object({ id: z.uuid(), name: z.string(), countries: z.array(z.string()) }),
  caseReference: z.string().nullable().describe('Sent box only'),
  outcome: z.enum(referralOutcomes).nullable(),
  sentAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime(),
});
export type ReferralSummary = z.infer<typeof referralSummarySchema>;

export const referralPageSchema = z.object({
  items: z.array(referralSummarySchema),
  nextCursor: z.string().nullable(),
});

const countOf = <T extends z.ZodType>(value: T) => z.object({ value, count: z.number().int() });
const directionStatisticsSchema = z.object({
  total: z.number().int().describe('Referrals past draft'),
  byState: z.array(countOf(z.enum(referralStates))),
  medianHoursToAcknowledge: z.number().nullable(),
  acceptanceRate: z.number().nullable().describe('Accepted ÷ decided (accepted or declined), 0–1'),
  outcomes: z.array(countOf(z.enum(referralOutcomes))),
});

export const referralStatisticsSchema = z.object({
  sent: directionStatisticsSchema,
  received: directionStatisticsSchema,
});

const suppressedCountOf = <T extends z.ZodType>(value: T) =>
  z.object({ value, count: z.number().int().nullable().describe('Null below the threshold') });

export const platformReferralStatisticsSchema = z.object({
  threshold: z.number().int(),
  total: z.number().int().nullable(),
  byState: z.array(suppressedCountOf(z.enum(referralStates))),
  byOutcome: z.array(suppressedCountOf(z.enum(referralOutcomes))),
  byReach: z.array(suppressedCountOf(z.enum(['domestic', 'cross_border']))),
});
