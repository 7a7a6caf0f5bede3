import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimumK, recoverableCells, type Margin } from './journeys.disclosure.js';
import { places, routeArbitrary, yearCells, type Route } from '../../test/journeys-slices.js';
import {
  mapPeriods,
  publishSlice,
  sliceCellsAndMargins,
  type MapPeriod,
  type YearFlow,
  type YearHotspot,
} from './journeys.publish.js';

/**
 * What any reader of the slice's answers can write down as exact equations, built here from what the cells mean:
 * every span is the sum of its years, and the span inside it plus the years around, for every flow and
 * hotspot; the world total is the sum of the countries of origin, and a country's origins the sum of its
 * regions' (one origin per route); a country flow is the sum of the region flows between its two countries.
 */
function readerEquations(
  flows: readonly YearFlow[],
  hotspots: readonly YearHotspot[],
  periods: readonly MapPeriod[],
): Margin[] {
  const keys = new Set([
    ...flows.map((f) => `F:${f.level}:${f.from}>${f.to}`),
    ...hotspots.map((h) => `H:${h.level}:${h.area}:${h.role}`),
  ]);
  const margins: Margin[] = [];
  for (const period of periods) {
    const years = Array.from({ length: period.to - period.from + 1 }, (_, i) => period.from + i);
    // The longest shorter span inside this one: a span is also it plus the years around it.
    const inner = periods
      .filter((p) => p.from < p.to && p.to - p.from < period.to - period.from)
      .filter((p) => period.from <= p.from && p.to <= period.to)
      .sort((a, b) => b.to - b.from - (a.to - a.from))[0];
    const around = years.filter((y) => !inner || y < inner.from || y > inner.to);
    if (years.length > 1) {
      for (const key of keys) {
        margins.push({ total: `${period.id}|${key}`, children: years.map((y) => `${y}|${key}`) });
        if (inner) {
          margins.push({
            total: `${period.id}|${key}`,
            children: [`${inner.id}|${key}`, ...around.map((y) => `${y}|${key}`)],
          });
        }
      }
    }
    // A country's origins are the sum of its regions' (a stop without a region is its country at region level).
    for (const countryKey of [...keys].filter((key) => /^H:country:[A-Z]{2}:origin$/.test(key))) {
      const code = countryKey.split(':')[2]!;
      margins.push({
        total: `${period.id}|${countryKey}`,
        children: [...keys]
          .filter((key) => key.startsWith(`H:region:${code}`) && key.endsWith(':origin'))
          .map((key) => `${period.id}|${key}`),
      });
    }
    // A country flow is the sum of the region flows between the two countries (a leg is one flow at each level).
    for (const countryKey of [...keys].filter((key) => key.startsWith('F:country:'))) {
      const [from, to] = countryKey.slice('F:country:'.length).split('>') as [string, string];
      margins.push({
        total: `${period.id}|${countryKey}`,
        children: [...keys]
          .filter((key) => key.startsWith('F:region:'))
          .filter((key) => {
            const [rf, rt] = key.slice('F:region:'.length).split('>') as [string, string];
            return rf.slice(0, 2) === from && rt.slice(0, 2) === to;
          })
          .map((key) => `${period.id}|${key}`),
      });
    }
    margins.push({
      total: `${period.id}|H:world:*:any`,
      children: [...keys]
        .filter((key) => /^H:country:[A-Z]{2}:origin$/.test(key))
        .map((key) => `${period.id}|${key}`),
    });
  }
  return margins;
}

