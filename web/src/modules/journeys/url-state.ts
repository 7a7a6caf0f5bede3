import type { AnswerQuery } from './api';
import { EXPLOITATION_TYPES, INDUSTRIES, NATIONALITY_BANDS, isOneOf } from './vocabulary';

/**
 * The map's filters as the address holds them, so a view can be shared and the back button works: a period
 * the publication offers, the slice (type, industry, nationality band) and the chosen country or region.
 */
export type MapFilters = AnswerQuery & { area?: string };

const PERIOD = /^(\d{4}|last3|last5|all)$/;
const COUNTRY = /^[A-Z]{2}$/;
const REGION = /^[A-Z]{2}\.[A-Za-z0-9]{1,8}$/;

function oneOf<T extends string>(list: readonly T[], value: string | null): T | undefined {
  return isOneOf(list, value) ? value : undefined;
}

/**
 * The period in the address. A link from before periods (`fromYear` and `toYear`) names one year when both
 * are the same year, as the timeline wrote it; any other span is not a period the map offers, and is dropped.
 */
function periodOf(params: URLSearchParams): string | undefined {
  const period = params.get('period');
  if (period !== null) return PERIOD.test(period) ? period : undefined;
  const from = params.get('fromYear');
  return from !== null && /^\d{4}$/.test(from) && params.get('toYear') === from ? from : undefined;
}

/**
 * Reads the filters from the address. Whatever does not make sense (an unknown industry, a period of "abc",
 * a region on the public map) is dropped rather than sent to the server, so an old or hand-edited link still
 * opens a working map. (A well-formed period the publication does not offer, such as a year with no routes,
 * is for the page to drop once the server says so.)
 */
export function parseMapFilters(params: URLSearchParams, allowRegions: boolean): MapFilters {
  const area = params.get('area') ?? '';
  const filters: MapFilters = {
    period: periodOf(params),
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
  const keys = ['period', 'exploitationType', 'industry', 'nationalityBand', 'area'] as const;
  for (const key of keys) {
    const value = filters[key];
    if (value !== undefined) params.set(key, value);
  }
  return params;
}

/** The slice and period of the filters: what the world's answer is asked for (the area is asked apart). */
export function answerQuery(filters: MapFilters): AnswerQuery {
  const { area: _area, ...query } = filters;
  return query;
}

/** One year of the timeline chosen: the period becomes that year (or the default period again if it was). */
export function toggleYear(filters: MapFilters, year: number): MapFilters {
  const only = filters.period === String(year);
  return withoutEmpty({ ...filters, period: only ? undefined : String(year) });
}
