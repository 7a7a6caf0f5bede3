import type { MapPeriod, PublishedFlow, PublishedHotspot, PublishedSlice } from './journeys.publish.js';
import { isRegion, type PlaceRole } from './journeys.vocabulary.js';

/**
 * The answers of a published slice, as documents (docs/decisions/0011-journeys.md, "The read path to build
 * next"). The map sends these as stored, gzipped once: at 600,000 legs an answer read as rows took about
 * 12 ms of CPU, its stored gzipped bytes about 1 ms (two cores at 168 and 1,968 answers a second). Every
 * number in a document is a cell `publishSlice` showed, so any set of documents of a slice is a selection of
 * one protected table. Codes only: the browser names areas.
 *
 * Pure: journeys.publication.ts stores them, journeys.answers.ts sends them.
 */

export interface DocumentFlow {
  from: string;
  to: string;
  people: number;
}

export interface DocumentHotspot {
  area: string;
  role: PlaceRole;
  people: number;
}

export interface YearPeople {
  year: number;
  people: number;
}

/** An area's total (the people of the routes that touch it) and its years, where shown. */
export interface AreaTotals {
  total: number | null;
  timeline: YearPeople[];
}

interface DocumentPeriod {
  k: number;
  period: string;
  from: number;
  to: number;
}

/**
 * A slice's answer for a period at country level: the public map's answer, and the member map's before an
 * area is chosen. It also holds each country's total and timeline (where either is shown), so choosing a country needs no other
 * document where the slice has no regions (the band slices).
 */
export interface WorldDocument extends DocumentPeriod, AreaTotals {
  flows: DocumentFlow[];
  hotspots: DocumentHotspot[];
  countries: Record<string, AreaTotals>;
}

/**
 * What the member map adds about one area: for a country, the region flows that start or end there and its
 * regions' hotspots; for a region, the region flows that start or end there and its own hotspots; and the
 * area's total and timeline.
 */
export interface AreaDocument extends DocumentPeriod, AreaTotals {
  area: string;
  flows: DocumentFlow[];
  hotspots: DocumentHotspot[];
}

export interface SliceDocuments {
  /** By period id. */
  world: Map<string, WorldDocument>;
  /** By period id, then area: the areas with a region cell shown, and the regions with a total or year shown. */
  areas: Map<string, Map<string, AreaDocument>>;
}

/** Most people first, then by codes: the same slice always gives the same bytes. */
const byPeople =
  <T extends { people: number }>(key: (row: T) => string) =>
  (a: T, b: T) =>
    b.people - a.people || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
const flowOrder = byPeople<DocumentFlow>((f) => `${f.from}>${f.to}`);
const hotspotOrder = byPeople<DocumentHotspot>((h) => `${h.area}:${h.role}`);

/** The documents of one published slice, for every period. */
export function sliceDocuments(
  published: PublishedSlice,
  periods: readonly MapPeriod[],
  k: number,
): SliceDocuments {
  // An area's `any` cell per period: its total in that period, and a year of its timeline when the period is
  // a single year.
  const any = new Map<string, number>();
  const anyKey = (period: string, level: string, area: string) => `${period}|${level}|${area}`;
  /** The countries and the regions with an `any` cell shown in some period. */
  const withTotals = { country: new Set<string>(), region: new Set<string>() };
  for (const h of published.hotspots) {
    if (h.role !== 'any') continue;
    any.set(anyKey(h.period, h.level, h.area), h.people);
    if (h.level === 'country') withTotals.country.add(h.area);
    if (h.level === 'region' && isRegion(h.area)) withTotals.region.add(h.area);
  }
  const totals = (period: MapPeriod, level: string, area: string): AreaTotals => {
    const timeline: YearPeople[] = [];
    for (let year = period.from; year <= period.to; year++) {
      const people = any.get(anyKey(String(year), level, area));
      if (people !== undefined) timeline.push({ year, people });
    }
    return { total: any.get(anyKey(period.id, level, area)) ?? null, timeline };
  };

  const world = new Map<string, WorldDocument>();
  const areas = new Map<string, Map<string, AreaDocument>>();
  const byPeriod = new Map(
    periods.map((p) => [p.id, { flows: [] as PublishedFlow[], hotspots: [] as PublishedHotspot[] }]),
  );
  for (const f of published.flows) byPeriod.get(f.period)?.flows.push(f);
  for (const h of published.hotspots) byPeriod.get(h.period)?.hotspots.push(h);
  for (const period of periods) {
    const base = { k, period: period.id, from: period.from, to: period.to };
    const { flows, hotspots } = byPeriod.get(period.id)!;
    // Each country whose total or one of whose years is shown: choosing it shows them.
    const countries: Record<string, AreaTotals> = {};
    for (const country of [...withTotals.country].sort()) {
      const shown = totals(period, 'country', country);
      if (shown.total !== null || shown.timeline.length > 0) countries[country] = shown;
    }
    world.set(period.id, {
      ...base,
      ...totals(period, 'world', '*'),
      flows: flows
        .filter((f) => f.level === 'country')
        .map((f) => ({ from: f.from, to: f.to, people: f.people }))
        .sort(flowOrder),
      hotspots: hotspots
        .filter((h): h is typeof h & { role: PlaceRole } => h.level === 'country' && h.role !== 'any')
        .map((h) => ({ area: h.area, role: h.role, people: h.people }))
        .sort(hotspotOrder),
      countries,
    });

    // The region cells, gathered by the areas they concern: a flow by the countries and regions at its ends
    // (once per area, so a flow inside one country is not listed twice), a hotspot by its country and region.
    const documents = new Map<string, AreaDocument>();
    const documentOf = (area: string) => {
      let document = documents.get(area);
      if (!document) {
        document = {
          ...base,
          area,
          ...totals(period, isRegion(area) ? 'region' : 'country', area),
          flows: [],
          hotspots: [],
        };
        documents.set(area, document);
      }
      return document;
    };
    for (const f of flows) {
      if (f.level !== 'region') continue;
      const flow = { from: f.from, to: f.to, people: f.people };
      const concerned = new Set([f.fromCountry, f.toCountry]);
      if (isRegion(f.from)) concerned.add(f.from);
      if (isRegion(f.to)) concerned.add(f.to);
      for (const area of concerned) documentOf(area).flows.push(flow);
    }
    for (const h of hotspots) {
      if (h.level !== 'region' || h.role === 'any') continue;
      const hotspot = { area: h.area, role: h.role, people: h.people };
      documentOf(h.country).hotspots.push(hotspot);
      if (isRegion(h.area)) documentOf(h.area).hotspots.push(hotspot);
    }
    // A region with nothing but its total or years shown still has them to show when chosen.
    for (const region of withTotals.region) {
      const shown = totals(period, 'region', region);
      if (shown.total !== null || shown.timeline.length > 0) documentOf(region);
    }
    for (const document of documents.values()) {
      document.flows.sort(flowOrder);
      document.hotspots.sort(hotspotOrder);
    }
    if (documents.size > 0) areas.set(period.id, documents);
  }
  return { world, areas };
}