describe('journeys: protection ahead of time, per slice and period', () => {
  it('offers each year and nested spans ending at the latest year', () => {
    expect(mapPeriods(2015, 2025).map((p) => p.id)).toEqual([
      ...Array.from({ length: 11 }, (_, i) => String(2015 + i)),
      'last3',
      'last5',
      'all',
    ]);
    expect(mapPeriods(2015, 2025).find((p) => p.id === 'last5')).toEqual({
      id: 'last5',
      from: 2021,
      to: 2025,
    });
    // A span as long as all the data is `all`, never a second name for it.
    expect(mapPeriods(2022, 2024).map((p) => p.id)).toEqual(['2022', '2023', '2024', 'all']);
    expect(mapPeriods(2024, 2024).map((p) => p.id)).toEqual(['2024']);
    expect(() => mapPeriods(2025, 2024)).toThrow();
  });

  it('closes the differencing of two periods that protecting each answer alone leaves open', () => {
    // A→B: 30 people in 2022, 5 in 2023. Alone, the 2022 answer shows 30 and the all-years answer 35: 35 − 30
    // gives the 5 people of 2023. Protected together, one of the two must go.
    const flows: YearFlow[] = [
      { level: 'country', from: 'AA', to: 'BB', fromCountry: 'AA', toCountry: 'BB', year: 2022, people: 30 },
      { level: 'country', from: 'AA', to: 'BB', fromCountry: 'AA', toCountry: 'BB', year: 2023, people: 5 },
    ];
    const periods = mapPeriods(2022, 2023);
    const published = publishSlice(flows, [], periods, minimumK);
    const shown = new Map(published.flows.map((f) => [f.period, f.people]));
    expect(shown.has('2023')).toBe(false);
    expect(shown.has('2022') && shown.has('all')).toBe(false);
    // Nothing under k is ever shown.
    for (const f of published.flows) expect(f.people).toBeGreaterThanOrEqual(minimumK);
  });

  it('shows only cells of at least k that no equation of any answer of the slice can recover', () => {
    fc.assert(
      fc.property(
        fc.array(routeArbitrary, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 11, max: 15 }),
        (routes, k) => {
          const { flows, hotspots } = yearCells(routes);
          const years = routes.map((r) => r.year);
          const periods = mapPeriods(Math.min(...years), Math.max(...years));
          const published = publishSlice(flows, hotspots, periods, k);
          const { cells, margins } = sliceCellsAndMargins(flows, hotspots, periods);
          const truth = new Map(cells.map((cell) => [cell.id, cell.value]));

          // Every shown number is the true sum over its period, and at least k.
          const shown = new Set<string>();
          for (const f of published.flows) {
            const id = `${f.period}|F:${f.level}:${f.from}>${f.to}`;
            const period = periods.find((p) => p.id === f.period)!;
            const expected = flows
              .filter((y) => y.level === f.level && y.from === f.from && y.to === f.to)
              .filter((y) => period.from <= y.year && y.year <= period.to)
              .reduce((sum, y) => sum + y.people, 0);
            expect(f.people).toBe(expected);
            expect(f.people).toBeGreaterThanOrEqual(k);
            shown.add(id);
          }
          for (const h of published.hotspots) {
            expect(h.people).toBeGreaterThanOrEqual(k);
            expect(h.people).toBe(truth.get(`${h.period}|H:${h.level}:${h.area}:${h.role}`));
            shown.add(`${h.period}|H:${h.level}:${h.area}:${h.role}`);
          }
          const hidden = new Set(cells.map((cell) => cell.id).filter((id) => !shown.has(id)));
          // The attacker, with every margin of every answer of the slice, and with the reader's own equations.
          expect([...recoverableCells(cells, margins, hidden).keys()]).toEqual([]);
          const equations = readerEquations(flows, hotspots, periods);
          expect([...recoverableCells(cells, equations, hidden).keys()]).toEqual([]);
          // Under a shown total, what is hidden is nothing or at least k people.
          for (const margin of [...margins, ...equations]) {
            if (!truth.has(margin.total) || hidden.has(margin.total)) continue;
            const children = [...new Set(margin.children)].filter(
              (id) => id !== margin.total && (truth.get(id) ?? 0) > 0,
            );
            const remainder = children
              .filter((id) => hidden.has(id))
              .reduce((sum, id) => sum + truth.get(id)!, 0);
            expect(remainder === 0 || remainder >= k).toBe(true);
          }
        },
      ),
      { numRuns: 150, seed: 7012 },
    );
  });

  it('gives the same publication for the same slice, whatever the order of its rows', () => {
    const routes: Route[] = Array.from({ length: 60 }, (_, i) => ({
      year: 2020 + (i % 4),
      people: 1 + ((i * 7) % 13),
      stops: [places[i % places.length]!, places[(i * 3 + 1) % places.length]!],
    }));
    const { flows, hotspots } = yearCells(routes);
    const periods = mapPeriods(2020, 2023);
    const once = publishSlice(flows, hotspots, periods, minimumK);
    const again = publishSlice([...flows].reverse(), [...hotspots].reverse(), periods, minimumK);
    const sorted = (p: typeof once) => ({
      flows: p.flows.map((f) => JSON.stringify(f)).sort(),
      hotspots: p.hotspots.map((h) => JSON.stringify(h)).sort(),
    });
    expect(sorted(again)).toEqual(sorted(once));
    expect(once.flows.length).toBeGreaterThan(0);
  });
});
