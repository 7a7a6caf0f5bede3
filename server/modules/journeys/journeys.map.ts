import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../kernel/context.js';
import { queryRows, type Queryable } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { regionName } from '../directory/index.js';
import { suppressCells, type Cell, type Margin } from './journeys.disclosure.js';
import type { JourneyMap, MapQuery } from './journeys.schemas.js';
import { journeysFlows, journeysHotspots } from './journeys.tables.js';
import { anyValue, placeRoles, wholeYear, type PlaceRole } from './journeys.vocabulary.js';

/**
 * The map: flows, hotspots, a per-year timeline and a total, read from the summary tables (never from the
 * contributions) and passed through disclosure control before anything leaves the server.
 * - public: countries only; member: countries and first-level regions.
 * - Time: whole years (the cube's quarter-0 rows); nothing finer than a quarter is ever shown.
 * - No route-level output: every number is a sum over contributions, and at least k people.
 */

export type MapLevel = 'public' | 'member';
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
  role: PlaceRole;
  people: number;
}

/** The raw (unprotected) numbers of one map answer. */
export interface RawMap {
  flows: FlowRow[];
  hotspots: HotspotRow[];
  timeline: Array<{ year: number; people: number }>;
}

const isRegion = (area: string) => area.includes('.');

/** The slice of the cube a query reads: one value (or `*`) per dimension, whole years, a year range. */
function slice(query: MapQuery): SQL {
  return sql`quarter = ${wholeYear}
    and exploitation_type = ${query.exploitationType ?? anyValue}
    and industry = ${query.industry ?? anyValue}
    and nationality_band = ${query.nationalityBand ?? anyValue}
    and gender_band = ${query.genderBand ?? anyValue}
    and age_band = ${query.ageBand ?? anyValue}
    and year between ${query.fromYear ?? 0} and ${query.toYear ?? 9999}`;
}

/** Reads the raw numbers of one answer from the summary tables. */
export async function readRawMap(db: Queryable, level: MapLevel, query: MapQuery): Promise<RawMap> {
  const levels = level === 'public' ? sql`('country')` : sql`('country', 'region')`;
  const area = query.area;
  const areaCountry = area?.slice(0, 2);
  const flowArea = !area
    ? sql``
    : isRegion(area)
      ? sql`and (from_area = ${area} or to_area = ${area}
          or (level = 'country' and (from_country = ${areaCountry} or to_country = ${areaCountry})))`
      : sql`and (from_country = ${area} or to_country = ${area})`;
  const hotspotArea = !area
    ? sql``
    : isRegion(area)
      ? sql`and (area = ${area} or (level = 'country' and area = ${areaCountry}))`
      : sql`and country = ${area}`;
  const flows = await queryRows<FlowRow>(
    db,
    sql`select level, from_area, to_area, from_country, to_country, sum(people)::int as people
        from ${journeysFlows}
        where level in ${levels} and ${slice(query)} ${flowArea}
        group by level, from_area, to_area, from_country, to_country`,
  );
  const hotspots = await queryRows<HotspotRow>(
    db,
    sql`select level, area, country, role, sum(people)::int as people
        from ${journeysHotspots}
        where level in ${levels} and role <> 'any' and ${slice(query)} ${hotspotArea}
        group by level, area, country, role`,
  );
  // The timeline and the total: the world, or the routes that touch the chosen area.
  const timelineArea = !area
    ? sql`level = 'world' and area = ${anyValue}`
    : sql`level = ${isRegion(area) ? 'region' : 'country'} and area = ${area}`;
  const timeline = await queryRows<{ year: number; people: number }>(
    db,
    sql`select year::int as year, sum(people)::int as people
        from ${journeysHotspots}
        where ${timelineArea} and role = 'any' and ${slice(query)}
        group by year order by year`,
  );
  return { flows, hotspots, timeline };
}

const flowId = (f: { level: string; from_area: string; to_area: string }) =>
  `F:${f.level}:${f.from_area}>${f.to_area}`;
const hotspotId = (h: { level: string; area: string; role: string }) => `H:${h.level}:${h.area}:${h.role}`;
const yearId = (year: number) => `Y:${year}`;
const totalId = 'T';

/**
 * The cells and margins of one answer (docs/decisions/0011-journeys.md, "Margins"): every total a reader could
 * subtract published cells from.
 */
