import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../kernel/context.js';
import { queryRows, type Queryable } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { regionName } from '../directory/index.js';
import { suppressCells, type Cell, type Margin } from './journeys.disclosure.js';
import type { JourneyMap, MapQuery } from './journeys.schemas.js';
import { journeysFlows, journeysHotspots } from './journeys.tables.js';
import { anyValue, isRegion, placeRoles, wholeYear, type PlaceRole } from './journeys.vocabulary.js';

/**
 * The map: flows, hotspots, a per-year timeline and a total, read from the summary tables (never from the
 * contributions) and passed through disclosure control before anything leaves the server.
 * - public: countries only; member: countries, and first-level regions around a chosen area (a country, or a
 *   region: its regions' hotspots and the region flows that start or end there). The world's regions and
 *   region pairs are thousands, none of them drawn (the atlas has country outlines only), too many to read or
 *   protect on every answer; a reader follows them from the area they are looking at. With an industry or
 *   nationality filter the member map shows countries only (`hasRegions`).
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

/** A row of the one statement that reads an answer: a flow (`f`), a hotspot (`h`) or a year (`y`). */
interface UnionRow {
  kind: 'f' | 'h' | 'y';
  level: AreaLevel | null;
  /** The flow's from area, or the hotspot's area. */
  a: string | null;
  /** The flow's to area, or the hotspot's role. */
  b: string | null;
  /** The flow's from country, or the hotspot's country. */
  c: string | null;
  /** The flow's to country. */
  d: string | null;
  year: number | null;
  people: number;
}

/** The raw (unprotected) numbers of one map answer. */
export interface RawMap {
  flows: FlowRow[];
  hotspots: HotspotRow[];
  timeline: Array<{ year: number; people: number }>;
}

/**
 * The cells a query reads (journeys.aggregates.ts): whole years, one exploitation type (or `*`), a year range,
 * and the slice of its band filters — each of industry and nationality band either given or `*` (both given:
 * the exact cells). One slice, never a sum over the contributions.
 */
function slice(query: MapQuery): SQL {
  return sql`quarter = ${wholeYear}
    and exploitation_type = ${query.exploitationType ?? anyValue}
    and industry = ${query.industry ?? anyValue}
    and nationality_band = ${query.nationalityBand ?? anyValue}
    and year between ${query.fromYear ?? 0} and ${query.toYear ?? 9999}`;
}

/**
 * Whether an answer at this level and for these filters has first-level regions: only on the member map, and
 * only without a band filter (the summary keeps region cells in the unfiltered slice alone). With one, the map
 * shows countries, a chosen region counts as its country, and the page says so.
 */
export function hasRegions(level: MapLevel, query: MapQuery): boolean {
  return level === 'member' && query.industry === undefined && query.nationalityBand === undefined;
}

