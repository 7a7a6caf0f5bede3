import type { operations } from '../../../api/schema';
import { ORGANISATION_TYPES, TIERS } from '../../identity/organisations/vocabulary';
import {
  EXPLOITATION_TYPES,
  FOCUS_AREAS,
  INDUSTRIES,
  LANGUAGE_CODES,
  POPULATIONS,
  SERVICES,
  isOneOf,
  type Population,
  type Service,
} from '../vocabulary';

/** The query the search endpoint takes. */
export type SearchQuery = operations['searchDirectory']['parameters']['query'];
/** The query the map endpoint takes. */
export type MapQuery = operations['directoryMap']['parameters']['query'];

/** The facets of the directory, in the order the page shows them (the server's facetNames). */
export const FACETS = [
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
export type Facet = (typeof FACETS)[number];

/** Every filter: the facets, and the vetting tier (a filter without counts). */
export const FILTERS = [...FACETS, 'tier'] as const;
export type Filter = (typeof FILTERS)[number];

export const SORTS = ['relevance', 'distance', 'name'] as const;
export type Sort = (typeof SORTS)[number];

export const VIEWS = ['list', 'map'] as const;
export type View = (typeof VIEWS)[number];

/** Results per page: enough to scan, small enough for a slow connection. */
export const PAGE_SIZE = 20;
/** The server refuses more values than this per filter, and pages past this one. */
const MAX_VALUES = 20;
const MAX_PAGE = 500;

/** Everything the search page shows, as the address holds it (so a search can be shared and the back button works). */
export interface SearchState {
  q: string;
  filters: Record<Filter, string[]>;
  sort: Sort;
  /** "latitude,longitude" of the reader ("near me"), rounded so the address does not pinpoint them. */
  near: string | null;
  /** A gazetteer place to measure distance from ("near a place"), with the name shown for it. */
  placeId: number | null;
  placeName: string | null;
  page: number;
  view: View;
  /** The service-gap layer of the map: where nobody offers this service to this population. */
  gapService: Service | null;
  gapPopulation: Population | null;
}

/** Changes the search: the change gets the latest search and returns the next, which goes into the address. */
export type Go = (change: (current: SearchState) => SearchState) => void;

const validators: Record<Filter, (value: string) => boolean> = {
  service: (v) => isOneOf(SERVICES, v),
  population: (v) => isOneOf(POPULATIONS, v),
  exploitation: (v) => isOneOf(EXPLOITATION_TYPES, v),
  country: (v) => /^[A-Z]{2}$/.test(v),
  region: (v) => /^[A-Z]{2}\.[A-Za-z0-9]{1,8}$/.test(v),
  language: (v) => isOneOf(LANGUAGE_CODES, v),
  focus: (v) => isOneOf(FOCUS_AREAS, v),
  industry: (v) => isOneOf(INDUSTRIES, v),
  type: (v) => isOneOf(ORGANISATION_TYPES, v),
  network: (v) => v.trim() !== '' && v.length <= 200,
  tier: (v) => isOneOf(TIERS, v),
};

const emptyFilters = (): Record<Filter, string[]> =>
  Object.fromEntries(FILTERS.map((f) => [f, []])) as unknown as Record<Filter, string[]>;

/** A search with nothing chosen: the directory's landing page. */
export const emptySearch: SearchState = {
  q: '',
  filters: emptyFilters(),
  sort: 'relevance',
  near: null,
  placeId: null,
  placeName: null,
  page: 1,
  view: 'list',
  gapService: null,
  gapPopulation: null,
};

/** Rounds a position to two decimals (about a kilometre): enough to sort by distance, not enough to find a house. */
export function roundPoint(latitude: number, longitude: number): string {
  return `${latitude.toFixed(2)},${longitude.toFixed(2)}`;
}

const POINT = /^-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?$/;

/**
 * Reads the search from the address. Whatever does not make sense (an unknown service, a page of "abc") is
 * dropped rather than sent to the server, so an old or hand-edited link still opens a working page.
 */
export function parseSearch(params: URLSearchParams): SearchState {
  const filters = emptyFilters();
  for (const filter of FILTERS) {
    const values = params.getAll(filter).filter(validators[filter]);
    filters[filter] = [...new Set(values)].slice(0, MAX_VALUES);
  }
  const nearParam = params.get('near');
  const near = nearParam && POINT.test(nearParam) ? nearParam : null;
  const placeParam = Number(params.get('placeId'));
  const placeId =
    near === null && params.has('placeId') && Number.isInteger(placeParam) && placeParam >= 0
      ? placeParam
      : null;
  const sortParam = params.get('sort');
  const hasPoint = near !== null || placeId !== null;
  // Distance needs a point to measure from; without one the server would refuse the search.
  const sort: Sort =
    isOneOf(SORTS, sortParam) && (sortParam !== 'distance' || hasPoint) ? sortParam : 'relevance';
  const pageParam = Number(params.get('page'));
  const viewParam = params.get('view');
  const gapService = params.get('gapService');
  const gapPopulation = params.get('gapPopulation');
  return {
    q: (params.get('q') ?? '').trim().slice(0, 200),
    filters,
    sort,
    near,
    placeId,
    placeName: placeId !== null ? (params.get('placeName') ?? '').slice(0, 200) || null : null,
    page: Number.isInteger(pageParam) && pageParam >= 1 ? Math.min(pageParam, MAX_PAGE) : 1,
    view: isOneOf(VIEWS, viewParam) ? viewParam : 'list',
    gapService: isOneOf(SERVICES, gapService) ? gapService : null,
    gapPopulation: isOneOf(POPULATIONS, gapPopulation) ? gapPopulation : null,
  };
}

/** Writes the search into an address query, leaving out what is at its default so links stay short. */
export function searchParamsOf(state: SearchState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const filter of FILTERS) for (const value of state.filters[filter]) params.append(filter, value);
  if (state.near) params.set('near', state.near);
  else if (state.placeId !== null) {
    params.set('placeId', String(state.placeId));
    if (state.placeName) params.set('placeName', state.placeName);
  }
  if (state.sort !== 'relevance') params.set('sort', state.sort);
  if (state.page > 1) params.set('page', String(state.page));
  if (state.view !== 'list') params.set('view', state.view);
  if (state.gapService) params.set('gapService', state.gapService);
  if (state.gapPopulation) params.set('gapPopulation', state.gapPopulation);
  return params;
}

