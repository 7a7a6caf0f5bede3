import { z } from 'zod';
import { countryCodeSchema, organisationTypes, tiers } from '../identity/index.js';
import { languageCodeSchema, regionCodeSchema } from './directory.profiles.schemas.js';
import { exploitationTypes, focusAreas, industries, populations, services } from './directory.vocabulary.js';

/** A query-string list: `?service=shelter&service=legal_aid` or a single value. */
const many = <T extends z.ZodType>(item: T, max = 20) =>
  z.preprocess(
    (value): unknown[] => (value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value]),
    z.array(item).max(max),
  );

/** The facets of the directory, in the order the web shows them; each is a filter and has counts. */
export const facetNames = [
  'service',
  'population',
  'exploitation',
  'country',
  'region',
  'language',
  'focus',
  'industry',
  'type',
  'network',
] as const;
export type FacetName = (typeof facetNames)[number];

/**
 * Filters shared by search, the map and exports. Values of one facet narrow together (an organisation must
 * have all of them); facets combine the same way.
 */
export const directoryFilterShape = {
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe('Names (any script, typo-tolerant), descriptions and places'),
  service: many(z.enum(services)),
  population: many(z.enum(populations)),
  exploitation: many(z.enum(exploitationTypes)),
  country: many(countryCodeSchema),
  region: many(regionCodeSchema),
  language: many(languageCodeSchema),
  focus: many(z.enum(focusAreas)),
  industry: many(z.enum(industries)),
  type: many(z.enum(organisationTypes)),
  network: many(z.string().trim().min(1).max(200)),
  tier: many(z.enum(tiers)).describe('Vetting tiers (any of them)'),
};

export const directoryFiltersSchema = z.object(directoryFilterShape);
export type DirectoryFilters = z.infer<typeof directoryFiltersSchema>;

export const sortOrders = ['relevance', 'distance', 'name'] as const;

export const searchQuerySchema = z.object({
  ...directoryFilterShape,
  near: z
    .string()
    .regex(/^-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?$/)
    .optional()
    .describe('"latitude,longitude" to sort by distance from (e.g. the browser’s position)'),
  placeId: z.coerce.number().int().min(0).optional().describe('A gazetteer place to sort by distance from'),
  radiusKm: z.coerce.number().min(1).max(20_000).optional(),
  sort: z.enum(sortOrders).default('relevance'),
  page: z.coerce.number().int().min(1).max(500).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type SearchQuery = z.infer<typeof searchQuerySchema>;

export const searchHitSchema = z
  .object({
    organisationId: z.uuid(),
    name: z.string(),
    type: z.enum(organisationTypes),
    tier: z.enum(tiers).nullable(),
    /** The short description in the reader's language when there is one, else the first. */
    summary: z.string().nullable(),
    summaryLanguage: z.string().nullable(),
    countries: z.array(z.string()),
    services: z.array(z.string()),
    populations: z.array(z.string()),
    languages: z.array(z.string()),
    /** Kilometres from the chosen point, when sorting or filtering by distance. */
    distanceKm: z.number().nullable(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'DirectoryHit' });
export type SearchHit = z.infer<typeof searchHitSchema>;

export const facetCountSchema = z
  .object({ value: z.string(), count: z.number().int() })
  .meta({ id: 'FacetCount' });

export const searchResultSchema = z
  .object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    items: z.array(searchHitSchema),
    facets: z.object(
      Object.fromEntries(facetNames.map((f) => [f, z.array(facetCountSchema)])) as Record<
        FacetName,
        z.ZodArray<typeof facetCountSchema>
      >,
    ),
  })
  .meta({ id: 'DirectorySearchResult' });
export type SearchResult = z.infer<typeof searchResultSchema>;

export const mapQuerySchema = z.object({
  ...directoryFilterShape,
  level: z.enum(['country', 'region']).default('country'),
  within: countryCodeSchema.optional().describe('With level=region: the country whose regions to count'),
});

export const mapAreaSchema = z
  .object({
    code: z.string().describe('ISO 3166 country code, or GeoNames region code'),
    name: z.string().nullable().describe('Region name (countries are named by the web, in its language)'),
    count: z.number().int(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
  })
  .meta({ id: 'MapArea' });

export const mapResultSchema = z
  .object({ total: z.number().int(), areas: z.array(mapAreaSchema) })
  .meta({ id: 'DirectoryMap' });
export type MapResult = z.infer<typeof mapResultSchema>;
