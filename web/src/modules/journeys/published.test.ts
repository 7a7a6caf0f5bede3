import { describe, expect, it } from 'vitest';
import { composeMap, effectiveArea, hasRegions, type AreaAnswer, type WorldAnswer } from './published';

const periods = [
  { id: '2024', from: 2024, to: 2024 },
  { id: '2025', from: 2025, to: 2025 },
  { id: 'all', from: 2024, to: 2025 },
];

const world: WorldAnswer = {
  k: 11,
  period: 'all',
  from: 2024,
  to: 2025,
  total: 90,
  timeline: [
    { year: 2024, people: 40 },
    { year: 2025, people: 50 },
  ],
  flows: [
    { from: 'VN', to: 'QA', people: 30 },
    { from: 'KH', to: 'TH', people: 25 },
    { from: 'TH', to: 'QA', people: 12 },
  ],
  hotspots: [
    { area: 'VN', role: 'origin', people: 30 },
    { area: 'QA', role: 'exploitation', people: 42 },
    { area: 'TH', role: 'transit', people: 12 },
  ],
  countries: {
    VN: { total: 30, timeline: [{ year: 2025, people: 30 }] },
    QA: { total: 42, timeline: [] },
  },
  periods,
};

const vietnam: AreaAnswer = {
  k: 11,
  period: 'all',
  from: 2024,
  to: 2025,
  area: 'VN',
  total: 30,
  timeline: [{ year: 2025, people: 30 }],
  flows: [{ from: 'VN.44', to: 'QA', people: 30 }],
  hotspots: [{ area: 'VN.44', role: 'origin', people: 30 }],
};

const names: Record<string, string> = { VN: 'Vietnam', QA: 'Qatar', KH: 'Cambodia', TH: 'Thailand' };
const nameOf = (code: string) => names[code] ?? `(${code})`;

describe('journeys: the published map put together', () => {
  it('shows the world’s answer as it is without an area, named', () => {
    const shown = composeMap(world, null, { level: 'public', regions: false, nameOf });
    expect(shown.total).toBe(90);
    expect(shown.timeline).toEqual(world.timeline);
    expect(shown.flows.map((f) => `${f.fromName} → ${f.toName}: ${f.people}`)).toEqual([
      'Vietnam → Qatar: 30',
      'Cambodia → Thailand: 25',
      'Thailand → Qatar: 12',
    ]);
    expect(shown.flows.every((f) => f.level === 'country')).toBe(true);
    expect(shown.hotspots[0]).toEqual({
      level: 'country',
      area: 'QA',
      areaName: 'Qatar',
      role: 'exploitation',
      people: 42,
    });
  });

  it('around a country: its country flows and hotspots, its region answer, and its totals', () => {
    const shown = composeMap(world, vietnam, { level: 'member', areaCode: 'VN', regions: true, nameOf });
    expect(shown.flows.map((f) => `${f.level} ${f.from}>${f.to}`)).toEqual([
      'country VN>QA',
      'region VN.44>QA',
    ]);
    expect(shown.hotspots.map((h) => `${h.level} ${h.area}`)).toEqual(['country VN', 'region VN.44']);
    expect(shown.flows[1]!.fromName).toBe('(VN.44)');
    expect(shown.total).toBe(30);
    expect(shown.timeline).toEqual([{ year: 2025, people: 30 }]);
  });

  it('without regions (a band filter, or the public map), a region counts as its country', () => {
    expect(hasRegions('member', {})).toBe(true);
    expect(hasRegions('member', { industry: 'F_Construction' })).toBe(false);
    expect(hasRegions('public', {})).toBe(false);
    expect(effectiveArea('VN.44', false)).toBe('VN');
    expect(effectiveArea('VN.44', true)).toBe('VN.44');
    const shown = composeMap(world, vietnam, { level: 'member', areaCode: 'VN.44', regions: false, nameOf });
    // The region answer is not used: Vietnam's country numbers, from the world's answer.
    expect(shown.flows.map((f) => f.level)).toEqual(['country']);
    expect(shown.total).toBe(30);
  });

  it('shows no totals for a region until its own answer is there, and never another area’s answer', () => {
    const waiting = composeMap(world, null, { level: 'member', areaCode: 'VN.44', regions: true, nameOf });
    expect(waiting.total).toBeNull();
    expect(waiting.timeline).toEqual([]);
    // The previous area's answer (Vietnam's) while the region's loads: not shown as the region's.
    const stale = composeMap(world, vietnam, { level: 'member', areaCode: 'VN.44', regions: true, nameOf });
    expect(stale.total).toBeNull();
    expect(stale.flows.every((f) => f.level === 'country')).toBe(true);
    // A country with nothing of its own shown: no total.
    expect(
      composeMap(world, null, { level: 'member', areaCode: 'KE', regions: true, nameOf }).total,
    ).toBeNull();
  });
});
