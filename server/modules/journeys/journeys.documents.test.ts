import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeArbitrary, yearCells } from '../../test/journeys-slices.js';
import {
  sliceDocuments,
  type AreaDocument,
  type DocumentFlow,
  type DocumentHotspot,
} from './journeys.documents.js';
import { minimumK } from './journeys.disclosure.js';
import { mapPeriods, publishSlice, type PublishedSlice } from './journeys.publish.js';

const isRegion = (area: string) => area.includes('.');
const flowText = (f: DocumentFlow) => `${f.from}>${f.to}=${f.people}`;
const hotspotText = (h: DocumentHotspot) => `${h.area}:${h.role}=${h.people}`;
const sorted = (texts: string[]) => [...texts].sort();

/**
 * What each answer holds, selected from the published cells the way the live map (removed on 7 Dec 2026)
 * selected them from the summary: filters over the whole publication, not the module's gathering.
 */
function expected(published: PublishedSlice, period: string, area?: string) {
  const flows = published.flows.filter((f) => f.period === period);
  const hotspots = published.hotspots.filter((h) => h.period === period);
  const any = (level: string, where: string, year: string) =>
    published.hotspots.find(
      (h) => h.period === year && h.level === level && h.area === where && h.role === 'any',
    )?.people;
  if (area === undefined) {
    return {
      flows: flows.filter((f) => f.level === 'country').map(flowText),
      hotspots: hotspots
        .filter((h) => h.level === 'country' && h.role !== 'any')
        .map((h) => hotspotText(h as DocumentHotspot)),
      total: any('world', '*', period),
    };
  }
  const region = isRegion(area);
  return {
    flows: flows
      .filter((f) => f.level === 'region')
      .filter((f) =>
        region ? f.from === area || f.to === area : f.fromCountry === area || f.toCountry === area,
      )
      .map(flowText),
    hotspots: hotspots
      .filter((h) => h.level === 'region' && h.role !== 'any')
      .filter((h) => (region ? h.area === area : h.country === area))
      .map((h) => hotspotText(h as DocumentHotspot)),
    total: any(region ? 'region' : 'country', area, period),
  };
}

describe('journeys: the documents of a published slice', () => {
  it('holds exactly the published cells each answer selects, most people first', () => {
    fc.assert(
      fc.property(fc.array(routeArbitrary, { minLength: 1, maxLength: 60 }), (routes) => {
        const { flows, hotspots } = yearCells(routes);
        const years = routes.map((r) => r.year);
        const periods = mapPeriods(Math.min(...years), Math.max(...years));
        const published = publishSlice(flows, hotspots, periods, minimumK);
        const documents = sliceDocuments(published, periods, minimumK);

        for (const period of periods) {
          const world = documents.world.get(period.id)!;
          const want = expected(published, period.id);
          expect(sorted(world.flows.map(flowText))).toEqual(sorted(want.flows));
          expect(sorted(world.hotspots.map(hotspotText))).toEqual(sorted(want.hotspots));
          expect(world.total).toBe(want.total ?? null);
          expect([world.period, world.from, world.to, world.k]).toEqual([
            period.id,
            period.from,
            period.to,
            minimumK,
          ]);
          // The timeline is the world's shown years within the period, in order.
          const years = world.timeline.map((y) => y.year);
          expect(years).toEqual([...years].sort((a, b) => a - b));
          for (const y of world.timeline) {
            expect(y.year >= period.from && y.year <= period.to).toBe(true);
            expect(y.people).toBe(expected(published, String(y.year)).total);
          }
          for (const list of [world.flows, world.hotspots]) {
            list.forEach((row, i) => i > 0 && expect(list[i - 1]!.people).toBeGreaterThanOrEqual(row.people));
          }
          // Every country with a shown total or year in the period is in the world document, with them.
          const inPeriod = (h: { period: string }) =>
            h.period === period.id ||
            (/^\d+$/.test(h.period) && +h.period >= period.from && +h.period <= period.to);
          const countries = new Set(
            published.hotspots
              .filter((h) => h.level === 'country' && h.role === 'any' && inPeriod(h))
              .map((h) => h.area),
          );
          expect(sorted(Object.keys(world.countries))).toEqual(sorted([...countries]));
          for (const [country, shown] of Object.entries(world.countries)) {
            expect(shown.total).toBe(expected(published, period.id, country).total ?? null);
            for (const y of shown.timeline)
              expect(y.people).toBe(expected(published, String(y.year), country).total);
          }

          // Every area that some shown region cell concerns has a document, and it holds what the map selects.
          const areas = new Set<string>();
          for (const f of published.flows) {
            if (f.period !== period.id || f.level !== 'region') continue;
            [f.fromCountry, f.toCountry, f.from, f.to].forEach((a) => areas.add(a));
          }
          for (const h of published.hotspots) {
            if (h.period === period.id && h.level === 'region' && h.role !== 'any')
              [h.country, h.area].forEach((a) => areas.add(a));
          }
          for (const h of published.hotspots) {
            if (h.level === 'region' && isRegion(h.area) && h.role === 'any' && inPeriod(h))
              areas.add(h.area);
          }
          const stored = documents.areas.get(period.id) ?? new Map<string, AreaDocument>();
          expect(sorted([...stored.keys()])).toEqual(sorted([...areas]));
          for (const [area, document] of stored) {
            const wantArea = expected(published, period.id, area);
            expect(sorted(document.flows.map(flowText))).toEqual(sorted(wantArea.flows));
            expect(sorted(document.hotspots.map(hotspotText))).toEqual(sorted(wantArea.hotspots));
            expect(document.total).toBe(wantArea.total ?? null);
            for (const y of document.timeline) {
              expect(y.people).toBe(expected(published, String(y.year), area).total);
            }
          }
        }
      }),
      { numRuns: 120, seed: 7013 },
    );
  });

  it('lays out a small slice as the map will send it', () => {
    // 30 people from AA.1 to BB in 2023, 20 from AA.1 to AA.2 in 2024: every cell at least k, none hidden.
    const { flows, hotspots } = yearCells([
      { year: 2023, people: 30, stops: ['AA.1', 'BB'] },
      { year: 2024, people: 20, stops: ['AA.1', 'AA.2'] },
    ]);
    const periods = mapPeriods(2023, 2024);
    const documents = sliceDocuments(publishSlice(flows, hotspots, periods, minimumK), periods, minimumK);
    const all = documents.world.get('all')!;
    expect(all.total).toBe(50);
    expect(all.timeline).toEqual([
      { year: 2023, people: 30 },
      { year: 2024, people: 20 },
    ]);
    expect(all.flows).toEqual([
      { from: 'AA', to: 'BB', people: 30 },
      { from: 'AA', to: 'AA', people: 20 },
    ]);
    expect(all.countries.AA).toEqual({ total: 50, timeline: all.timeline });
    const aa1 = documents.areas.get('all')!.get('AA.1')!;
    expect(aa1.flows).toEqual([
      { from: 'AA.1', to: 'BB', people: 30 },
      { from: 'AA.1', to: 'AA.2', people: 20 },
    ]);
    expect(aa1.hotspots).toEqual([{ area: 'AA.1', role: 'origin', people: 50 }]);
    // A flow inside one country is listed once in that country's document.
    const aa = documents.areas.get('all')!.get('AA')!;
    expect(aa.flows.map(flowText)).toEqual(['AA.1>BB=30', 'AA.1>AA.2=20']);
  });
});
