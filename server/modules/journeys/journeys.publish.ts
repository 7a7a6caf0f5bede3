import { MarginList, suppressNumbered, type Cell, type Margin } from './journeys.disclosure.js';
import { anyValue, placeRoles, type PlaceRole } from './journeys.vocabulary.js';

/**
 * Protection ahead of time (docs/decisions/0011-journeys.md, "Next"): one slice of the summary (an exploitation
 * type, an industry and a nationality band, each given or `*`), every year of it and every period the map offers,
 * protected as one table. What it shows is what every answer of that slice may show: an answer is then a
 * selection of these cells, and no subtraction between answers of the slice recovers a hidden cell (the
 * attacker of journeys.disclosure.ts): not between two periods, two areas, or the public and the member map
 * (the public map shows its country cells).
 *
 * Pure, like journeys.disclosure.ts: the caller reads the slice's cells per year from the summary tables and
 * writes what this returns (journeys.publication.ts).
 */

/** A period the map offers: a single year, or a span of years ending at the latest year. */
export interface MapPeriod {
  /** `2024`, `last3`, `last5`, `all`. */
  id: string;
  from: number;
  to: number;
}

/** The spans ending at the latest year, shortest first; `all` is added when it is longer than each. */
const spanLengths = [3, 5] as const;

/**
 * The periods of data from `earliest` to `latest`: each year, the last 3 and the last 5 years when there are
 * more than that, and all years when there are several. Spans are nested (last 3 ⊂ last 5 ⊂ all), so each is
 * the one before it plus a block of whole years, never an arbitrary range: 14 periods for eleven years, where
 * free year ranges would be 66 (each a new way to difference).
 */
export function mapPeriods(earliest: number, latest: number): MapPeriod[] {
  if (!Number.isInteger(earliest) || !Number.isInteger(latest) || earliest > latest) {
    throw new Error('the periods need a first year no later than the last');
  }
  const periods: MapPeriod[] = [];
  for (let year = earliest; year <= latest; year++) periods.push({ id: String(year), from: year, to: year });
  const years = latest - earliest + 1;
  for (const length of spanLengths) {
    if (years > length) periods.push({ id: `last${length}`, from: latest - length + 1, to: latest });
  }
  if (years > 1) periods.push({ id: 'all', from: earliest, to: latest });
  return periods;
}

type FlowLevel = 'country' | 'region';
type HotspotLevel = 'world' | 'country' | 'region';
type HotspotRole = PlaceRole | 'any';

/** A flow of the slice in one year, as the summary holds it (`journeys_flows`, quarter 0). */
export interface YearFlow {
  level: FlowLevel;
  from: string;
  to: string;
  fromCountry: string;
  toCountry: string;
  year: number;
  people: number;
}

/** A hotspot of the slice in one year (`journeys_hotspots`, quarter 0): `any` per area, and the world's. */
export interface YearHotspot {
  level: HotspotLevel;
  area: string;
  country: string;
  role: HotspotRole;
  year: number;
  people: number;
}

/** A cell shown for a period. */
export interface PublishedFlow extends Omit<YearFlow, 'year'> {
  period: string;
}
export interface PublishedHotspot extends Omit<YearHotspot, 'year'> {
  period: string;
}

/** The cells of a slice that may be shown, per period. */
export interface PublishedSlice {
  flows: PublishedFlow[];
  hotspots: PublishedHotspot[];
}

interface FlowBase {
  key: string;
  flow: Omit<YearFlow, 'year' | 'people'>;
}
interface HotspotBase {
  key: string;
  hotspot: Omit<YearHotspot, 'year' | 'people'>;
}

const flowKey = (f: { level: string; from: string; to: string }) => `F:${f.level}:${f.from}>${f.to}`;
const hotspotKey = (h: { level: string; area: string; role: string }) => `H:${h.level}:${h.area}:${h.role}`;
const worldKey = hotspotKey({ level: 'world', area: anyValue, role: 'any' });

/**
 * A slice over all its periods, numbered: cell `base × periods + period` is a flow's or hotspot's people in a
 * period (0 where it has none). Bases are in key order, whatever the order of the rows: complementary
 * suppression checks margins in order and breaks ties by number, so the same slice gives the same publication.
 */
interface NumberedSlice {
  flowBases: FlowBase[];
  hotspotBases: HotspotBase[];
  /** Flow bases, then hotspot bases. */
  keys: string[];
  value: Float64Array;
  margins: MarginList;
}

