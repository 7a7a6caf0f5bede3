import { z } from 'zod';
import { languageCodeSchema, regionCodeSchema } from '../directory/index.js';
import { countryCodeSchema } from '../identity/index.js';
import {
  caseSections,
  caseStatuses,
  consentPurposes,
  decisionMakingOrganisations,
  documentTypes,
  educationLevels,
  exploitationTypes,
  genders,
  industries,
  maritalStatuses,
  methodsOfControl,
  perpetratorRoles,
  recruitmentMethods,
  relationshipsToTrafficker,
  sexExploitationTypes,
  supportPlanStatuses,
  supportPlanTypes,
  traffickingEventTypes,
  traffickingStatuses,
  vulnerabilities,
  websitesAndApps,
  type ConsentPurpose,
} from './cases.vocabulary.js';

/**
 * The contracts of case management. Objects are strict: a write naming a field the caller may not write (or
 * that does not exist) is refused with 400, never silently dropped — no mass assignment.
 */

const uniqueList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((list) => new Set(list as unknown[]).size === list.length, {
      params: { i18n: 'cases.duplicate_value' },
    });

const text = (max: number) => z.string().trim().min(1).max(max);
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(
    (value) =>
      !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
      new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
    {
      params: { i18n: 'cases.invalid_date' },
    },
  )
  .describe('A calendar date, YYYY-MM-DD');
const pastDate = isoDate.refine((value) => value <= new Date().toISOString().slice(0, 10), {
  params: { i18n: 'cases.date_in_future' },
});

// ---------------------------------------------------------------------------------------------------------
// Sections (identifying ones are sealed at rest)
// ---------------------------------------------------------------------------------------------------------

/** `prs_` names and birth: identifying. */
export const identitySectionSchema = z.strictObject({
  salutation: text(40).optional(),
  title: text(80).optional(),
  firstName: text(120).optional(),
  middleName: text(120).optional(),
  secondName: text(120).optional().describe('Family name (HTCDS prs_SecondName)'),
  aliases: uniqueList(text(120), 20).default([]),
  birthDate: pastDate.optional(),
  birthYear: z.number().int().min(1900).max(2100).optional().describe('When only the year is known'),
});
export type IdentitySection = z.infer<typeof identitySectionSchema>;

/** `prs_` contact and mailing address: identifying. */
export const contactSectionSchema = z.strictObject({
  email: z.string().trim().email().max(254).optional(),
  homePhone: text(40).optional(),
  mobilePhone: text(40).optional(),
  street: text(200).optional(),
  city: text(120).optional(),
  state: text(120).optional(),
  postalCode: text(20).optional(),
  country: countryCodeSchema.optional(),
});
export type ContactSection = z.infer<typeof contactSectionSchema>;

/** Identity documents (HTCDS `prs_IdentityNumber`, one per document): identifying. */
export const documentSchema = z.strictObject({
  type: z.enum(documentTypes),
  number: text(60),
  issuingCountry: countryCodeSchema.optional(),
});
export const documentsSectionSchema = z.array(documentSchema).max(10);
export type DocumentsSection = z.infer<typeof documentsSectionSchema>;

/** Free-text narratives: identifying (`vic_DetailsOfVulnerabilities` and the caseworker's account). */
export const narrativeSectionSchema = z.strictObject({
  account: text(20_000).optional().describe("The survivor's account, in the caseworker's words"),
  detailsOfVulnerabilities: text(5_000).optional(),
});
export type NarrativeSection = z.infer<typeof narrativeSectionSchema>;

/** `prs_` facts that are picklist values and numbers (not sealed; what analysts count). */
export const profileSectionSchema = z.strictObject({
  gender: z.enum(genders).optional(),
  deceased: z.boolean().optional(),
  maritalStatus: z.enum(maritalStatuses).optional(),
  numberOfChildren: z.number().int().min(0).max(30).optional(),
  education: z.enum(educationLevels).optional(),
  citizenships: uniqueList(countryCodeSchema, 5).default([]),
  primaryLanguage: languageCodeSchema.optional(),
  secondaryLanguage: languageCodeSchema.optional(),
});
export type ProfileSection = z.infer<typeof profileSectionSchema>;

