import type { operations } from '../../api/schema';

/**
 * The published map (server: journeys.publication.ts, journeys.answers.ts) as the page shows it: the world's
 * answer, and for a chosen area what the area's answer adds. Pure: the page fetches, names and draws.
 */

type Json<Op extends keyof operations> = operations[Op]['responses'] extends {
  200: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** The world's answer of a slice and period (the public map's, and the member map's before an area). */
export type WorldAnswer = Json<'getJourneyWorld'>;
/** What an area adds: its region flows and hotspots, its total and years. */
export type AreaAnswer = Json<'getJourneyArea'>;
/** A period the publication offers: a year, the last 3 or 5 years, or all of them. */
export type MapPeriod = WorldAnswer['periods'][number];

export type MapLevel = 'public' | 'member';
type PlaceRole = WorldAnswer['hotspots'][number]['role'];

export interface ShownFlow {
  level: 'country' | 'region';
  from: string;
  fromName: string;
  to: string;
  toName: string;
  people: number;
}

export interface ShownHotspot {
  level: 'country' | 'region';
  area: string;
  areaName: string;
  role: PlaceRole;
  people: number;
}

/** What the map shows: every number as published, nothing computed from them. */
export interface ShownMap {
  k: number;
  period: string | null;
  /** Whether the answer can hold first-level regions (the member map without a band filter). */
  regions: boolean;
  total: number | null;
  timeline: Array<{ year: number; people: number }>;
  flows: ShownFlow[];
  hotspots: ShownHotspot[];
}

const REGION = /^[A-Z]{2}\./;
export const isRegion = (area: string) => REGION.test(area);

/**
 * Whether the member map shows regions for these filters: the publication has region cells only in the slices
 * without an industry or nationality band (journeys.aggregates.ts), and the public map stops at countries.
 */
export function hasRegions(
  level: MapLevel,
  filters: { industry?: string; nationalityBand?: string },
): boolean {
  return level === 'member' && filters.industry === undefined && filters.nationalityBand === undefined;
}

/** The area the map is about: a region counts as its country where regions are not shown. */
export function effectiveArea(area: string | undefined, regions: boolean): string | undefined {
  if (area === undefined) return undefined;
  return isRegion(area) && !regions ? area.slice(0, 2) : area;
}

/** Most people first; ties by level, then by codes, so the same answers always give the same order. */
function byPeople<T extends { people: number; level: string }>(key: (row: T) => string) {
  return (a: T, b: T) => {
    if (b.people !== a.people) return b.people - a.people;
    const ka = `${a.level}:${key(a)}`;
    const kb = `${b.level}:${key(b)}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

/**
 * Puts the answers together for the view: without an area, the world's country flows and hotspots and its
 * total; with a country or region, the country flows that touch its country and that country's hotspots, the
 * area's region flows and hotspots where regions are shown, and the area's own total and years.
 *
 * `area` is the answer for `areaCode` (or null while it loads, or where regions are not shown); `nameOf` names
 * a country or region code in the reader's language.
 */
export function composeMap(
  world: WorldAnswer,
  area: AreaAnswer | null,
  options: { level: MapLevel; areaCode?: string; regions: boolean; nameOf: (code: string) => string },
): ShownMap {
  const { nameOf, regions } = options;
  const chosen = effectiveArea(options.areaCode, regions);
  const country = chosen?.slice(0, 2);
  const countryFlows = world.flows.filter(
    (f) => country === undefined || f.from === country || f.to === country,
  );
  const countryHotspots = world.hotspots.filter((h) => country === undefined || h.area === country);
  const flows: ShownFlow[] = countryFlows.map((f) => ({
    level: 'country' as const,
    ...f,
    fromName: '',
    toName: '',
  }));
  const hotspots: ShownHotspot[] = countryHotspots.map((h) => ({
    level: 'country' as const,
    ...h,
    areaName: '',
  }));
  const regionAnswer = regions && chosen !== undefined && area?.area === chosen ? area : null;
  if (regionAnswer) {
    flows.push(
      ...regionAnswer.flows.map((f) => ({ level: 'region' as const, ...f, fromName: '', toName: '' })),
    );
    hotspots.push(...regionAnswer.hotspots.map((h) => ({ level: 'region' as const, ...h, areaName: '' })));
  }
  // The totals: the world's; a country's from the world's answer (it holds each country's); a region's from
  // its own answer (none while it loads).
  const totals =
    chosen === undefined
      ? { total: world.total, timeline: world.timeline }
      : isRegion(chosen)
        ? { total: regionAnswer?.total ?? null, timeline: regionAnswer?.timeline ?? [] }
        : (world.countries[chosen] ?? { total: null, timeline: [] });
  for (const f of flows) {
    f.fromName = nameOf(f.from);
    f.toName = nameOf(f.to);
  }
  for (const h of hotspots) h.areaName = nameOf(h.area);
  return {
    k: world.k,
    period: world.period,
    regions,
    total: totals.total,
    timeline: totals.timeline,
    flows: flows.sort(byPeople((f) => `${f.from}>${f.to}`)),
    hotspots: hotspots.sort(byPeople((h) => `${h.area}:${h.role}`)),
  };
}
