import type { TFunction } from 'i18next';
import { countryName } from '../identity/organisations/countries';
import type { Route, RoutePlace } from './api';

/** A place of a route in words: "Lào Cai, Lào Cai Province, Viet Nam". */
export function placeText(place: RoutePlace, language: string): string {
  return [place.placeName, place.regionName, countryName(place.country, language)]
    .filter((part, index, all) => part && all.indexOf(part) === index)
    .join(', ');
}

/** A route in one line: origin → transit points → places of exploitation. */
export function routeText(
  route: Pick<Route, 'origin' | 'transits' | 'exploitation'>,
  language: string,
): string {
  return [route.origin, ...route.transits, ...route.exploitation]
    .map((p) => placeText(p, language))
    .join(' → ');
}

/** The period of a route: "2024" or "2024 Q3". */
export function periodText(route: Pick<Route, 'year' | 'quarter'>, t: TFunction): string {
  return route.quarter
    ? t('journeys.contributions.period', { year: route.year, quarter: route.quarter })
    : String(route.year);
}
