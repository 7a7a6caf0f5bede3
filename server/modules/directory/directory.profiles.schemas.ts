import { z } from 'zod';
import { countryCodeSchema, organisationTypes, tiers } from '../identity/index.js';
import { isRegionCode } from './directory.gazetteer.js';
import {
  exploitationTypes,
  focusAreas,
  hotlineChannels,
  industries,
  isLanguageCode,
  populations,
  profileFieldVisibilityDefaults,
  services,
  visibilityLevels,
} from './directory.vocabulary.js';

const uniqueList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((list) => new Set(list as unknown[]).size === list.length, {
      params: { i18n: 'directory.duplicate_value' },
    });

export const languageCodeSchema = z
  .string()
  .regex(/^[a-z]{2}$/)
  .refine(isLanguageCode, { params: { i18n: 'directory.unknown_language' } })
  .describe('ISO 639-1 language code');

export const regionCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}\.[A-Za-z0-9]{1,8}$/)
  .refine(isRegionCode, { params: { i18n: 'directory.unknown_region' } })
  .describe('GeoNames first-level region (admin1) code, e.g. KE.37');

export const visibilitySchema = z.enum(visibilityLevels);

const text = (max: number) => z.string().trim().max(max);
// SECURITY: only http(s) with a real domain name, so a link shown to others cannot run script.
const websiteSchema = z.url({ protocol: /^https?$/, hostname: z.regexes.domain }).max(500);
const phoneSchema = z
  .string()
  .trim()
  .refine((value) => /^\+[1-9]\d{6,14}$/.test(value), { params: { i18n: 'directory.phone_e164' } })
  .describe('E.164 phone number, e.g. +254700000000');

export const descriptionSchema = z.strictObject({
  language: languageCodeSchema,
  short: text(300).min(1),
  long: text(5000).default(''),
});

export const hotlineSchema = z.strictObject({
  channel: z.enum(hotlineChannels),
  number: text(100).min(3).describe('Phone number, handle or address, as callers should use it'),
  hours: text(200).default('').describe('When it answers, e.g. "24/7" or "Mon–Fri 08:00–17:00 EAT"'),
  languages: uniqueList(languageCodeSchema, 20).default([]),
});

export const contactSchema = z.strictObject({
  label: text(200).min(1),
  email: z.email().max(320).nullable().default(null),
  phone: phoneSchema.nullable().default(null),
});

export const officeInputSchema = z.strictObject({
  label: text(200).min(1),
  placeId: z.number().int().min(0).describe('A place from searchPlaces'),
  street: text(300).nullable().default(null),
  postalCode: text(30).nullable().default(null),
  phone: phoneSchema.nullable().default(null),
  isMain: z.boolean().default(false),
});

export const visibilityMapSchema = z
  .strictObject(
    Object.fromEntries(
      Object.keys(profileFieldVisibilityDefaults).map((field) => [field, visibilitySchema.optional()]),
    ) as Record<keyof typeof profileFieldVisibilityDefaults, z.ZodOptional<typeof visibilitySchema>>,
  )
  .meta({ id: 'ProfileVisibilityInput' });

/** Everything an organisation's admin edits on its profile (the name, type and tier belong to vetting). */
export const profileInputSchema = z.strictObject({
  otherNames: uniqueList(text(200).min(1), 20).default([]).describe('Other names, in any script'),
  descriptions: z
    .array(descriptionSchema)
    .max(12)
    .refine((list) => new Set(list.map((d) => d.language)).size === list.length, {
      params: { i18n: 'directory.duplicate_language' },
    })
    .default([]),
  focus: uniqueList(z.enum(focusAreas), focusAreas.length).default([]),
  services: uniqueList(z.enum(services), services.length).default([]),
  populations: uniqueList(z.enum(populations), populations.length).default([]),
  exploitationTypes: uniqueList(z.enum(exploitationTypes), exploitationTypes.length).default([]),
  industries: uniqueList(z.enum(industries), industries.length).default([]),
  countries: uniqueList(countryCodeSchema, 250).min(1).describe('Countries of operation'),
  regions: uniqueList(regionCodeSchema, 200).default([]).describe('Regions of operation'),
  offices: z.array(officeInputSchema).max(50).default([]),
  languages: uniqueList(languageCodeSchema, 60).default([]).describe('Languages spoken'),
  hotlines: z.array(hotlineSchema).max(20).default([]),
  networks: uniqueList(text(200).min(1), 30).default([]).describe('Networks and coalitions'),
  website: websiteSchema.nullable().default(null),
  contacts: z.array(contactSchema).max(20).default([]),
  visibility: visibilityMapSchema.default({}),
  listed: z.boolean().default(true).describe('Shown in the public directory (public fields only)'),
  hideExactLocation: z
    .boolean()
    .default(false)
    .describe('Show only countries and regions, never where the offices are'),
});
export type ProfileInput = z.infer<typeof profileInputSchema>;