/** `vic_`: the victim context as picklist values. */
export const victimSectionSchema = z.strictObject({
  agreementToManagePersonalData: z.boolean().optional(),
  traffickingStatus: z.enum(traffickingStatuses).optional(),
  statusDecidedBy: z.enum(decisionMakingOrganisations).optional(),
  relationshipToTrafficker: z.enum(relationshipsToTrafficker).optional(),
  ageWhenTrafficked: z.number().int().min(0).max(120).optional(),
  recruitmentMethods: uniqueList(z.enum(recruitmentMethods), recruitmentMethods.length).default([]),
  recruitmentWebsitesAndApps: uniqueList(z.enum(websitesAndApps), websitesAndApps.length).default([]),
  recruitmentCountry: countryCodeSchema.optional(),
  methodsOfControl: uniqueList(z.enum(methodsOfControl), methodsOfControl.length).default([]),
  exploitationTypes: uniqueList(z.enum(exploitationTypes), exploitationTypes.length).default([]),
  forcedLabourIndustry: z.enum(industries).optional(),
  sexExploitationTypes: uniqueList(z.enum(sexExploitationTypes), sexExploitationTypes.length).default([]),
  exploitationWebsitesAndApps: uniqueList(z.enum(websitesAndApps), websitesAndApps.length).default([]),
  exploitationCountry: countryCodeSchema.optional(),
  vulnerabilities: uniqueList(z.enum(vulnerabilities), vulnerabilities.length).default([]),
});
export type VictimSection = z.infer<typeof victimSectionSchema>;

const sectionInputs = {
  identity: identitySectionSchema.optional(),
  contact: contactSectionSchema.optional(),
  documents: documentsSectionSchema.optional(),
  narrative: narrativeSectionSchema.optional(),
  profile: profileSectionSchema.optional(),
  victim: victimSectionSchema.optional(),
};

/** A new case (an intake). `draft: true` saves an incomplete intake without the checks of a complete one. */
export const caseFileCreateSchema = z.strictObject({
  draft: z.boolean().default(false),
  openedOn: pastDate.optional().describe('Defaults to today'),
  ...sectionInputs,
});
export type CaseFileCreate = z.infer<typeof caseFileCreateSchema>;

/** A change to a case: each section given replaces that section; `version` is the one the editor loaded. */
export const caseFileUpdateSchema = z.strictObject({
  version: z.number().int().min(1),
  draft: z.literal(false).optional().describe('Completes a draft intake'),
  ...sectionInputs,
});
export type CaseFileUpdate = z.infer<typeof caseFileUpdateSchema>;

export const caseParamsSchema = z.strictObject({ caseId: z.uuid() });
export const entryParamsSchema = z.strictObject({ caseId: z.uuid(), entryId: z.uuid() });
export const consentParamsSchema = z.strictObject({ caseId: z.uuid(), consentId: z.uuid() });

export const caseFileQuerySchema = z.strictObject({
  reveal: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('Include the identifying sections (needs a step-up in the last 5 minutes)'),
});

// ---------------------------------------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------------------------------------

export const perpetratorInputSchema = z.strictObject({
  kind: z.literal('perpetrator'),
  roles: uniqueList(z.enum(perpetratorRoles), perpetratorRoles.length).min(1),
  nationality: countryCodeSchema.optional(),
  name: text(200).optional(),
  aliases: uniqueList(text(120), 20).default([]),
  phone: text(40).optional(),
  roleDetails: text(5_000).optional(),
});

export const eventInputSchema = z.strictObject({
  kind: z.literal('event'),
  type: z.enum(traffickingEventTypes),
  country: countryCodeSchema,
  region: regionCodeSchema.optional(),
  placeId: z.number().int().min(0).optional().describe('A gazetteer place (directory searchPlaces)'),
  date: isoDate.optional(),
  street: text(200).optional(),
  description: text(5_000).optional(),
});

export const supportPlanInputSchema = z.strictObject({
  kind: z.literal('supportPlan'),
  type: z.enum(supportPlanTypes),
  status: z.enum(supportPlanStatuses).default('Planned'),
  plannedEndDate: isoDate.optional(),
  actualEndDate: isoDate.optional(),
  objectives: text(5_000).optional(),
  actionPlan: text(5_000).optional(),
  outcome: text(5_000).optional(),
});

export const followUpInputSchema = z.strictObject({
  kind: z.literal('followUp'),
  dueOn: isoDate,
  assigneeMembershipId: z.uuid().optional().describe('Defaults to the person adding it'),
  note: text(2_000).optional(),
  done: z.boolean().default(false),
});

export const commentInputSchema = z.strictObject({
  kind: z.literal('comment'),
  body: text(10_000),
});

export const entryInputSchema = z.discriminatedUnion('kind', [
  perpetratorInputSchema,
  eventInputSchema,
  supportPlanInputSchema,
  followUpInputSchema,
  commentInputSchema,
]);
export type EntryInput = z.infer<typeof entryInputSchema>;
export type EntryKind = EntryInput['kind'];

