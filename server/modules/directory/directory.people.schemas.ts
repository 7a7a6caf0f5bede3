import { z } from 'zod';
import { countryCodeSchema } from '../identity/index.js';
import { languageCodeSchema } from './directory.profiles.schemas.js';
import { focusAreas, services } from './directory.vocabulary.js';

/**
 * What a professional can say they know about: the focus areas and services of the organisation vocabulary.
 * A fixed list rather than free tags, because it is translated (a Spanish reader finds an English speaker's
 * "legal aid"), filterable without spelling variants, and cannot carry anything identifying.
 */
export const personExpertise = [...focusAreas, ...services] as const;
export type PersonExpertise = (typeof personExpertise)[number];

/** The longest message one member may send another through Cairn. */
export const maxMessageLength = 2000;

const text = (max: number) => z.string().trim().max(max);

const uniqueList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((list) => new Set(list as unknown[]).size === list.length, {
      params: { i18n: 'directory.people_duplicate' },
    });

/** What a member edits on their own professional profile; the organisation is the session's active one. */
export const personProfileInputSchema = z
  .strictObject({
    published: z.boolean().default(false).describe('Shown to other members (people search, contact)'),
    jobTitle: text(150).default('').describe('Role or job title'),
    bio: text(2000).default('').describe('What they work on, in a few sentences'),
    expertise: uniqueList(z.enum(personExpertise), 12).default([]),
    languages: uniqueList(languageCodeSchema, 20).default([]).describe('Languages spoken (ISO 639-1)'),
    countries: uniqueList(countryCodeSchema, 50).default([]).describe('Countries worked in'),
  })
  // A listed profile without a role says nothing useful to the people searching.
  .refine((input) => !input.published || input.jobTitle !== '', {
    path: ['jobTitle'],
    params: { i18n: 'directory.people_job_title_required' },
  });
export type PersonProfileInput = z.infer<typeof personProfileInputSchema>;

const organisationRefSchema = z.object({ id: z.uuid(), name: z.string() }).meta({ id: 'PersonOrganisation' });

/** My own professional profile, as I edit it; `updatedAt` is null until it is saved once. */
export const myPersonProfileSchema = z
  .object({
    personId: z.uuid(),
    name: z.string(),
    /** The organisation the profile is listed under when saved: the session's active membership. */
    organisation: organisationRefSchema,
    published: z.boolean(),
    jobTitle: z.string(),
    bio: z.string(),
    expertise: z.array(z.enum(personExpertise)),
    languages: z.array(z.string()),
    countries: z.array(z.string()),
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'MyPersonProfile' });
export type MyPersonProfile = z.infer<typeof myPersonProfileSchema>;

/**
 * One person in the people search. SECURITY: no email address, phone or anything else that reaches the
 * person outside Cairn; they are contacted through sendContactMessage.
 */
export const personSummarySchema = z
  .object({
    personId: z.uuid(),
    name: z.string(),
    jobTitle: z.string(),
    organisation: organisationRefSchema,
    expertise: z.array(z.enum(personExpertise)),
    languages: z.array(z.string()),
    countries: z.array(z.string()),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'PersonSummary' });
export type PersonSummary = z.infer<typeof personSummarySchema>;

/** A professional profile as a member reads it (its owner also reads it unpublished). */
export const personProfileSchema = personSummarySchema
  .extend({
    bio: z.string(),
    published: z.boolean(),
    /** True when the profile has not been updated for six months. */
    stale: z.boolean(),
    abilities: z.object({ contact: z.boolean(), edit: z.boolean() }),
  })
  .meta({ id: 'PersonProfile' });
export type PersonProfile = z.infer<typeof personProfileSchema>;

export const personParamsSchema = z.object({ personId: z.uuid() });

const pageQuery = {
  limit: z.coerce.number().int().min(1).max(50).default(20).describe('Items per page'),
  cursor: z.string().max(300).optional().describe('The nextCursor of the previous page'),
};

/** People search: every filter narrows; text matches names, job titles and organisation names. */
export const peopleQuerySchema = z.object({
  q: z.string().trim().max(100).optional().describe('Part of a name, job title or organisation name'),
  expertise: z.enum(personExpertise).optional(),
  language: languageCodeSchema.optional(),
  country: countryCodeSchema.optional(),
  ...pageQuery,
});
export type PeopleQuery = z.infer<typeof peopleQuerySchema>;

export const peoplePageSchema = z
  .object({ items: z.array(personSummarySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'PeoplePage' });
export type PeoplePage = z.infer<typeof peoplePageSchema>;

export const contactMessageInputSchema = z.strictObject({
  body: z
    .string()
    .trim()
    .max(maxMessageLength)
    .refine((body) => body.length > 0, { params: { i18n: 'directory.people_message_empty' } }),
});
export type ContactMessageInput = z.infer<typeof contactMessageInputSchema>;

/**
 * A message in my inbox or among those I sent. SECURITY: the other person is named with their organisation,
 * never with an email address.
 */
export const contactMessageSchema = z
  .object({
    id: z.uuid(),
    direction: z.enum(['received', 'sent']),
    counterpart: z.object({
      personId: z.uuid(),
      name: z.string(),
      organisation: organisationRefSchema.nullable(),
    }),
    body: z.string(),
    createdAt: z.iso.datetime(),
    /** When the recipient read it; null while unread. */
    readAt: z.iso.datetime().nullable(),
    abilities: z.object({ reply: z.boolean(), markRead: z.boolean() }),
  })
  .meta({ id: 'ContactMessage' });
export type ContactMessage = z.infer<typeof contactMessageSchema>;

export const messageParamsSchema = z.object({ messageId: z.uuid() });

export const messagesQuerySchema = z.object({
  box: z.enum(['inbox', 'sent']).default('inbox'),
  ...pageQuery,
});
export type MessagesQuery = z.infer<typeof messagesQuerySchema>;

export const messagePageSchema = z
  .object({
    items: z.array(contactMessageSchema),
    nextCursor: z.string().nullable(),
    /** Unread messages in my inbox (whichever box was asked for), for the navigation's badge. */
    unread: z.number().int(),
  })
  .meta({ id: 'ContactMessagePage' });
export type MessagePage = z.infer<typeof messagePageSchema>;