const descriptionOutSchema = z
  .object({ language: z.string(), short: z.string(), long: z.string() })
  .meta({ id: 'ProfileDescription' });
const hotlineOutSchema = z
  .object({
    channel: z.enum(hotlineChannels),
    number: z.string(),
    hours: z.string(),
    languages: z.array(z.string()),
  })
  .meta({ id: 'ProfileHotline' });
const contactOutSchema = z
  .object({ label: z.string(), email: z.string().nullable(), phone: z.string().nullable() })
  .meta({ id: 'ProfileContact' });

export const officeSchema = z
  .object({
    id: z.uuid(),
    label: z.string(),
    /** Null, like the coordinates, when the exact location is hidden from the reader. */
    placeName: z.string().nullable(),
    country: z.string(),
    region: z.string().nullable(),
    regionName: z.string().nullable(),
    /** Null when the organisation hides its exact location and the reader is not one of its people. */
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    street: z.string().nullable(),
    postalCode: z.string().nullable(),
    phone: z.string().nullable(),
    isMain: z.boolean(),
  })
  .meta({ id: 'Office' });

const abilitiesSchema = z
  .object({ edit: z.boolean(), requestSupport: z.boolean() })
  .meta({ id: 'ProfileAbilities' });

/**
 * A profile as one reader may see it. Every field the reader may not see is absent (not null): the web
 * shows nothing for it. `visibility` is present only for the organisation's own admins.
 */
export const profileSchema = z
  .object({
    organisationId: z.uuid(),
    name: z.string(),
    type: z.enum(organisationTypes),
    tier: z.enum(tiers).nullable(),
    otherNames: z.array(z.string()).optional(),
    descriptions: z.array(descriptionOutSchema).optional(),
    focus: z.array(z.enum(focusAreas)).optional(),
    services: z.array(z.enum(services)).optional(),
    populations: z.array(z.enum(populations)).optional(),
    exploitationTypes: z.array(z.enum(exploitationTypes)).optional(),
    industries: z.array(z.enum(industries)).optional(),
    countries: z.array(z.string()).optional(),
    regions: z.array(z.object({ code: z.string(), name: z.string() })).optional(),
    offices: z.array(officeSchema).optional(),
    languages: z.array(z.string()).optional(),
    hotlines: z.array(hotlineOutSchema).optional(),
    networks: z.array(z.string()).optional(),
    website: z.string().nullable().optional(),
    contacts: z.array(contactOutSchema).optional(),
    visibility: z.record(z.string(), visibilitySchema).optional(),
    listed: z.boolean(),
    hideExactLocation: z.boolean(),
    updatedAt: z.iso.datetime(),
    /** True when the profile has not been updated for six months. */
    stale: z.boolean(),
    abilities: abilitiesSchema,
  })
  .meta({ id: 'Profile' });
export type Profile = z.infer<typeof profileSchema>;

export const organisationParamsSchema = z.object({ organisationId: z.uuid() });

export const placeSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    country: z.string(),
    region: z.string().nullable(),
    regionName: z.string().nullable(),
    latitude: z.number(),
    longitude: z.number(),
  })
  .meta({ id: 'Place' });

export const placeQuerySchema = z.object({
  q: z.string().trim().min(1).max(100),
  country: countryCodeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(25).default(10),
});

export const regionQuerySchema = z.object({ country: countryCodeSchema });
export const regionSchema = z.object({ code: z.string(), name: z.string() }).meta({ id: 'Region' });

export const partnersSchema = z
  .object({ organisationIds: z.array(z.uuid()).max(500) })
  .meta({ id: 'Partners' });