/** Entries are edited whole (comments are never edited: a note once written stays as written). */
export const entryUpdateSchema = z.discriminatedUnion('kind', [
  perpetratorInputSchema,
  eventInputSchema,
  supportPlanInputSchema,
  followUpInputSchema,
]);
export type EntryUpdate = z.infer<typeof entryUpdateSchema>;

export const entrySchema = z.object({
  id: z.uuid(),
  kind: z.enum(['perpetrator', 'event', 'supportPlan', 'followUp', 'comment']),
  /** The entry's fields (as in its input schema, without `kind`); identifying ones only when revealed. */
  fields: z.record(z.string(), z.unknown()),
  dueOn: z.string().nullable(),
  doneAt: z.iso.datetime().nullable(),
  assignee: z.object({ personId: z.uuid(), name: z.string() }).nullable(),
  createdBy: z.object({ personId: z.uuid(), name: z.string() }).nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Entry = z.infer<typeof entrySchema>;

// ---------------------------------------------------------------------------------------------------------
// Consent
// ---------------------------------------------------------------------------------------------------------

/** The purposes whose consent names the organisation the survivor agreed to (a referral's or a transfer's). */
const purposesWithRecipient: readonly ConsentPurpose[] = ['Referral', 'Transfer'];

export const consentInputSchema = z
  .strictObject({
    purpose: z.enum(consentPurposes),
    recipientOrganisationId: z
      .uuid()
      .optional()
      .describe('Required for Referral and Transfer: whom the survivor agreed to'),
    sections: uniqueList(z.enum(caseSections), caseSections.length).min(1),
    givenOn: pastDate,
    expiresOn: isoDate.optional(),
    note: text(2_000).optional(),
  })
  .superRefine((value, issue) => {
    if (purposesWithRecipient.includes(value.purpose) && !value.recipientOrganisationId)
      issue.addIssue({
        code: 'custom',
        path: ['recipientOrganisationId'],
        params: { i18n: 'cases.consent_recipient_required' },
      });
    if (!purposesWithRecipient.includes(value.purpose) && value.recipientOrganisationId)
      issue.addIssue({
        code: 'custom',
        path: ['recipientOrganisationId'],
        params: { i18n: 'cases.consent_recipient_only_referral' },
      });
    if (value.expiresOn && value.expiresOn <= value.givenOn)
      issue.addIssue({ code: 'custom', path: ['expiresOn'], params: { i18n: 'cases.consent_expiry_order' } });
  });
export type ConsentInput = z.infer<typeof consentInputSchema>;

export const consentSchema = z.object({
  id: z.uuid(),
  purpose: z.enum(consentPurposes),
  recipientOrganisation: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  sections: z.array(z.enum(caseSections)),
  givenOn: z.string(),
  expiresOn: z.string().nullable(),
  note: z.string().nullable().describe('Only when the identifying sections are revealed'),
  recordedBy: z.object({ personId: z.uuid(), name: z.string() }).nullable(),
  revokedAt: z.iso.datetime().nullable(),
  /** Given, not revoked, not expired. */
  active: z.boolean(),
});
export type Consent = z.infer<typeof consentSchema>;

// ---------------------------------------------------------------------------------------------------------
// The case file as presented
// ---------------------------------------------------------------------------------------------------------

export const staffSchema = z.object({
  membershipId: z.uuid(),
  personId: z.uuid(),
  name: z.string(),
  role: z.string(),
});
export type Staff = z.infer<typeof staffSchema>;

export const caseAbilitiesSchema = z.object({
  update: z.boolean(),
  addEntries: z.boolean(),
  assign: z.boolean(),
  restrict: z.boolean(),
  recordConsent: z.boolean(),
  requestClosure: z.boolean(),
  approveClosure: z.boolean(),
  reopen: z.boolean(),
  viewAccessHistory: z.boolean(),
  reveal: z.boolean().describe('May see the identifying sections (after a recent step-up)'),
});

export const caseFileSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(caseStatuses),
  draft: z.boolean(),
  restricted: z.boolean(),
  openedOn: z.string(),
  closedOn: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  assignees: z.array(staffSchema.extend({ primary: z.boolean() })),
  restrictedTo: z.array(staffSchema),
  closureRequest: z
    .object({
      status: z.enum(caseStatuses),
      requestedBy: z.object({ personId: z.uuid(), name: z.string() }).nullable(),
      requestedAt: z.iso.datetime(),
      reason: z.string().nullable().describe('Only when revealed'),
    })
    .nullable(),
  /** How this caller reached the case: through their role, or a break-glass opening until `until`. */
  access: z.object({
    via: z.enum(['assignment', 'supervision', 'restriction', 'break_glass']),
    until: z.iso.datetime().nullable(),
  }),
  revealed: z.boolean(),
  identity: identitySectionSchema.nullable(),
  contact: contactSectionSchema.nullable(),
  documents: documentsSectionSchema.nullable(),
  narrative: narrativeSectionSchema.nullable(),
  profile: profileSectionSchema,
  victim: victimSectionSchema,
  entries: z.array(entrySchema),
  consents: z.array(consentSchema),
  possibleDuplicates: z
    .number()
    .int()
    .describe('Other cases of the organisation with the same document or name + birth year'),
  abilities: caseAbilitiesSchema,
});
export type CaseFile = z.infer<typeof caseFileSchema>;

