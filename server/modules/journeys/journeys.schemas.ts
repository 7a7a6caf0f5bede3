import { z } from 'zod';
import { recruitmentMethods } from '../cases/index.js';
import { exploitationTypes, industries, placeById, regionName } from '../directory/index.js';
import { countryCodeSchema } from '../identity/index.js';
import {
  ageBands,
  decisions,
  earliestYear,
  genderBands,
  maxExploitationPlaces,
  maxPeoplePerRoute,
  maxTransitPoints,
  nationalityBands,
  placeRoles,
  routeSources,
  routeStatuses,
  transportMeans,
} from './journeys.vocabulary.js';

/** A place of a route: a gazetteer city (its id), or a country with, optionally, a first-level region. */
export const placeInputSchema = z
  .object({
    placeId: z.number().int().nonnegative().optional().describe('Gazetteer id of a city (GET /places)'),
    country: countryCodeSchema,
    region: z
      .string()
      .regex(/^[A-Z]{2}\.[A-Za-z0-9]{1,8}$/)
      .optional()
      .describe('GeoNames admin1 code, e.g. VN.44 (taken from the city when placeId is given)'),
  })
  .strict();
export type PlaceInput = z.infer<typeof placeInputSchema>;

/** A transit point or place of exploitation: how it was reached, and whether a border was crossed. */
export const stopInputSchema = placeInputSchema
  .extend({
    borderCrossing: z.boolean().default(false),
    transport: z.enum(transportMeans).optional(),
  })
  .strict();
export type StopInput = z.infer<typeof stopInputSchema>;

/** Checks one place against the offline gazetteer; issues are reported at `path`. */
function checkPlace(place: PlaceInput, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (place.placeId !== undefined) {
    const found = placeById(place.placeId);
    if (!found) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'placeId'],
        params: { i18n: 'journeys.place_unknown' },
      });
      return;
    }
    if (found.country !== place.country) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'country'],
        params: { i18n: 'journeys.place_country' },
      });
      return;
    }
    if (place.region !== undefined && place.region !== found.region) {
      ctx.addIssue({ code: 'custom', path: [...path, 'region'], params: { i18n: 'journeys.place_region' } });
    }
    return;
  }
  if (place.region !== undefined) {
    if (regionName(place.region) === null) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'region'],
        params: { i18n: 'journeys.region_unknown' },
      });
    } else if (!place.region.startsWith(`${place.country}.`)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'region'],
        params: { i18n: 'journeys.region_country' },
      });
    }
  }
}

const routeFields = {
  origin: placeInputSchema,
  destination: placeInputSchema.optional().describe('The intended destination the people were promised'),
  transits: z.array(stopInputSchema).max(maxTransitPoints).default([]).describe('In the order travelled'),
  exploitation: z.array(stopInputSchema).min(1).max(maxExploitationPlaces).describe('In the order travelled'),
  year: z.number().int().min(earliestYear),
  quarter: z.number().int().min(1).max(4).optional(),
  exploitationTypes: z.array(z.enum(exploitationTypes)).min(1).max(exploitationTypes.length),
  industry: z.enum(industries).optional(),
  recruitmentMethod: z.enum(recruitmentMethods).optional(),
  people: z.number().int().min(1).max(maxPeoplePerRoute).describe('Estimated number of people'),
  genderBand: z.enum(genderBands),
  ageBand: z.enum(ageBands),
  nationalityBand: z.enum(nationalityBands),
};

type RouteFields = z.infer<z.ZodObject<typeof routeFields>>;

/** Cross-field rules: places exist and match their country, no period in the future, no repeated type. */
function checkRoute(route: Partial<RouteFields>, ctx: z.RefinementCtx, now = new Date()): void {
  if (route.origin) checkPlace(route.origin, ['origin'], ctx);
  if (route.destination) checkPlace(route.destination, ['destination'], ctx);
  route.transits?.forEach((stop, i) => checkPlace(stop, ['transits', i], ctx));
  route.exploitation?.forEach((stop, i) => checkPlace(stop, ['exploitation', i], ctx));
  const year = now.getUTCFullYear();
  const quarter = Math.floor(now.getUTCMonth() / 3) + 1;
  if (route.year !== undefined && route.year > year) {
    ctx.addIssue({ code: 'custom', path: ['year'], params: { i18n: 'journeys.period_in_future' } });
  } else if (route.year === year && route.quarter !== undefined && route.quarter > quarter) {
    ctx.addIssue({ code: 'custom', path: ['quarter'], params: { i18n: 'journeys.period_in_future' } });
  }
  if (route.exploitationTypes && new Set(route.exploitationTypes).size !== route.exploitationTypes.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['exploitationTypes'],
      params: { i18n: 'journeys.duplicate_value' },
    });
  }
}

/** A route as a member organisation contributes it (the form). */
export const routeInputSchema = z
  .object(routeFields)
  .strict()
  .superRefine((route, ctx) => checkRoute(route, ctx));
export type RouteInput = z.infer<typeof routeInputSchema>;

/** A change to a pending or queried contribution: any field, and the version it was made on. */
export const routeUpdateSchema = z
  .object({ ...routeFields, version: z.number().int().positive() })
  .partial()
  .required({ version: true })
  .strict()
  .superRefine((route, ctx) => checkRoute(route, ctx));
export type RouteUpdate = z.infer<typeof routeUpdateSchema>;

export const routeParamsSchema = z.object({ id: z.uuid() });

