import { isRegion, type ShownMap } from './published';

/** The tables of the map that can be downloaded. */
export type CsvTable = 'flows' | 'hotspots' | 'timeline';

/** The column headings of a table, in the reader's language (the HXL row under them says what each holds). */
export type CsvHeadings = Record<CsvTable, string[]>;

/**
 * HXL 1.1 hashtags under the headings: `+origin`/`+dest` on `#country` and `#adm1`, `#affected` for people,
 * `#date+year`, `#meta` for Cairn's own columns. Tools that read HXL find the columns by these, whatever the
 * language of the headings.
 */
const HXL: Record<CsvTable, string[]> = {
  flows: [
    '#meta+level',
    '#country+code+origin',
    '#adm1+code+origin',
    '#country+code+dest',
    '#adm1+code+dest',
    '#affected+num',
    '#date+year+start',
    '#date+year+end',
  ],
  hotspots: [
    '#meta+level',
    '#country+code',
    '#adm1+code',
    '#meta+role',
    '#affected+num',
    '#date+year+start',
    '#date+year+end',
  ],
  timeline: ['#date+year', '#affected+num'],
};

/** A CSV cell, quoted where it must be (RFC 4180); a leading formula sign is neutralised for spreadsheets. */
function cell(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A place code as its country and, for a region, the region. */
const split = (area: string): [string, string] => (isRegion(area) ? [area.slice(0, 2), area] : [area, '']);

/**
 * A table of the map as CSV, with HXL hashtags under the headings: exactly the rows the page shows, codes
 * rather than names (a spreadsheet joins on codes), and the period's first and last year on every row.
 * Nothing is computed: the numbers are the published ones.
 */
export function mapCsv(
  map: ShownMap,
  table: CsvTable,
  headings: CsvHeadings,
  years: { from: number | null; to: number | null },
): string {
  const from = years.from ?? '';
  const to = years.to ?? '';
  const rows: (string | number)[][] = [headings[table], HXL[table]];
  if (table === 'flows') {
    for (const f of map.flows) rows.push([f.level, ...split(f.from), ...split(f.to), f.people, from, to]);
  } else if (table === 'hotspots') {
    for (const h of map.hotspots) rows.push([h.level, ...split(h.area), h.role, h.people, from, to]);
  } else {
    for (const y of map.timeline) rows.push([y.year, y.people]);
  }
  return `${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}
