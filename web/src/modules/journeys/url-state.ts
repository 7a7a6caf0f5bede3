import type { MapQuery } from './api';
import { EARLIEST_YEAR, EXPLOITATION_TYPES, INDUSTRIES, NATIONALITY_BANDS, isOneOf } from './vocabulary';

/** The map's filters as the address holds them, so a view can be shared and the back button works. */
export type MapFilters = MapQuery;

const LATEST_YEAR = 2100;
const COUNTRY = /^[A-Z]{2}$/;
const REGION = /^[A-Z]{2}\.[A-Za-z0-9]{1,8}$/;

function yearOf(value: string | null): number | undefined {
  if (value === null || !/^\d{4}$/.test(value)) return undefined;
  const year = Number(value);
  return year >= EARLIEST_YEAR && year <= LATEST_YEAR ? year : undefined;
}

function oneOf<T extends string>(list: readonly T[], value: string | null): T | undefined {
  return isOneOf(list, value) ? value : undefined;
}

/**
 * Reads the filters from the address. Whatever does not make sense (an unknown industry, a year of "abc", a
 * region on the public map, a period that ends before it starts) is dropped rather than sent to the server,
 * so an old or hand-edited link still opens a working map.
 */
export function parseMapFilters(params: URLSearchParams, allowRegions: boolean): MapFilters {
  const fromYear = yearOf(params.get('fromYear'));
  let toYear = yearOf(params.get('toYear'));
  if (fromYear !== undefined && toYear !== undefined && toYear < fromYear) toYear = undefined;
  const area = params.get('area') ?? '';
  const filters: MapFilters = {
    fromYear,
    toYear,
    exploitationType: oneOf(EXPLOITATION_TYPES, params.get('exploitationType')),
    industry: oneOf(INDUSTRIES, params.get('industry')),
    nationalityBand: oneOf(NATIONALITY_BANDS, params.get('nationalityBand')),
    area: COUNTRY.test(area) || (allowRegions && REGION.test(area)) ? area : undefined,
  };
  return withoutEmpty(filters);
}

/** The filters without their unset keys (a stable query key and a short address). */
export function withoutEmpty(filters: MapFilters): MapFilters {
  return Object.fromEntries(
    Object.entries(filters).filter(([, value]) => value !== undefined && value !== ''),
  );
}

/** Writes the filters into an address query, in a fixed order. */
export function mapFilterParams(filters: MapFilters): URLSearchParams {
  const params = new URLSearchParams();
  const keys = ['fromYear', 'toYear', 'exploitationType', 'industry', 'nationalityBand', 'area'] as const;
  for (const key of keys) {
    const value = filters[key];
    if (value !== undefined) params.set(key, String(value));
  }
  return params;
}

/** One year of the timeline chosen: the period becomes that year (or the whole period again if it was). */
export function toggleYear(filters: MapFilters, year: number): MapFilters {
  const only = filters.fromYear === year && filters.toYear === year;
  return withoutEmpty({
    ...filters,
    fromYear: only ? undefined : year,
    toYear: only ? undefined : year,
  });
}