/** Reads the raw numbers of one answer from the summary tables. */
export async function readRawMap(db: Queryable, level: MapLevel, query: MapQuery): Promise<RawMap> {
  const regions = hasRegions(level, query);
  // Without regions, a chosen region is its country.
  const area = query.area && !regions ? query.area.slice(0, 2) : query.area;
  const areaCountry = area?.slice(0, 2);
  // The slice and year range, built once for every part of the statement.
  const cells = slice(query);
  const flows = (where: SQL) =>
    sql`select 'f' as kind, level, from_area as a, to_area as b, from_country as c, to_country as d,
          null::int as year, sum(people)::int as people
        from ${journeysFlows}
        where ${cells} and ${where}
        group by level, from_area, to_area, from_country, to_country`;
  const hotspots = (where: SQL) =>
    sql`select 'h', level, area, role, country, null, null, sum(people)::int
        from ${journeysHotspots}
        where ${cells} and role <> 'any' and ${where}
        group by level, area, country, role`;
  // Country flows and hotspots: the world's, or those that touch the chosen area's country.
  const parts = [
    flows(
      areaCountry
        ? sql`level = 'country' and (from_country = ${areaCountry} or to_country = ${areaCountry})`
        : sql`level = 'country'`,
    ),
    hotspots(areaCountry ? sql`level = 'country' and area = ${areaCountry}` : sql`level = 'country'`),
  ];
  // Regions only around a chosen area (the member map's drill-down): the region flows that start or end there
  // and its regions' hotspots. Each read walks the area's own cells in a partial index of the region cells by
  // country (migration 0032), not the whole region slice of its years: the flows starting there, then those
  // ending there that did not start there.
  if (area && areaCountry && regions) {
    const region = isRegion(area);
    parts.push(
      flows(
        region
          ? sql`level = 'region' and from_country = ${areaCountry} and from_area = ${area}`
          : sql`level = 'region' and from_country = ${areaCountry}`,
      ),
      flows(
        region
          ? sql`level = 'region' and to_country = ${areaCountry} and to_area = ${area} and from_area <> ${area}`
          : sql`level = 'region' and to_country = ${areaCountry} and from_country <> ${areaCountry}`,
      ),
      hotspots(
        region
          ? sql`level = 'region' and country = ${areaCountry} and area = ${area}`
          : sql`level = 'region' and country = ${areaCountry}`,
      ),
    );
  }
  // The timeline and the total: the world, or the routes that touch the chosen area.
  const timelineArea = !area
    ? sql`level = 'world' and area = ${anyValue}`
    : sql`level = ${isRegion(area) ? 'region' : 'country'} and area = ${area}`;
  parts.push(
    sql`select 'y', null, null, null, null, null, year::int, sum(people)::int
        from ${journeysHotspots}
        where ${timelineArea} and role = 'any' and ${cells}
        group by year`,
  );
  // One statement, one round trip: the parts of the answer as rows of one result, told apart by `kind` (a
  // query costs the server a socket write and a pool turn: three of them were a fifth of a map's CPU).
  const rows = await queryRows<UnionRow>(db, sql.join(parts, sql` union all `));
  const raw: RawMap = { flows: [], hotspots: [], timeline: [] };
  for (const row of rows) {
    if (row.kind === 'f') {
      raw.flows.push({
        level: row.level!,
        from_area: row.a!,
        to_area: row.b!,
        from_country: row.c!,
        to_country: row.d!,
        people: row.people,
      });
    } else if (row.kind === 'h') {
      raw.hotspots.push({
        level: row.level!,
        area: row.a!,
        country: row.c!,
        role: row.b as PlaceRole,
        people: row.people,
      });
    } else {
      raw.timeline.push({ year: row.year!, people: row.people });
    }
  }
  raw.timeline.sort((x, y) => x.year - y.year);
  return raw;
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
  // Each id made once: a cell appears in several margins, and the same string is hashed once, not each time.
  const flowIds = raw.flows.map(flowId);
  const hotspotIds = raw.hotspots.map(hotspotId);
  cells.push({ id: totalId, value: total });
  for (const y of raw.timeline) cells.push({ id: yearId(y.year), value: y.people });
  raw.flows.forEach((f, i) => cells.push({ id: flowIds[i]!, value: f.people }));
  raw.hotspots.forEach((h, i) => cells.push({ id: hotspotIds[i]!, value: h.people }));

  // The total is the sum of the years (each contribution has one year).
  margins.push({ total: totalId, children: raw.timeline.map((y) => yearId(y.year)) });
  // The total bounds the hotspots of each role across countries (exactly, for origins: one per route).
  for (const role of placeRoles) {
    margins.push({
      total: totalId,
      children: hotspotIds.filter(
        (_, i) => raw.hotspots[i]!.level === 'country' && raw.hotspots[i]!.role === role,
      ),
    });
  }
  // Groups built once, so an answer with thousands of flows and hotspots costs linear time, not their product.
  const groups = new Map<string, string[]>();
  const add = (key: string, id: string) => {
    const list = groups.get(key);
    if (list) list.push(id);
    else groups.set(key, [id]);
  };
  raw.hotspots.forEach((h, i) => {
    if (h.level === 'region') add(`regions|${h.country}|${h.role}`, hotspotIds[i]!);
  });
  raw.flows.forEach((f, i) => {
    if (f.level === 'region') add(`pair|${f.from_country}|${f.to_country}`, flowIds[i]!);
    add(`out|${f.level}|${f.from_area}`, flowIds[i]!);
    add(`in|${f.level}|${f.to_area}`, flowIds[i]!);
  });
  const group = (key: string) => groups.get(key) ?? [];
  // A country's cell adds up (or bounds) its regions' cells: hotspots per role, flows per country pair.
  raw.hotspots.forEach((h, i) => {
    if (h.level === 'country')
      margins.push({ total: hotspotIds[i]!, children: group(`regions|${h.area}|${h.role}`) });
  });
  raw.flows.forEach((f, i) => {
    if (f.level === 'country')
      margins.push({ total: flowIds[i]!, children: group(`pair|${f.from_area}|${f.to_area}`) });
  });
  // At each level, an area's origins bound the flows out of it, its places of exploitation the flows into it,
  // and its transit points both (for direct routes these are exact: the most common case).
  raw.hotspots.forEach((h, i) => {
    if (h.role === 'origin' || h.role === 'transit')
      margins.push({ total: hotspotIds[i]!, children: group(`out|${h.level}|${h.area}`) });
    if (h.role === 'exploitation' || h.role === 'transit')
      margins.push({ total: hotspotIds[i]!, children: group(`in|${h.level}|${h.area}`) });
  });
  return { cells, margins };
}