export const routeListQuerySchema = z.object({
  status: z.enum(routeStatuses).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const placeSchema = z.object({
  placeId: z.number().int().nullable(),
  placeName: z.string().nullable(),
  country: z.string(),
  region: z.string().nullable(),
  regionName: z.string().nullable(),
});

export const stopSchema = placeSchema.extend({
  borderCrossing: z.boolean(),
  transport: z.enum(transportMeans).nullable(),
});

/** A contribution as its own organisation sees it (no contributor: the organisation knows who it is). */
export const routeSchema = z.object({
  id: z.uuid(),
  status: z.enum(routeStatuses),
  source: z.enum(routeSources),
  origin: placeSchema,
  destination: placeSchema.nullable(),
  transits: z.array(stopSchema),
  exploitation: z.array(stopSchema),
  year: z.number().int(),
  quarter: z.number().int().nullable(),
  exploitationTypes: z.array(z.string()),
  industry: z.string().nullable(),
  recruitmentMethod: z.string().nullable(),
  people: z.number().int(),
  genderBand: z.enum(genderBands),
  ageBand: z.enum(ageBands),
  nationalityBand: z.enum(nationalityBands),
  /** The moderator's note on a queried or rejected contribution. */
  moderatorNote: z.string().nullable(),
  decidedAt: z.iso.datetime().nullable(),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  abilities: z.object({ update: z.boolean(), delete: z.boolean() }),
});
export type Route = z.infer<typeof routeSchema>;

export const routePageSchema = z.object({ items: z.array(routeSchema), nextCursor: z.string().nullable() });

/**
 * A contribution as a moderator sees it. SECURITY: the only answer that names who contributed a route.
 */
export const moderationItemSchema = routeSchema.omit({ abilities: true }).extend({
  organisation: z.object({ id: z.uuid(), name: z.string() }),
  contributor: z.object({ id: z.uuid(), name: z.string() }).nullable(),
});
export type ModerationItem = z.infer<typeof moderationItemSchema>;

export const moderationQuerySchema = z.object({
  status: z.enum(['pending', 'queried']).default('pending'),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const moderationPageSchema = z.object({
  items: z.array(moderationItemSchema),
  nextCursor: z.string().nullable(),
});

export const decisionInputSchema = z
  .object({
    decision: z.enum(decisions),
    /** Required to query or reject: what the contributor should check (sealed; no survivor detail). */
    note: z.string().trim().min(1).max(2000).optional(),
    version: z.number().int().positive(),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.decision !== 'validate' && input.note === undefined) {
      ctx.addIssue({ code: 'custom', path: ['note'], params: { i18n: 'journeys.note_required' } });
    }
  });
export type DecisionInput = z.infer<typeof decisionInputSchema>;

const dimension = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values).optional();

/**
 * The published map (journeys.publication.ts): a slice's answer for a period, as stored. Periods are the map's
 * own choices (each year, the last 3 and 5 years, all), the same in every slice; nothing finer than a year is
 * shown. Codes only, the reader names the areas. The gender and age bands a contribution carries are not
 * filters: each would multiply the summary's cells (decision 0011).
 */
const documentFilters = {
  period: z
    .string()
    .regex(/^(\d{4}|last3|last5|all)$/)
    .optional()
    .describe('A period the answer offers in `periods`: a year, `last3`, `last5` or `all` (the default)'),
  exploitationType: dimension(exploitationTypes),
  industry: dimension(industries),
  nationalityBand: dimension(nationalityBands),
};
export const documentQuerySchema = z.object(documentFilters).strict();
export type DocumentQuery = z.infer<typeof documentQuerySchema>;
export const areaDocumentQuerySchema = z
  .object({
    ...documentFilters,
    area: z
      .string()
      .regex(/^[A-Z]{2}(\.[A-Za-z0-9]{1,8})?$/)
      .describe('A country (ISO alpha-2) or a first-level region (`VN.44`)'),
  })
  .strict();
export type AreaDocumentQuery = z.infer<typeof areaDocumentQuerySchema>;

const documentFlowSchema = z.object({ from: z.string(), to: z.string(), people: z.number().int() });
const documentHotspotSchema = z.object({
  area: z.string(),
  role: z.enum(placeRoles),
  people: z.number().int(),
});
const areaTotalsFields = {
  total: z.number().int().nullable().describe('People of the routes that touch the area (null when hidden)'),
  timeline: z
    .array(z.object({ year: z.number().int(), people: z.number().int() }))
    .describe('People per year of the period, where shown'),
};
const documentPeriodFields = {
  k: z.number().int(),
  period: z.string().nullable().describe('The period answered (null before anything is published)'),
  from: z.number().int().nullable(),
  to: z.number().int().nullable(),
};
export const periodSchema = z.object({ id: z.string(), from: z.number().int(), to: z.number().int() });

/** The world's answer: the public map's, and the member map's before an area is chosen. */
export const worldDocumentSchema = z.object({
  ...documentPeriodFields,
  ...areaTotalsFields,
  flows: z.array(documentFlowSchema).describe('Country to country, most people first'),
  hotspots: z.array(documentHotspotSchema).describe('Countries by role, most people first'),
  countries: z
    .record(z.string(), z.object(areaTotalsFields))
    .describe('Each country’s total and years, where shown'),
  periods: z.array(periodSchema).describe('Every period the map offers, the same for every filter'),
});
export type WorldDocumentAnswer = z.infer<typeof worldDocumentSchema>;

/** What the member map adds about one area: its region flows and region hotspots, its total and years. */
export const areaDocumentSchema = z.object({
  ...documentPeriodFields,
  area: z.string(),
  ...areaTotalsFields,
  flows: z.array(documentFlowSchema).describe('Region flows that start or end in the area'),
  hotspots: z.array(documentHotspotSchema).describe('The area’s region hotspots'),
});
export type AreaDocumentAnswer = z.infer<typeof areaDocumentSchema>;

export const rebuildSchema = z.object({ flows: z.number().int(), hotspots: z.number().int() });