/** A case in a list: nothing that identifies the survivor. */
export const caseSummarySchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(caseStatuses),
  draft: z.boolean(),
  restricted: z.boolean(),
  openedOn: z.string(),
  updatedAt: z.iso.datetime(),
  closurePending: z.boolean(),
  assignees: z.array(z.object({ personId: z.uuid(), name: z.string() })),
  dueFollowUps: z.number().int(),
});
export type CaseSummary = z.infer<typeof caseSummarySchema>;

export const caseListQuerySchema = z.strictObject({
  scope: z.enum(['mine', 'organisation']).default('mine'),
  status: z.enum(caseStatuses).optional(),
  closurePending: z.enum(['true', 'false']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type CaseListQuery = z.infer<typeof caseListQuerySchema>;

export const casePageSchema = z.object({
  items: z.array(caseSummarySchema),
  nextCursor: z.string().nullable(),
});

export const dashboardSchema = z.object({
  myCases: z.array(caseSummarySchema),
  dueFollowUps: z.array(
    z.object({
      caseId: z.uuid(),
      reference: z.string(),
      entryId: z.uuid(),
      dueOn: z.string(),
      overdue: z.boolean(),
    }),
  ),
  recentlyUpdated: z.array(caseSummarySchema),
  closuresAwaitingApproval: z.number().int(),
});

export const assignmentsInputSchema = z.strictObject({
  membershipIds: uniqueList(z.uuid(), 10).min(1),
  primaryMembershipId: z.uuid(),
});

export const restrictionInputSchema = z.strictObject({
  restricted: z.boolean(),
  membershipIds: uniqueList(z.uuid(), 20)
    .default([])
    .describe('The named staff; the caller is always included'),
});

export const closureRequestInputSchema = z.strictObject({
  status: z.enum(['Closed', 'ClosedReferred']),
  reason: text(5_000),
});

export const closureDecisionInputSchema = z.strictObject({
  decision: z.enum(['approve', 'reject']),
});

export const reopenInputSchema = z.strictObject({ reason: text(2_000) });

export const breakGlassInputSchema = z.strictObject({ reason: text(2_000).min(20) });
export const breakGlassSchema = z.object({ caseId: z.uuid(), until: z.iso.datetime() });

export const duplicateCheckInputSchema = z
  .strictObject({
    documentNumbers: uniqueList(text(60), 10).default([]),
    firstName: text(120).optional(),
    secondName: text(120).optional(),
    birthYear: z.number().int().min(1900).max(2100).optional(),
    excludeCaseId: z.uuid().optional(),
  })
  .refine((value) => value.documentNumbers.length > 0 || (value.secondName && value.birthYear), {
    params: { i18n: 'cases.duplicate_check_needs_selector' },
  });
export const duplicateCheckSchema = z.object({
  matches: z.array(
    z.object({
      on: z.enum(['document', 'name_birth_year']),
      /** Set only when the caller may open the matching case. */
      caseId: z.uuid().nullable(),
      reference: z.string().nullable(),
    }),
  ),
});

export const accessHistorySchema = z.object({
  items: z.array(
    z.object({
      at: z.iso.datetime(),
      action: z.string(),
      person: z.object({ personId: z.uuid(), name: z.string() }).nullable(),
      sections: z.array(z.string()),
    }),
  ),
  nextCursor: z.string().nullable(),
});
export const historyQuerySchema = z.strictObject({
  kind: z.enum(['reads', 'changes', 'all']).default('all'),
  cursor: z.string().max(200).optional(),
});

export const staffListSchema = z.object({ items: z.array(staffSchema) });

export const statisticsSchema = z.object({
  threshold: z.number().int(),
  total: z.number().int(),
  /** Per dimension, per value: a count, or null when below the threshold. */
  dimensions: z.record(
    z.string(),
    z.array(z.object({ value: z.string(), count: z.number().int().nullable() })),
  ),
});