const countryNames = new Map<string, Intl.DisplayNames>();
function lookUpAreaName(area: string, language: string): string {
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
/** Area names by language: a few thousand areas at most, and an answer may name each of them many times. */
const areaNames = new Map<string, Map<string, string>>();
function areaName(area: string, language: string): string {
  let names = areaNames.get(language);
  if (!names) {
    names = new Map();
    areaNames.set(language, names);
  }
  let name = names.get(area);
  if (name === undefined) {
    name = lookUpAreaName(area, language);
    names.set(area, name);
  }
  return name;
}
/** `a.localeCompare(b)` without locales or options, built once instead of on every comparison. */
const idOrder = new Intl.Collator().compare;

/** Shown cells, most people first, ties by id (as `localeCompare` orders them). */
function shownInOrder<T extends { people: number }>(
  rows: readonly T[],
  id: (row: T) => string,
  hidden: Set<string>,
) {
  return rows
    .map((row) => ({ row, id: id(row) }))
    .filter((entry) => !hidden.has(entry.id))
    .sort((a, b) => b.row.people - a.row.people || idOrder(a.id, b.id))
    .map((entry) => entry.row);
}

/** Applies disclosure control to one answer: only cells of at least k people that cannot be recovered remain. */
export function protectMap(
  raw: RawMap,
  k: number,
  query: MapQuery,
  language: string,
  regions: boolean,
): JourneyMap {
  const { cells, margins } = cellsAndMargins(raw);
  const hidden = suppressCells(cells, margins, k);
  const total = cells.find((cell) => cell.id === totalId)!;
  return {
    k,
    fromYear: query.fromYear ?? null,
    toYear: query.toYear ?? null,
    regions,
    total: hidden.has(totalId) ? null : total.value,
    timeline: raw.timeline.filter((y) => !hidden.has(yearId(y.year))),
    flows: shownInOrder(raw.flows, flowId, hidden).map((f) => ({
      level: f.level,
      from: f.from_area,
      fromName: areaName(f.from_area, language),
      to: f.to_area,
      toName: areaName(f.to_area, language),
      people: f.people,
    })),
    hotspots: shownInOrder(raw.hotspots, hotspotId, hidden).map((h) => ({
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
  return protectMap(raw, ctx.kernel.config.journeysK, query, ctx.language, hasRegions(level, query));
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