function numberSlice(
  flows: readonly YearFlow[],
  hotspots: readonly YearHotspot[],
  periods: readonly MapPeriod[],
): NumberedSlice {
  // Each row's key, made once: the bases are numbered only after they are sorted.
  const flowKeys = flows.map(flowKey);
  const hotspotKeys = hotspots.map(hotspotKey);
  const flowBases = new Map<string, FlowBase>();
  flows.forEach((f, i) => {
    const key = flowKeys[i]!;
    if (!flowBases.has(key)) {
      flowBases.set(key, {
        key,
        flow: { level: f.level, from: f.from, to: f.to, fromCountry: f.fromCountry, toCountry: f.toCountry },
      });
    }
  });
  const hotspotBases = new Map<string, HotspotBase>();
  hotspots.forEach((h, i) => {
    const key = hotspotKeys[i]!;
    if (!hotspotBases.has(key)) {
      hotspotBases.set(key, {
        key,
        hotspot: { level: h.level, area: h.area, country: h.country, role: h.role },
      });
    }
  });
  const byKey = <T extends { key: string }>(map: Map<string, T>) =>
    [...map.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const flowList = byKey(flowBases);
  const hotspotList = byKey(hotspotBases);
  const keys = [...flowList.map((b) => b.key), ...hotspotList.map((b) => b.key)];
  const base = new Map(keys.map((key, i) => [key, i]));
  const count = periods.length;
  const cell = (b: number, period: number) => b * count + period;

  // People per cell: each year's row counts in every period that contains its year.
  const value = new Float64Array(keys.length * count);
  const periodsOfYear = new Map<number, number[]>();
  const periodsOf = (year: number) => {
    let list = periodsOfYear.get(year);
    if (!list) {
      list = [];
      periods.forEach((p, i) => {
        if (p.from <= year && year <= p.to) list!.push(i);
      });
      periodsOfYear.set(year, list);
    }
    return list;
  };
  flows.forEach((f, i) => {
    const b = base.get(flowKeys[i]!)!;
    for (const period of periodsOf(f.year)) value[cell(b, period)]! += f.people;
  });
  hotspots.forEach((h, i) => {
    const b = base.get(hotspotKeys[i]!)!;
    for (const period of periodsOf(h.year)) value[cell(b, period)]! += h.people;
  });

  // Within each period, the margins of an answer, over the whole slice: every answer of the period is a
  // selection of these cells.
  const groups = new Map<string, number[]>();
  const group = (name: string) => {
    let list = groups.get(name);
    if (!list) groups.set(name, (list = []));
    return list;
  };
  const members = (name: string) => groups.get(name) ?? [];
  const hotspotBase = (i: number) => flowList.length + i;
  hotspotList.forEach(({ hotspot: h }, i) => {
    if (h.level === 'country' && h.role !== 'any') group(`roles|${h.role}`).push(hotspotBase(i));
    if (h.level === 'region') group(`regions|${h.country}|${h.role}`).push(hotspotBase(i));
  });
  flowList.forEach(({ flow: f }, b) => {
    if (f.level === 'region') group(`pair|${f.fromCountry}|${f.toCountry}`).push(b);
    group(`out|${f.level}|${f.from}`).push(b);
    group(`in|${f.level}|${f.to}`).push(b);
  });
  const baseMargins: Array<{ total: number; children: number[] }> = [];
  const world = base.get(worldKey);
  // The world total bounds the country hotspots of each role (exactly, for origins: one per route).
  if (world !== undefined) {
    for (const role of placeRoles) baseMargins.push({ total: world, children: members(`roles|${role}`) });
  }
  hotspotList.forEach(({ hotspot: h }, i) => {
    const total = hotspotBase(i);
    // A country's hotspot adds up (or bounds) its regions' of the same role; its `any` (the total of an
    // answer about the country) its regions' `any`.
    if (h.level === 'country') baseMargins.push({ total, children: members(`regions|${h.area}|${h.role}`) });
    if (h.level === 'world') return;
    // An area's origins and transit bound the flows out of it, its exploitation and transit the flows in.
    if (h.role === 'origin' || h.role === 'transit')
      baseMargins.push({ total, children: members(`out|${h.level}|${h.area}`) });
    if (h.role === 'exploitation' || h.role === 'transit')
      baseMargins.push({ total, children: members(`in|${h.level}|${h.area}`) });
  });
  // A country flow adds up (or bounds) the region flows between the two countries.
  flowList.forEach(({ flow: f }, b) => {
    if (f.level === 'country') baseMargins.push({ total: b, children: members(`pair|${f.from}|${f.to}`) });
  });
  const margins = new MarginList();
  for (let period = 0; period < count; period++) {
    for (const margin of baseMargins) {
      // A margin is an equation only where its total has people in the period (as a cell of an answer), and
      // only its children with people in the period count.
      if (value[cell(margin.total, period)]! <= 0) continue;
      for (const child of margin.children)
        if (value[cell(child, period)]! > 0) margins.child(cell(child, period));
      margins.end(cell(margin.total, period));
    }
  }

  // Across periods, for every cell: a span is the sum of its years, and the span inside it plus the years
  // between. The timeline of an answer is its area's `any` cell in each year: these margins cover it too.
  const yearPeriod = new Map<number, number>();
  periods.forEach((p, i) => {
    if (p.from === p.to) yearPeriod.set(p.from, i);
  });
  const spans = periods
    .map((p, i) => ({ ...p, index: i }))
    .filter((p) => p.from < p.to)
    .sort((a, b) => a.to - a.from - (b.to - b.from));
  spans.forEach((span, order) => {
    const years: number[] = [];
    for (let year = span.from; year <= span.to; year++) years.push(yearPeriod.get(year)!);
    const inner = spans
      .slice(0, order)
      .reverse()
      .find((p) => span.from <= p.from && p.to <= span.to);
    const around: number[] = [];
    if (inner) {
      for (let year = span.from; year <= span.to; year++) {
        if (year < inner.from || year > inner.to) around.push(yearPeriod.get(year)!);
      }
    }
    for (let b = 0; b < keys.length; b++) {
      const total = cell(b, span.index);
      if (value[total]! <= 0) continue;
      for (const period of years) margins.child(cell(b, period));
      margins.end(total);
      if (inner) {
        margins.child(cell(b, inner.index));
        for (const period of around) margins.child(cell(b, period));
        margins.end(total);
      }
    }
  });
  return { flowBases: flowList, hotspotBases: hotspotList, keys, value, margins };
}

/**
 * The cells and margins of a whole slice over all its periods, with ids (`<period>|<key>`): what
 * `publishSlice` protects, for an attacker to try (`recoverableCells`).
 */
export function sliceCellsAndMargins(
  flows: readonly YearFlow[],
  hotspots: readonly YearHotspot[],
  periods: readonly MapPeriod[],
): { cells: Cell[]; margins: Margin[] } {
  const { keys, value, margins } = numberSlice(flows, hotspots, periods);
  const id = (cell: number) =>
    `${periods[cell % periods.length]!.id}|${keys[Math.floor(cell / periods.length)]!}`;
  const cells: Cell[] = [];
  value.forEach((people, cell) => {
    if (people > 0) cells.push({ id: id(cell), value: people });
  });
  const list: Margin[] = [];
  for (let m = 0; m < margins.length; m++) {
    list.push({
      total: id(margins.totals[m]!),
      children: margins.children.slice(margins.starts[m], margins.starts[m + 1]).map(id),
    });
  }
  return { cells, margins: list };
}

/**
 * Protects a slice over all its periods at once (journeys.disclosure.ts's rule on the joint table) and returns
 * the cells that may be shown. Deterministic: the same slice gives the same publication.
 */
export function publishSlice(
  flows: readonly YearFlow[],
  hotspots: readonly YearHotspot[],
  periods: readonly MapPeriod[],
  k: number,
): PublishedSlice {
  const { flowBases, hotspotBases, value, margins } = numberSlice(flows, hotspots, periods);
  const hidden = suppressNumbered(value, margins, k);
  const published: PublishedSlice = { flows: [], hotspots: [] };
  const count = periods.length;
  periods.forEach((period, p) => {
    flowBases.forEach(({ flow }, b) => {
      const cell = b * count + p;
      if (value[cell]! > 0 && !hidden[cell])
        published.flows.push({ ...flow, period: period.id, people: value[cell]! });
    });
    hotspotBases.forEach(({ hotspot }, i) => {
      const cell = (flowBases.length + i) * count + p;
      if (value[cell]! > 0 && !hidden[cell]) {
        published.hotspots.push({ ...hotspot, period: period.id, people: value[cell]! });
      }
    });
  });
  return published;
}
