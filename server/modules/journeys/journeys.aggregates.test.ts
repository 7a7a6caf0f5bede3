import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { migrationsFolder } from '../../paths.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, signIn } from '../../test/factories.js';
import { regionsOf } from '../directory/index.js';
import { applyRoutes, rebuildAggregates } from './journeys.aggregates.js';
import { recoverableCells, type Cell, type Margin } from './journeys.disclosure.js';
import { publishMarked, readSlice, type SliceKey } from './journeys.publication.js';
import {
  mapPeriods,
  publishSlice,
  sliceCellsAndMargins,
  type MapPeriod,
  type YearFlow,
  type YearHotspot,
} from './journeys.publish.js';
import type { AreaDocumentAnswer, WorldDocumentAnswer } from './journeys.schemas.js';
import { journeysLegs, journeysRoutes } from './journeys.tables.js';
import { isRegion, placeRoles } from './journeys.vocabulary.js';

/** A small seeded generator (mulberry32): the same contributions on every run and both engines. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(values: readonly T[]): T => values[int(0, values.length - 1)]!;
  return { next, int, pick };
}

const countries = ['VN', 'KH', 'TH', 'CN', 'MY'] as const;
const types = ['ForcedLabour', 'SexualExploitation', 'ForcedMarriage'] as const;
const industriesUsed = ['A_AgricultureForestryAndFishing', 'C_Manufacturing'] as const;
const genders = ['female', 'male', 'mixed'] as const;
const ages = ['minor', 'adult'] as const;
const nationalities = ['asia', 'mixed'] as const;

interface GeneratedLeg {
  role: 'origin' | 'destination' | 'transit' | 'exploitation';
  country: string;
  region: string | null;
}
interface GeneratedRoute {
  id: string;
  status: 'validated' | 'pending' | 'rejected';
  year: number;
  quarter: number | null;
  exploitationTypes: string[];
  industry: string | null;
  nationalityBand: string;
  genderBand: string;
  ageBand: string;
  people: number;
  legs: GeneratedLeg[];
}

/** The first two regions of each country: those the generated legs name. */
const regionsUsed = new Map(
  countries.map((c) => [
    c,
    regionsOf(c)
      .slice(0, 2)
      .map((r) => r.code),
  ]),
);
/** Every area the generated legs name: the countries and their regions. */
const areasUsed = [...countries, ...[...regionsUsed.values()].flat()];

function generateRoutes(count: number, seed: number): GeneratedRoute[] {
  const g = generator(seed);
  const place = (role: GeneratedLeg['role']): GeneratedLeg => {
    const country = g.pick(countries);
    return { role, country, region: g.next() < 0.7 ? g.pick(regionsUsed.get(country)!) : null };
  };
  return Array.from({ length: count }, () => {
    const legs: GeneratedLeg[] = [place('origin')];
    if (g.next() < 0.5) legs.push(place('destination'));
    for (let i = g.int(0, 2); i > 0; i--) legs.push(place('transit'));
    for (let i = g.int(1, 2); i > 0; i--) legs.push(place('exploitation'));
    const roll = g.next();
    const first = g.pick(types);
    const second = g.next() < 0.3 ? g.pick(types.filter((t) => t !== first)) : null;
    return {
      id: randomUUID(),
      status: roll < 0.8 ? 'validated' : roll < 0.9 ? 'pending' : 'rejected',
      year: g.int(2019, 2023),
      quarter: g.next() < 0.4 ? null : g.int(1, 4),
      exploitationTypes: second ? [first, second] : [first],
      industry: g.next() < 0.3 ? null : g.pick(industriesUsed),
      nationalityBand: g.pick(nationalities),
      genderBand: g.pick(genders),
      ageBand: g.pick(ages),
      people: g.int(1, 15),
      legs,
    };
  });
}

/** A question to the map: a slice (each band given or not), a span of years and, on the member map, an area. */
interface Question {
  exploitationType?: string;
  industry?: string;
  nationalityBand?: string;
  fromYear?: number;
  toYear?: number;
  /** A country or, on the member map, a first-level region. */
  area?: string;
}
type Level = 'public' | 'member';
type AreaLevel = 'country' | 'region';
interface FlowRow {
  level: AreaLevel;
  from_area: string;
  to_area: string;
  from_country: string;
  to_country: string;
  people: number;
}
interface HotspotRow {
  level: AreaLevel;
  area: string;
  country: string;
  role: (typeof placeRoles)[number];
  people: number;
}
/** One answer's numbers, before disclosure control: what the map showed, cell by cell, for a question. */
interface RawMap {
  flows: FlowRow[];
  hotspots: HotspotRow[];
  timeline: Array<{ year: number; people: number }>;
}

const sliceOf = (query: Question): SliceKey => ({
  exploitationType: query.exploitationType ?? '*',
  industry: query.industry ?? '*',
  nationalityBand: query.nationalityBand ?? '*',
});
/** Regions on the member map only, and only without a band filter (the summary keeps no region cell there). */
const hasRegions = (level: Level, query: Question) =>
  level === 'member' && query.industry === undefined && query.nationalityBand === undefined;
const counted = (routes: GeneratedRoute[], query: Question) =>
  routes.filter(
    (r) =>
      r.status === 'validated' &&
      (query.exploitationType === undefined || r.exploitationTypes.includes(query.exploitationType)) &&
      (query.industry === undefined || (r.industry ?? 'none') === query.industry) &&
      (query.nationalityBand === undefined || r.nationalityBand === query.nationalityBand),
  );

