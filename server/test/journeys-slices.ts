import fc from 'fast-check';
import type { YearFlow, YearHotspot } from '../modules/journeys/journeys.publish.js';

/**
 * Generated contributions of one slice of the journey map's summary, and their year cells computed without the
 * summary's SQL: for the tests of protection ahead of time (journeys.publish.ts) and of the documents built
 * from it (journeys.documents.ts).
 */

/** A generated contribution: a year, its people, and its stops in order (a country or `XX.n` region). */
export interface Route {
  year: number;
  people: number;
  stops: string[];
}

const country = (place: string) => place.slice(0, 2);

/**
 * The summary's year cells of a slice, computed here without the summary's SQL: a route counts once per
 * distinct pair of consecutive stops per level, and once per area and role (plus `any` and the world).
 */
export function yearCells(routes: readonly Route[]): { flows: YearFlow[]; hotspots: YearHotspot[] } {
  const flows = new Map<string, YearFlow>();
  const hotspots = new Map<string, YearHotspot>();
  for (const route of routes) {
    const pairs = new Set<string>();
    route.stops.slice(1).forEach((to, i) => {
      const from = route.stops[i]!;
      pairs.add(`country|${country(from)}|${country(to)}`);
      pairs.add(`region|${from}|${to}`);
    });
    for (const pair of pairs) {
      const [level, from, to] = pair.split('|') as ['country' | 'region', string, string];
      const key = `${pair}|${route.year}`;
      const cell = flows.get(key) ?? {
        level,
        from,
        to,
        fromCountry: country(from),
        toCountry: country(to),
        year: route.year,
        people: 0,
      };
      cell.people += route.people;
      flows.set(key, cell);
    }
    const areas = new Set<string>(['world|*|*|any']);
    route.stops.forEach((place, i) => {
      const role = i === 0 ? 'origin' : i === route.stops.length - 1 ? 'exploitation' : 'transit';
      for (const level of ['country', 'region'] as const) {
        const area = level === 'country' ? country(place) : place;
        areas.add(`${level}|${area}|${country(place)}|${role}`);
        areas.add(`${level}|${area}|${country(place)}|any`);
      }
    });
    for (const entry of areas) {
      const [level, area, areaCountry, role] = entry.split('|') as [
        YearHotspot['level'],
        string,
        string,
        YearHotspot['role'],
      ];
      const key = `${entry}|${route.year}`;
      const cell = hotspots.get(key) ?? {
        level,
        area,
        country: areaCountry,
        role,
        year: route.year,
        people: 0,
      };
      cell.people += route.people;
      hotspots.set(key, cell);
    }
  }
  return { flows: [...flows.values()], hotspots: [...hotspots.values()] };
}

export const places = ['AA', 'AA.1', 'AA.2', 'BB', 'BB.1', 'CC', 'CC.7'];
export const routeArbitrary = fc.record({
  year: fc.integer({ min: 2019, max: 2024 }),
  people: fc.integer({ min: 1, max: 25 }),
  stops: fc.array(fc.constantFrom(...places), { minLength: 2, maxLength: 4 }),
});