/** The search as `?…` (empty for the landing page), for links. */
export function searchString(state: SearchState): string {
  const text = searchParamsOf(state).toString();
  return text ? `?${text}` : '';
}

/** Adds or removes one value of a filter; any change of what is searched starts again at page 1. */
export function toggleFilter(state: SearchState, filter: Filter, value: string): SearchState {
  const current = state.filters[filter];
  const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  const filters = { ...state.filters, [filter]: next };
  // A region belongs to a country: removing the country removes its regions too.
  if (filter === 'country' && current.includes(value)) {
    filters.region = filters.region.filter((region) => !region.startsWith(`${value}.`));
  }
  return { ...state, filters, page: 1 };
}

/** The same search without any filter (the text and the point to measure from stay). */
export function clearFilters(state: SearchState): SearchState {
  return { ...state, filters: emptyFilters(), page: 1 };
}

/** How many filter values are chosen. */
export function filterCount(state: SearchState): number {
  return FILTERS.reduce((sum, filter) => sum + state.filters[filter].length, 0);
}

/** The filters as both endpoints take them. */
function filterQuery(state: SearchState) {
  const f = state.filters;
  return {
    q: state.q || undefined,
    service: f.service as SearchQuery['service'],
    population: f.population as SearchQuery['population'],
    exploitation: f.exploitation as SearchQuery['exploitation'],
    country: f.country,
    region: f.region,
    language: f.language,
    focus: f.focus as SearchQuery['focus'],
    industry: f.industry as SearchQuery['industry'],
    type: f.type as SearchQuery['type'],
    network: f.network,
    tier: f.tier as SearchQuery['tier'],
  };
}

/** The query of GET /api/directory/search for this state. */
export function searchQueryOf(state: SearchState): SearchQuery {
  return {
    ...filterQuery(state),
    near: state.near ?? undefined,
    placeId: state.near ? undefined : (state.placeId ?? undefined),
    sort: state.sort,
    page: state.page,
    pageSize: PAGE_SIZE,
  };
}

/**
 * The query of GET /api/directory/map: the same filters as the list, counted per country, or per region
 * once the search is narrowed to exactly one country (clicking a country on the map does that).
 */
export function mapQueryOf(state: SearchState): MapQuery {
  const within = drilledCountry(state);
  return { ...filterQuery(state), level: within ? 'region' : 'country', within: within ?? undefined };
}

/** The country the map shows regions of: the one country the search is narrowed to, if exactly one. */
export function drilledCountry(state: SearchState): string | null {
  return state.filters.country.length === 1 ? (state.filters.country[0] ?? null) : null;
}

/**
 * The query of the service-gap layer: every area with an organisation offering the service to the
 * population (the other filters do not apply: the question is where nobody at all offers it).
 */
export function gapQueryOf(state: SearchState): MapQuery | null {
  if (!state.gapService || !state.gapPopulation) return null;
  const within = drilledCountry(state);
  return {
    service: [state.gapService],
    population: [state.gapPopulation],
    exploitation: [],
    country: within ? [within] : [],
    region: [],
    language: [],
    focus: [],
    industry: [],
    type: [],
    network: [],
    tier: [],
    level: within ? 'region' : 'country',
    within: within ?? undefined,
  };
}