/** The map's raw numbers computed in plain JS from the contributions (the independent computation). */
function independentMap(routes: GeneratedRoute[], level: Level, query: Question): RawMap {
  const matching = counted(routes, query).filter(
    (r) => r.year >= (query.fromYear ?? 0) && r.year <= (query.toYear ?? 9999),
  );
  const regions = hasRegions(level, query);
  const levels = regions ? (['country', 'region'] as const) : (['country'] as const);
  const flows = new Map<string, FlowRow>();
  const hotspots = new Map<string, HotspotRow>();
  const timeline = new Map<number, number>();
  // Without regions, a chosen region is its country. Around a region, the country level is its country's.
  const area = query.area && !regions ? query.area.slice(0, 2) : query.area;
  const areaCountry = area?.slice(0, 2);
  // The level of the chosen area itself: a region's code is longer than a country's two letters.
  const areaLevel = area && area.length > 2 ? 'region' : 'country';
  const inArea = (lvl: AreaLevel, leg: GeneratedLeg) =>
    !area || (lvl === 'country' || area.length === 2 ? leg.country === areaCountry : leg.region === area);
  for (const route of matching) {
    const path = route.legs.filter((leg) => leg.role !== 'destination');
    for (const lvl of levels) {
      const areaOf = (leg: GeneratedLeg) => (lvl === 'country' ? leg.country : (leg.region ?? leg.country));
      const seen = new Set<string>();
      // Regions only around a chosen area (the member map's drill-down): region flows and hotspots.
      if (lvl === 'region' && !area) continue;
      const flowPairs = path.length - 1;
      for (let i = 0; i < flowPairs; i++) {
        const a = path[i]!;
        const b = path[i + 1]!;
        if (!inArea(lvl, a) && !inArea(lvl, b)) continue;
        const key = `${lvl}|${areaOf(a)}|${areaOf(b)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const cell = flows.get(key) ?? {
          level: lvl,
          from_area: areaOf(a),
          to_area: areaOf(b),
          from_country: a.country,
          to_country: b.country,
          people: 0,
        };
        cell.people += route.people;
        flows.set(key, cell);
      }
      const spots = new Set<string>();
      for (const leg of route.legs) {
        if (!inArea(lvl, leg)) continue;
        const key = `${lvl}|${areaOf(leg)}|${leg.role}`;
        if (spots.has(key)) continue;
        spots.add(key);
        const cell = hotspots.get(key) ?? {
          level: lvl,
          area: areaOf(leg),
          country: leg.country,
          role: leg.role,
          people: 0,
        };
        cell.people += route.people;
        hotspots.set(key, cell);
      }
    }
    if (route.legs.some((leg) => inArea(areaLevel, leg))) {
      timeline.set(route.year, (timeline.get(route.year) ?? 0) + route.people);
    }
  }
  return {
    flows: [...flows.values()],
    hotspots: [...hotspots.values()],
    timeline: [...timeline].map(([year, people]) => ({ year, people })).sort((a, b) => a.year - b.year),
  };
}

/**
 * A slice's whole years computed in plain JS from the contributions, in the shape the publication reads them
 * (`readSlice`): flows at country level, and at region level in the slice without a band filter; hotspots of
 * the world, the countries and (without a band filter) the regions, per role and `any`.
 */
function independentSlice(
  routes: GeneratedRoute[],
  query: Question,
): { flows: YearFlow[]; hotspots: YearHotspot[] } {
  const levels = hasRegions('member', query) ? (['country', 'region'] as const) : (['country'] as const);
  const flows = new Map<string, YearFlow>();
  const hotspots = new Map<string, YearHotspot>();
  const addHotspot = (h: Omit<YearHotspot, 'people'>, people: number) => {
    const key = `${h.level}|${h.area}|${h.role}|${h.year}`;
    const cell = hotspots.get(key) ?? { ...h, people: 0 };
    cell.people += people;
    hotspots.set(key, cell);
  };
  for (const route of counted(routes, query)) {
    addHotspot({ level: 'world', area: '*', country: '*', role: 'any', year: route.year }, route.people);
    const path = route.legs.filter((leg) => leg.role !== 'destination');
    for (const level of levels) {
      const areaOf = (leg: GeneratedLeg) => (level === 'country' ? leg.country : (leg.region ?? leg.country));
      const pairs = new Map<string, Omit<YearFlow, 'people'>>();
      path.slice(1).forEach((b, i) => {
        const a = path[i]!;
        pairs.set(`${level}|${areaOf(a)}|${areaOf(b)}|${route.year}`, {
          level,
          from: areaOf(a),
          to: areaOf(b),
          fromCountry: a.country,
          toCountry: b.country,
          year: route.year,
        });
      });
      for (const [key, pair] of pairs) {
        const cell = flows.get(key) ?? { ...pair, people: 0 };
        cell.people += route.people;
        flows.set(key, cell);
      }
      const spots = new Map<string, Omit<YearHotspot, 'people'>>();
      for (const leg of route.legs) {
        for (const role of [leg.role, 'any'] as const) {
          const spot = { level, area: areaOf(leg), country: leg.country, role, year: route.year };
          spots.set(`${level}|${spot.area}|${role}`, spot);
        }
      }
      for (const spot of spots.values()) addHotspot(spot, route.people);
    }
  }
  return { flows: [...flows.values()], hotspots: [...hotspots.values()] };
}

/** Adds people to a cell of a map of cells, made the first time its key is seen. */
function tally<T extends { people: number }>(
  cells: Map<string, T>,
  key: string,
  people: number,
  make: () => Omit<T, 'people'>,
): void {
  const cell = cells.get(key) ?? ({ ...make(), people: 0 } as T);
  cell.people += people;
  cells.set(key, cell);
}

/**
 * One answer gathered from a slice's year rows: what the map shows for a question, cell by cell (the country
 * flows and hotspots of the world or around the area's country; the region cells around a chosen area where
 * the answer has regions; the timeline of the world or of the area).
 */
function answerOf(
  rows: { flows: YearFlow[]; hotspots: YearHotspot[] },
  level: Level,
  query: Question,
): RawMap {
  const regions = hasRegions(level, query);
  const area = query.area && !regions ? query.area.slice(0, 2) : query.area;
  const areaCountry = area?.slice(0, 2);
  const aroundArea = (from: string, to: string, fromCountry: string, toCountry: string) =>
    area && isRegion(area)
      ? from === area || to === area
      : fromCountry === areaCountry || toCountry === areaCountry;
  const inYears = (year: number) => year >= (query.fromYear ?? 0) && year <= (query.toYear ?? 9999);
  const flows = new Map<string, FlowRow>();
  const hotspots = new Map<string, HotspotRow>();
  const timeline = new Map<number, number>();
  for (const f of rows.flows) {
    if (!inYears(f.year)) continue;
    const shown =
      f.level === 'country'
        ? !areaCountry || f.fromCountry === areaCountry || f.toCountry === areaCountry
        : regions && area !== undefined && aroundArea(f.from, f.to, f.fromCountry, f.toCountry);
    if (!shown) continue;
    tally(flows, `${f.level}|${f.from}|${f.to}`, f.people, () => ({
      level: f.level,
      from_area: f.from,
      to_area: f.to,
      from_country: f.fromCountry,
      to_country: f.toCountry,
    }));
  }
  for (const h of rows.hotspots) {
    if (!inYears(h.year)) continue;
    if (h.role === 'any') {
      const ofTimeline = !area
        ? h.level === 'world'
        : h.level === (isRegion(area) ? 'region' : 'country') && h.area === area;
      if (ofTimeline) timeline.set(h.year, (timeline.get(h.year) ?? 0) + h.people);
      continue;
    }
    const shown =
      h.level === 'country'
        ? !areaCountry || h.area === areaCountry
        : h.level === 'region' &&
          regions &&
          area !== undefined &&
          (isRegion(area) ? h.area === area : h.country === areaCountry);
    if (!shown || h.level === 'world') continue;
    tally(hotspots, `${h.level}|${h.area}|${h.role}`, h.people, () => ({
      level: h.level as AreaLevel,
      area: h.area,
      country: h.country,
      role: h.role as HotspotRow['role'],
    }));
  }
  return {
    flows: [...flows.values()],
    hotspots: [...hotspots.values()],
    timeline: [...timeline].map(([year, people]) => ({ year, people })).sort((a, b) => a.year - b.year),
  };
}

const sortRaw = (raw: RawMap) => ({
  flows: [...raw.flows].sort((a, b) =>
    `${a.level}${a.from_area}>${a.to_area}`.localeCompare(`${b.level}${b.from_area}>${b.to_area}`),
  ),
  hotspots: [...raw.hotspots].sort((a, b) =>
    `${a.level}${a.area}${a.role}`.localeCompare(`${b.level}${b.area}${b.role}`),
  ),
  timeline: raw.timeline,
});
const sortRows = (rows: { flows: YearFlow[]; hotspots: YearHotspot[] }) => ({
  flows: rows.flows.map((f) => JSON.stringify(f, Object.keys(f).sort())).sort(),
  hotspots: rows.hotspots.map((h) => JSON.stringify(h, Object.keys(h).sort())).sort(),
});

const flowKey = (f: { level: string; from: string; to: string }) => `F:${f.level}:${f.from}>${f.to}`;
const hotspotKey = (h: { level: string; area: string; role: string }) => `H:${h.level}:${h.area}:${h.role}`;

/**
 * The true numbers of a slice in every period, by the ids `sliceCellsAndMargins` gives (`<period>|<key>`),
 * summed here from the independent year rows.
 */
function truthOf(rows: { flows: YearFlow[]; hotspots: YearHotspot[] }, periods: readonly MapPeriod[]) {
  const value = new Map<string, number>();
  const add = (key: string, year: number, people: number) => {
    for (const p of periods) {
      if (p.from <= year && year <= p.to)
        value.set(`${p.id}|${key}`, (value.get(`${p.id}|${key}`) ?? 0) + people);
    }
  };
  for (const f of rows.flows) add(flowKey(f), f.year, f.people);
  for (const h of rows.hotspots) add(hotspotKey(h), h.year, h.people);
  return value;
}

/**
 * The subtractions a reader of a slice's answers can try, built here from what the cells mean (as the live map
 * built them for one answer, now over every answer of a period): in each period, the world total bounds the
 * countries' hotspots of each role; a country's cell adds up (or bounds) its regions' (hotspots per role and
 * `any`, flows per country pair); an area's origins and transit bound the flows out of it, its exploitation and
 * transit the flows into it. Across periods, a span is the sum of its years.
 */
function readerMargins(value: ReadonlyMap<string, number>, periods: readonly MapPeriod[]): Margin[] {
  const margins: Margin[] = [];
  const byPeriod = new Map<string, string[]>();
  for (const id of value.keys()) {
    const [period, key] = id.split('|') as [string, string];
    byPeriod.set(period, [...(byPeriod.get(period) ?? []), key]);
  }
  for (const p of periods) {
    const keys = byPeriod.get(p.id) ?? [];
    const id = (key: string) => `${p.id}|${key}`;
    const groups = new Map<string, string[]>();
    const add = (group: string, key: string) => groups.set(group, [...(groups.get(group) ?? []), id(key)]);
    for (const key of keys) {
      const [kind, level, a, b] = key.split(':') as [string, string, string, string];
      if (kind === 'H' && level === 'country' && b !== 'any') add(`roles|${b}`, key);
      if (kind === 'H' && level === 'region') add(`regions|${a.slice(0, 2)}|${b}`, key);
      if (kind === 'F') {
        const [from, to] = a.split('>') as [string, string];
        if (level === 'region') add(`pair|${from.slice(0, 2)}>${to.slice(0, 2)}`, key);
        add(`out|${level}|${from}`, key);
        add(`in|${level}|${to}`, key);
      }
    }
    const group = (name: string) => groups.get(name) ?? [];
    for (const role of placeRoles)
      margins.push({ total: id('H:world:*:any'), children: group(`roles|${role}`) });
    for (const key of keys) {
      const [kind, level, a, b] = key.split(':') as [string, string, string, string];
      if (kind === 'F' && level === 'country') margins.push({ total: id(key), children: group(`pair|${a}`) });
      if (kind !== 'H' || level === 'world') continue;
      if (level === 'country') margins.push({ total: id(key), children: group(`regions|${a}|${b}`) });
      if (b === 'origin' || b === 'transit')
        margins.push({ total: id(key), children: group(`out|${level}|${a}`) });
      if (b === 'exploitation' || b === 'transit')
        margins.push({ total: id(key), children: group(`in|${level}|${a}`) });
    }
    if (p.from < p.to) {
      for (const key of keys) {
        const years: string[] = [];
        for (let year = p.from; year <= p.to; year++) years.push(`${year}|${key}`);
        margins.push({ total: id(key), children: years });
      }
    }
  }
  return margins;
}

/** The ids of the cells one document shows, with their numbers. */
function shownIn(
  document: WorldDocumentAnswer | AreaDocumentAnswer,
  kind: 'world' | 'area',
): Array<[string, number]> {
  const shown: Array<[string, number]> = [];
  const period = document.period!;
  const level = kind === 'world' ? 'country' : 'region';
  const totals = (key: string, total: number | null, timeline: Array<{ year: number; people: number }>) => {
    if (total !== null) shown.push([`${period}|${key}`, total]);
    for (const y of timeline) shown.push([`${y.year}|${key}`, y.people]);
  };
  for (const f of document.flows) shown.push([`${period}|${flowKey({ level, ...f })}`, f.people]);
  for (const h of document.hotspots) shown.push([`${period}|${hotspotKey({ level, ...h })}`, h.people]);
  if ('countries' in document) {
    totals('H:world:*:any', document.total, document.timeline);
    for (const [country, c] of Object.entries(document.countries)) {
      totals(`H:country:${country}:any`, c.total, c.timeline);
    }
  } else {
    const area = document.area;
    totals(`H:${isRegion(area) ? 'region' : 'country'}:${area}:any`, document.total, document.timeline);
  }
  return shown;
}

const filters = fc.record(
  {
    exploitationType: fc.constantFrom(...types),
    industry: fc.constantFrom(...industriesUsed, 'B_MiningAndQuarrying' as const),
    nationalityBand: fc.constantFrom(...nationalities),
    area: fc.constantFrom(...areasUsed),
  },
  { requiredKeys: [] },
);

describe('journeys: summary tables and the map', () => {
  let t: TestApp;
  let routes: GeneratedRoute[];
  let memberCookie: string;
  const k = 11;

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    const organisationId = (await createOrganisation(t.database.db)).id;
    const member = await createMember(t.database.db, { role: 'member', organisationId });
    memberCookie = (await signIn(t.database.db, member.personId, { membershipId: member.membership.id }))
      .cookie;
    routes = generateRoutes(160, 20261201);
    await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      for (const route of routes) {
        await tx.insert(journeysRoutes).values({
          id: route.id,
          organisationId,
          status: route.status,
          year: route.year,
          quarter: route.quarter,
          exploitationTypes: route.exploitationTypes,
          industry: route.industry,
          people: route.people,
          genderBand: route.genderBand,
          ageBand: route.ageBand,
          nationalityBand: route.nationalityBand,
        });
        await tx
          .insert(journeysLegs)
          .values(
            route.legs.map((leg, position) => ({ routeId: route.id, organisationId, position, ...leg })),
          );
      }
    });
    // The incremental path, as decisions take it: some one by one, the rest in one go; one is added, taken
    // away and added again (a rejection of a validated route, then a new validation).
    const validated = routes.filter((r) => r.status === 'validated').map((r) => r.id);
    for (const id of validated.slice(0, 25)) {
      await inTransaction(t.database.db, async (tx) => {
        await setPlatformScope(tx);
        await applyRoutes(tx, t.app.kernel.jobs, [id], 1);
      });
    }
    await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      await applyRoutes(tx, t.app.kernel.jobs, validated.slice(25), 1);
      await applyRoutes(tx, t.app.kernel.jobs, [validated[0]!], -1);
      await applyRoutes(tx, t.app.kernel.jobs, [validated[0]!], 1);
    });
  }, 120_000);
  afterAll(() => t.close());

  /** Runs the publication job's work (journeys.publication.ts) for what the changes marked. */
  const publish = () => publishMarked(t.database.db, k);
  /** The periods the publication offers: those of the validated contributions' years. */
  const periodsOfRoutes = () => {
    const years = routes.filter((r) => r.status === 'validated').map((r) => r.year);
    return mapPeriods(Math.min(...years), Math.max(...years));
  };
  async function get<T>(url: string, level: Level = 'member'): Promise<T> {
    const response = await t.app.inject({
      method: 'GET',
      url,
      headers: level === 'member' ? { cookie: memberCookie } : {},
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<T>();
  }
  const search = (query: Question & { period?: string }) =>
    new URLSearchParams(
      Object.entries(query).map(([key, value]) => [key, String(value)] as [string, string]),
    ).toString();

  async function snapshot() {
    const flows = await queryRows<Record<string, unknown>>(
      t.database.db,
      sql`select * from journeys_flows order by level, quarter, exploitation_type, industry, nationality_band,
          year, from_area, to_area`,
    );
    const hotspots = await queryRows<Record<string, unknown>>(
      t.database.db,
      sql`select * from journeys_hotspots order by level, quarter, exploitation_type, industry,
          nationality_band, year, area, role`,
    );
    return { flows, hotspots };
  }

  it('a rebuild from scratch gives exactly what the decisions built one by one', async () => {
    const incremental = await snapshot();
    expect(incremental.flows.length).toBeGreaterThan(1000);
    const result = await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      return rebuildAggregates(tx);
    });
    const rebuilt = await snapshot();
    expect(rebuilt).toEqual(incremental);
    expect(result).toEqual({ flows: rebuilt.flows.length, hotspots: rebuilt.hotspots.length });
  });

  it('property: the summary tables agree with an independent computation, for any filters', async () => {
    // A slice as the publication reads it (`readSlice`, every cell of every year and area) against the same
    // slice computed from the contributions; then one answer of it (a period, an area), gathered from those
    // rows, against the answer computed from the contributions.
    const periods = periodsOfRoutes();
    await fc.assert(
      fc.asyncProperty(
        filters,
        fc.constantFrom(...periods),
        fc.constantFrom('public' as const, 'member' as const),
        async (chosen, period, level) => {
          const rows = await readSlice(t.database.db, sliceOf(chosen));
          expect(sortRows(rows)).toEqual(sortRows(independentSlice(routes, chosen)));
          const query = { ...chosen, fromYear: period.from, toYear: period.to };
          expect(sortRaw(answerOf(rows, level, query))).toEqual(
            sortRaw(independentMap(routes, level, query)),
          );
        },
      ),
      { numRuns: 40, seed: 77 },
    );
    // Around every area the generated legs name, with its regions (the property draws few of these: regions
    // need no band filter): each answer around an area has its own cells.
    for (const area of areasUsed) {
      for (const query of [{ area }, { area, fromYear: 2020, toYear: 2022, exploitationType: types[0] }]) {
        const answer = answerOf(await readSlice(t.database.db, sliceOf(query)), 'member', query);
        expect(answer.flows.some((f) => f.level === 'region')).toBe(true);
        expect(sortRaw(answer)).toEqual(sortRaw(independentMap(routes, 'member', query)));
      }
    }
    // With no filter at all, too (every contribution counted once under `*`).
    const all = await readSlice(t.database.db, sliceOf({}));
    expect(sortRows(all)).toEqual(sortRows(independentSlice(routes, {})));
    const people = routes.filter((r) => r.status === 'validated').reduce((sum, r) => sum + r.people, 0);
    const world = all.hotspots.filter((h) => h.level === 'world');
    expect(world.reduce((sum, h) => sum + h.people, 0)).toBe(people);
  });

  it('keeps quarters only in the unfiltered slice, and they add up to the whole year', async () => {
    const rows = await queryRows<{ quarter: number; people: number }>(
      t.database.db,
      sql`select quarter::int as quarter, sum(people)::int as people from journeys_hotspots
          where level = 'world' and exploitation_type = '*' and industry = '*' and nationality_band = '*'
          group by quarter order by quarter`,
    );
    const whole = rows.find((r) => r.quarter === 0)!.people;
    expect(rows.filter((r) => r.quarter !== 0).reduce((sum, r) => sum + r.people, 0)).toBe(whole);
    const [filtered] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from journeys_flows where quarter <> 0 and industry <> '*'`,
    );
    expect(filtered!.n).toBe(0);
  });

  it('keeps the exact cells, one slice per band filter and the unfiltered slice; regions only unfiltered', async () => {
    for (const table of [sql`journeys_flows`, sql`journeys_hotspots`]) {
      const rows = await queryRows<{ rolled: number; regions: number; n: number }>(
        t.database.db,
        sql`select ((industry = '*')::int + (nationality_band = '*')::int) as rolled,
              count(*) filter (where level = 'region')::int as regions, count(*)::int as n
            from ${table} group by 1 order by 1`,
      );
      expect(rows.map((r) => r.rolled)).toEqual([0, 1, 2]);
      expect(rows.map((r) => r.regions > 0)).toEqual([false, false, true]);
    }
    // Both band filters read the exact cells: the same numbers as the contributions give, in countries.
    for (const query of [
      { nationalityBand: 'asia', industry: 'C_Manufacturing' },
      {
        industry: 'A_AgricultureForestryAndFishing',
        nationalityBand: 'mixed',
        exploitationType: 'ForcedLabour',
        area: 'VN',
      },
    ] as Question[]) {
      const fromDb = answerOf(await readSlice(t.database.db, sliceOf(query)), 'member', query);
      expect(fromDb.timeline.length).toBeGreaterThan(0);
      expect(fromDb.hotspots.length).toBeGreaterThan(0);
      expect(fromDb.hotspots.every((h) => h.level === 'country')).toBe(true);
      expect(sortRaw(fromDb)).toEqual(sortRaw(independentMap(routes, 'member', query)));
    }
  });

  it('with a band filter, no region is published: an area adds nothing, the world has its country’s total', async () => {
    await publish();
    const region = routes.flatMap((r) => r.legs).find((leg) => leg.region !== null)!.region!;
    const country = region.slice(0, 2);
    // The page then shows the region's country: its total is in the world's answer.
    for (const area of [region, country]) {
      expect(
        await get<AreaDocumentAnswer>(`/api/journeys/map/area?${search({ area, nationalityBand: 'asia' })}`),
      ).toMatchObject({ area, total: null, timeline: [], flows: [], hotspots: [] });
    }
    const world = await get<WorldDocumentAnswer>('/api/journeys/map/world?nationalityBand=asia');
    const truth = independentMap(routes, 'member', { nationalityBand: 'asia', area: country });
    expect(world.countries[country]?.total).toBe(truth.timeline.reduce((sum, y) => sum + y.people, 0));
    expect(world.countries[country]!.total).toBeGreaterThan(0);
    // Without one, the region's answer has its region flows.
    const unfiltered = await get<AreaDocumentAnswer>(`/api/journeys/map/area?area=${region}`);
    expect(unfiltered.flows.length).toBeGreaterThan(0);
  });

  it('pending and rejected contributions never count', async () => {
    const uncounted = routes.filter((r) => r.status !== 'validated');
    expect(uncounted.length).toBeGreaterThan(5);
    const [row] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select coalesce(sum(people), 0)::int as n from journeys_hotspots
          where level = 'world' and quarter = 0 and exploitation_type = '*' and industry = '*'
            and nationality_band = '*'`,
    );
    const validated = routes.filter((r) => r.status === 'validated').reduce((sum, r) => sum + r.people, 0);
    const everything = routes.reduce((sum, r) => sum + r.people, 0);
    expect(row!.n).toBe(validated);
    expect(row!.n).toBeLessThan(everything);
  });

  it('property: for any filters, no shown number is below k and no hidden cell can be recovered', async () => {
    await publish();
    const periods = periodsOfRoutes();
    const slicesChecked = new Set<string>();

    /**
     * Every answer of a slice a reader can ask for, through the endpoints (the world's in each period, public
     * and member, and each area's), against the slice's true numbers and every subtraction between them.
     */
    async function checkWholeSlice(chosen: Question, rows: ReturnType<typeof independentSlice>) {
      const slice = sliceOf(chosen);
      if (slicesChecked.has(JSON.stringify(slice))) return;
      slicesChecked.add(JSON.stringify(slice));
      const bands = { ...chosen, area: undefined };
      delete bands.area;
      const shown = new Map<string, number>();
      const note = (entries: Array<[string, number]>) => {
        for (const [id, people] of entries) {
          // A cell shows the same number in every answer it is in.
          if (shown.has(id)) expect(shown.get(id), id).toBe(people);
          shown.set(id, people);
        }
      };
      for (const period of periods) {
        const query = search({ ...bands, period: period.id });
        const world = await get<WorldDocumentAnswer>(`/api/journeys/map/world?${query}`);
        note(shownIn(world, 'world'));
        for (const area of areasUsed) {
          note(
            shownIn(await get<AreaDocumentAnswer>(`/api/journeys/map/area?${query}&area=${area}`), 'area'),
          );
        }
      }
      const truth = truthOf(rows, periods);
      const cells: Cell[] = [...truth].filter(([, value]) => value > 0).map(([id, value]) => ({ id, value }));
      // The publication's own table of the slice has exactly these cells.
      const production = sliceCellsAndMargins(rows.flows, rows.hotspots, periods);
      expect(new Map(production.cells.map((c) => [c.id, c.value]))).toEqual(
        new Map(cells.map((c) => [c.id, c.value])),
      );
      // What the publication shows, computed from the true numbers: every answer shows nothing else.
      const published = publishSlice(rows.flows, rows.hotspots, periods, k);
      const publishedIds = new Set([
        ...published.flows.map((f) => `${f.period}|${flowKey(f)}`),
        ...published.hotspots.map((h) => `${h.period}|${hotspotKey(h)}`),
      ]);
      for (const [id, people] of shown) {
        expect(truth.get(id), id).toBe(people);
        expect(people).toBeGreaterThanOrEqual(k);
        expect(publishedIds.has(id), id).toBe(true);
      }
      // Hidden: what no answer shows. (No answer carries the region-level `any` of a country's stops without
      // a region; where the publication shows it, it is counted as known, which only helps the attacker.)
      const hidden = new Set(
        cells.filter((c) => !shown.has(c.id) && !publishedIds.has(c.id)).map((c) => c.id),
      );
      const margins = [...readerMargins(truth, periods), ...production.margins];
      expect([...recoverableCells(cells, margins, hidden).keys()]).toEqual([]);
      // Under a shown total, what is hidden is nothing or at least k people.
      for (const margin of margins) {
        if (!truth.has(margin.total) || hidden.has(margin.total)) continue;
        const remainder = [...new Set(margin.children)]
          .filter((id) => id !== margin.total && hidden.has(id))
          .reduce((sum, id) => sum + truth.get(id)!, 0);
        expect(remainder === 0 || remainder >= k, margin.total).toBe(true);
      }
    }

    await fc.assert(
      fc.asyncProperty(
        filters,
        fc.constantFrom(...periods),
        fc.constantFrom('public' as const, 'member' as const),
        async (chosen, period, level) => {
          const rows = independentSlice(routes, chosen);
          const truth = truthOf(rows, periods);
          // The answer asked for: the world's (the public map's, the member map's before an area), and a
          // member's chosen area's. Every shown number is the true one and describes at least k people.
          const bands = { ...chosen, area: undefined };
          delete bands.area;
          const query = search({ ...bands, period: period.id });
          const world = await get<WorldDocumentAnswer>(
            `/api/journeys/map/${level === 'public' ? 'public/world' : 'world'}?${query}`,
            level,
          );
          expect(world).toMatchObject({ k, period: period.id, from: period.from, to: period.to });
          // The public answer is the member's, number for number (asked once a draw: the public map is
          // limited per client address).
          if (level === 'public') expect(await get(`/api/journeys/map/world?${query}`)).toEqual(world);
          const see = ([id, people]: [string, number]) => {
            expect(truth.get(id), id).toBe(people);
            expect(people).toBeGreaterThanOrEqual(k);
          };
          shownIn(world, 'world').forEach(see);
          // The world's answer has countries only.
          const codes = [
            ...world.flows.flatMap((f) => [f.from, f.to]),
            ...world.hotspots.map((h) => h.area),
            ...Object.keys(world.countries),
          ];
          expect(codes.filter(isRegion)).toEqual([]);
          if (level === 'member' && chosen.area) {
            const area = chosen.area;
            const answer = await get<AreaDocumentAnswer>(`/api/journeys/map/area?${query}&area=${area}`);
            shownIn(answer, 'area').forEach(see);
            // Region cells only around the area.
            const around = (code: string) => (isRegion(area) ? code === area : code.slice(0, 2) === area);
            expect(answer.flows.every((f) => around(f.from) || around(f.to))).toBe(true);
            expect(answer.hotspots.every((h) => around(h.area))).toBe(true);
            if (!hasRegions('member', chosen)) {
              expect(answer).toMatchObject({ total: null, timeline: [], flows: [], hotspots: [] });
            }
          }
          await checkWholeSlice(chosen, rows);
        },
      ),
      { numRuns: 30, seed: 2026 },
    );
    expect(slicesChecked.size).toBeGreaterThan(5);
  }, 600_000);

  it('migration 0031 turns the four-band summary into exactly what a rebuild now gives', async () => {
    // The summary as it was before 0031 (four band filters in six slices, regions in every slice), built from
    // the same contributions into tables of the old shape in a schema of their own; then the migration's own
    // statements, run there as the migrator runs them; then the result against the tables the code keeps.
    const migration = readFileSync(join(migrationsFolder, '0031_journeys_two_bands.sql'), 'utf8');
    const statements = migration
      .split('--> statement-breakpoint')
      .map((statement) => statement.replace(/^--.*$/gm, '').trim())
      .filter((statement) => statement.length > 0);
    const slices = sql.raw(`exploitation_type, grouping sets ((q), (), (industry), (nationality_band),
      (gender_band), (age_band), (industry, nationality_band, gender_band, age_band))`);
    const rolledUp = sql.raw(`coalesce(q, 0)::smallint, exploitation_type, coalesce(industry, '*'),
      coalesce(nationality_band, '*'), coalesce(gender_band, '*'), coalesce(age_band, '*'),
      sum(people)::int, count(*)::int`);
    const routesAndTypes = sql.raw(`(select id as route_id, year, coalesce(quarter, 5)::smallint as q,
        coalesce(industry, 'none') as industry, nationality_band, gender_band, age_band, people, t.exploitation_type
      from public.journeys_routes cross join lateral (select unnest(exploitation_types) as exploitation_type
        union all select '*') t
      where status = 'validated') r`);
    const orderedFlows = sql`select * from journeys_flows order by level, quarter, exploitation_type, industry,
      nationality_band, year, from_area, to_area`;
    const orderedHotspots = sql`select * from journeys_hotspots order by level, quarter, exploitation_type,
      industry, nationality_band, year, area, role`;
    const migrated = await t.database.asOwner(async (db) => {
      await db.execute(sql`drop schema if exists before_0031 cascade`);
      await db.execute(sql`create schema before_0031`);
      await db.execute(sql`set search_path to before_0031`);
      try {
        await db.execute(sql`create table journeys_flows (level text not null, from_area text not null,
          to_area text not null, from_country text not null, to_country text not null, year smallint not null,
          quarter smallint not null, exploitation_type text not null, industry text not null,
          nationality_band text not null, gender_band text not null, age_band text not null,
          people integer not null, routes integer not null)`);
        await db.execute(sql`create unique index journeys_flows_key_idx on journeys_flows (level, quarter,
          exploitation_type, industry, nationality_band, gender_band, age_band, year, from_area, to_area)
          include (from_country, to_country, people)`);
        await db.execute(sql`create table journeys_hotspots (level text not null, area text not null,
          country text not null, role text not null, year smallint not null, quarter smallint not null,
          exploitation_type text not null, industry text not null, nationality_band text not null,
          gender_band text not null, age_band text not null, people integer not null, routes integer not null)`);
        await db.execute(sql`create unique index journeys_hotspots_key_idx on journeys_hotspots (level, quarter,
          exploitation_type, industry, nationality_band, gender_band, age_band, year, area, role)
          include (country, people)`);
        await db.execute(sql`insert into journeys_flows
          with stops as (
            select route_id, country, coalesce(region, country) as region,
              row_number() over (partition by route_id order by position) as n
            from public.journeys_legs where role <> 'destination'
          ),
          pairs as (
            select distinct a.route_id, 'country' as level, a.country as from_area, b.country as to_area,
              a.country as from_country, b.country as to_country
            from stops a join stops b on b.route_id = a.route_id and b.n = a.n + 1
            union
            select distinct a.route_id, 'region', a.region, b.region, a.country, b.country
            from stops a join stops b on b.route_id = a.route_id and b.n = a.n + 1
          )
          select level, from_area, to_area, from_country, to_country, year, ${rolledUp}
          from pairs p join ${routesAndTypes} on r.route_id = p.route_id
          group by level, from_area, to_area, from_country, to_country, year, ${slices}`);
        await db.execute(sql`insert into journeys_hotspots
          with places as (
            select route_id, role, country, coalesce(region, country) as region from public.journeys_legs
          ),
          areas as (
            select distinct route_id, 'country' as level, country as area, country, role from places
            union select distinct route_id, 'region', region, country, role from places
            union select distinct route_id, 'country', country, country, 'any' from places
            union select distinct route_id, 'region', region, country, 'any' from places
            union select id, 'world', '*', '*', 'any' from public.journeys_routes where status = 'validated'
          )
          select level, area, country, role, year, ${rolledUp}
          from areas a join ${routesAndTypes} on r.route_id = a.route_id
          group by level, area, country, role, year, ${slices}`);
        const before = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from journeys_flows`);
        for (const statement of statements) await db.execute(statement);
        return {
          before: before[0]!.n,
          flows: await queryRows<Record<string, unknown>>(db, orderedFlows),
          hotspots: await queryRows<Record<string, unknown>>(db, orderedHotspots),
        };
      } finally {
        await db.execute(sql`set search_path to default`);
        await db.execute(sql`drop schema before_0031 cascade`);
      }
    });
    const now = await snapshot();
    // The old summary was larger: the gender and age slices and the regions of every band slice are gone.
    expect(migrated.before).toBeGreaterThan(now.flows.length);
    expect({ flows: migrated.flows, hotspots: migrated.hotspots }).toEqual(now);
  });

  it('publishes something: the unfiltered member map shows country flows and hotspots', async () => {
    await publish();
    const map = await get<WorldDocumentAnswer>('/api/journeys/map/world');
    expect(map.total).toBeGreaterThan(100);
    expect(map.flows.length).toBeGreaterThan(0);
    expect(map.hotspots.length).toBeGreaterThan(0);
    expect(map.timeline.length).toBeGreaterThan(0);
    expect(Object.keys(map.countries).length).toBeGreaterThan(0);
  });

  it('gives regions only around a chosen area: the world has too many regions and region pairs to send', async () => {
    await publish();
    const world = await get<WorldDocumentAnswer>('/api/journeys/map/world');
    expect(world.flows.filter((f) => isRegion(f.from) || isRegion(f.to))).toEqual([]);
    expect(world.hotspots.filter((h) => isRegion(h.area))).toEqual([]);
    // The country with the most people among the world's flows has region flows of its own, all touching it.
    const busiest = world.flows.reduce((a, b) => (b.people > a.people ? b : a)).from;
    const around = await get<AreaDocumentAnswer>(`/api/journeys/map/area?area=${busiest}`);
    expect(around.flows.length).toBeGreaterThan(0);
    expect(around.flows.every((f) => f.from.startsWith(busiest) || f.to.startsWith(busiest))).toBe(true);
    expect(around.flows.some((f) => isRegion(f.from) || isRegion(f.to))).toBe(true);
    expect(around.hotspots.length).toBeGreaterThan(0);
    expect(around.hotspots.every((h) => h.area.startsWith(busiest))).toBe(true);
  });
});