export function cellsAndMargins(raw: RawMap): { cells: Cell[]; margins: Margin[] } {
  const cells: Cell[] = [];
  const margins: Margin[] = [];
  const total = raw.timeline.reduce((sum, y) => sum + y.people, 0);
  cells.push({ id: totalId, value: total });
  for (const y of raw.timeline) cells.push({ id: yearId(y.year), value: y.people });
  for (const f of raw.flows) cells.push({ id: flowId(f), value: f.people });
  for (const h of raw.hotspots) cells.push({ id: hotspotId(h), value: h.people });

  // The total is the sum of the years (each contribution has one year).
  margins.push({ total: totalId, children: raw.timeline.map((y) => yearId(y.year)) });
  // The total bounds the hotspots of each role across countries (exactly, for origins: one per route).
  for (const role of placeRoles) {
    margins.push({
      total: totalId,
      children: raw.hotspots.filter((h) => h.level === 'country' && h.role === role).map(hotspotId),
    });
  }
  // Groups built once, so an answer with thousands of flows and hotspots costs linear time, not their product.
  const groups = new Map<string, string[]>();
  const add = (key: string, id: string) => {
    const list = groups.get(key);
    if (list) list.push(id);
    else groups.set(key, [id]);
  };
  for (const h of raw.hotspots) if (h.level === 'region') add(`regions|${h.country}|${h.role}`, hotspotId(h));
  for (const f of raw.flows) {
    if (f.level === 'region') add(`pair|${f.from_country}|${f.to_country}`, flowId(f));
    add(`out|${f.level}|${f.from_area}`, flowId(f));
    add(`in|${f.level}|${f.to_area}`, flowId(f));
  }
  const group = (key: string) => groups.get(key) ?? [];
  // A country's cell adds up (or bounds) its regions' cells: hotspots per role, flows per country pair.
  for (const h of raw.hotspots) {
    if (h.level === 'country')
      margins.push({ total: hotspotId(h), children: group(`regions|${h.area}|${h.role}`) });
  }
  for (const f of raw.flows) {
    if (f.level === 'country')
      margins.push({ total: flowId(f), children: group(`pair|${f.from_area}|${f.to_area}`) });
  }
  // At each level, an area's origins bound the flows out of it, its places of exploitation the flows into it,
  // and its transit points both (for direct routes these are exact: the most common case).
  for (const h of raw.hotspots) {
    if (h.role === 'origin' || h.role === 'transit')
      margins.push({ total: hotspotId(h), children: group(`out|${h.level}|${h.area}`) });
    if (h.role === 'exploitation' || h.role === 'transit')
      margins.push({ total: hotspotId(h), children: group(`in|${h.level}|${h.area}`) });
  }
  return { cells, margins };
}

const countryNames = new Map<string, Intl.DisplayNames>();
function areaName(area: string, language: string): string {
  if (isRegion(area)) return regionName(area) ?? area;
  let names = countryNames.get(language);
  if (!names) {
    names = new Intl.DisplayNames([language, 'en'], { type: 'region' });
    countryNames.set(language, names);
  }
  try {
    return names.of(area) ?? area;
  } catch {
    return area;
  }
}

/** Applies disclosure control to one answer: only cells of at least k people that cannot be recovered remain. */
export function protectMap(raw: RawMap, k: number, query: MapQuery, language: string): JourneyMap {
  const { cells, margins } = cellsAndMargins(raw);
  const hidden = suppressCells(cells, margins, k);
  const total = cells.find((cell) => cell.id === totalId)!;
  return {
    k,
    fromYear: query.fromYear ?? null,
    toYear: query.toYear ?? null,
    total: hidden.has(totalId) ? null : total.value,
    timeline: raw.timeline.filter((y) => !hidden.has(yearId(y.year))),
    flows: raw.flows
      .filter((f) => !hidden.has(flowId(f)))
      .sort((a, b) => b.people - a.people || flowId(a).localeCompare(flowId(b)))
      .map((f) => ({
        level: f.level,
        from: f.from_area,
        fromName: areaName(f.from_area, language),
        to: f.to_area,
        toName: areaName(f.to_area, language),
        people: f.people,
      })),
    hotspots: raw.hotspots
      .filter((h) => !hidden.has(hotspotId(h)))
      .sort((a, b) => b.people - a.people || hotspotId(a).localeCompare(hotspotId(b)))
      .map((h) => ({
        level: h.level,
        area: h.area,
        areaName: areaName(h.area, language),
        role: h.role,
        people: h.people,
      })),
  };
}

/** The map at a level, for the caller's filters. */
export async function journeyMap(ctx: Ctx, level: MapLevel, query: MapQuery): Promise<JourneyMap> {
  if (level === 'public' && query.area && isRegion(query.area)) {
    // The public map stops at countries.
    throw new AppError('validation_failed', {
      fields: [{ path: 'query.area', code: 'journeys.public_country_only' }],
    });
  }
  const raw = await readRawMap(ctx.kernel.database.db, level, query);
  return protectMap(raw, ctx.kernel.config.journeysK, query, ctx.language);
}

/** A CSV cell: codes and numbers only, but quoted all the same. */
const csvCell = (value: string | number) => {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * The map's table as CSV, with an HXL hashtag row under the header (HXL 1.1: `+origin`/`+dest` attributes on
 * `#country` and `#adm1`, `#affected` for people, `#date+year`, `#meta` for Cairn's own columns).
 */
export function mapCsv(map: JourneyMap, table: 'flows' | 'hotspots' | 'timeline'): string {
  const lines: (string | number)[][] = [];
  const split = (area: string) => (isRegion(area) ? [area.slice(0, 2), area] : [area, '']);
  if (table === 'flows') {
    lines.push([
      'Level',
      'From country',
      'From region',
      'To country',
      'To region',
      'People',
      'From year',
      'To year',
    ]);
    lines.push([
      '#meta+level',
      '#country+code+origin',
      '#adm1+code+origin',
      '#country+code+dest',
      '#adm1+code+dest',
      '#affected+num',
      '#date+year+start',
      '#date+year+end',
    ]);
    for (const f of map.flows) {
      lines.push([f.level, ...split(f.from), ...split(f.to), f.people, map.fromYear ?? '', map.toYear ?? '']);
    }
  } else if (table === 'hotspots') {
    lines.push(['Level', 'Country', 'Region', 'Role', 'People', 'From year', 'To year']);
    lines.push([
      '#meta+level',
      '#country+code',
      '#adm1+code',
      '#meta+role',
      '#affected+num',
      '#date+year+start',
      '#date+year+end',
    ]);
    for (const h of map.hotspots) {
      lines.push([h.level, ...split(h.area), h.role, h.people, map.fromYear ?? '', map.toYear ?? '']);
    }
  } else {
    lines.push(['Year', 'People']);
    lines.push(['#date+year', '#affected+num']);
    for (const y of map.timeline) lines.push([y.year, y.people]);
  }
  return `${lines.map((line) => line.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
