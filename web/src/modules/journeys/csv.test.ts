import { describe, expect, it } from 'vitest';
import { mapCsv, type CsvHeadings } from './csv';
import type { ShownMap } from './published';

const headings: CsvHeadings = {
  flows: ['Level', 'From country', 'From region', 'To country', 'To region', 'People', 'From', 'To'],
  hotspots: ['Level', 'Country', 'Region', 'Role', 'People', 'From', 'To'],
  timeline: ['Year', 'People'],
};

const map: ShownMap = {
  k: 11,
  period: 'last3',
  regions: true,
  total: 40,
  timeline: [
    { year: 2022, people: 15 },
    { year: 2024, people: 25 },
  ],
  flows: [
    { level: 'country', from: 'VN', fromName: 'Viet Nam', to: 'LA', toName: 'Laos', people: 25 },
    { level: 'region', from: 'VN.44', fromName: 'Lào Cai', to: 'LA.27', toName: 'Vientiane', people: 14 },
  ],
  hotspots: [{ level: 'region', area: 'LA.27', areaName: 'Vientiane', role: 'transit', people: 14 }],
};

const lines = (csv: string) => csv.split('\r\n');

describe('journeys: the map’s tables as CSV', () => {
  it('writes the shown flows with codes, HXL hashtags and the period’s years', () => {
    const csv = mapCsv(map, 'flows', headings, { from: 2022, to: 2024 });
    expect(lines(csv)).toEqual([
      'Level,From country,From region,To country,To region,People,From,To',
      '#meta+level,#country+code+origin,#adm1+code+origin,#country+code+dest,#adm1+code+dest,#affected+num,#date+year+start,#date+year+end',
      'country,VN,,LA,,25,2022,2024',
      'region,VN,VN.44,LA,LA.27,14,2022,2024',
      '',
    ]);
    // Names are the page's, not the file's: a spreadsheet joins on codes.
    expect(csv).not.toContain('Lào Cai');
  });

  it('writes places by role, and the timeline; nothing published gives the headings alone', () => {
    expect(lines(mapCsv(map, 'hotspots', headings, { from: 2022, to: 2024 }))[2]).toBe(
      'region,LA,LA.27,transit,14,2022,2024',
    );
    expect(lines(mapCsv(map, 'timeline', headings, { from: 2022, to: 2024 })).slice(1)).toEqual([
      '#date+year,#affected+num',
      '2022,15',
      '2024,25',
      '',
    ]);
    const empty = { ...map, flows: [], hotspots: [], timeline: [], total: null, period: null };
    expect(lines(mapCsv(empty, 'flows', headings, { from: null, to: null }))).toHaveLength(3);
  });

  it('quotes what must be quoted and keeps a translated heading from being read as a formula', () => {
    const odd: CsvHeadings = { ...headings, timeline: ['Année, "civile"', '=Personnes'] };
    expect(lines(mapCsv(map, 'timeline', odd, { from: 2022, to: 2024 }))[0]).toBe(
      '"Année, ""civile""",\'=Personnes',
    );
  });
});
