import { describe, expect, it } from 'vitest';
import type { ShownFlow as Flow, ShownHotspot as Hotspot } from './published';
import { arcPath, drawable, flowWidth, timelineYears } from './flows';
import { journeyRolesOf } from './roles';
import { answerQuery, mapFilterParams, parseMapFilters, toggleYear } from './url-state';

describe('journeys: map filters in the address', () => {
  it('reads valid filters and drops what does not make sense', () => {
    const filters = parseMapFilters(
      new URLSearchParams(
        'period=last3&industry=A_AgricultureForestryAndFishing&exploitationType=nonsense&area=VN.44&nationalityBand=asia',
      ),
      false,
    );
    // An unknown type is dropped; a region is refused on the public map.
    expect(filters).toEqual({
      period: 'last3',
      industry: 'A_AgricultureForestryAndFishing',
      nationalityBand: 'asia',
    });
    expect(parseMapFilters(new URLSearchParams('area=VN.44&period=lately'), true)).toEqual({ area: 'VN.44' });
    expect(parseMapFilters(new URLSearchParams('period=20201'), true)).toEqual({});
  });

  it('opens an old link of one year as that year’s period, and drops any other span', () => {
    expect(parseMapFilters(new URLSearchParams('fromYear=2021&toYear=2021&area=TH'), false)).toEqual({
      period: '2021',
      area: 'TH',
    });
    expect(parseMapFilters(new URLSearchParams('fromYear=2020&toYear=2022'), false)).toEqual({});
    expect(parseMapFilters(new URLSearchParams('fromYear=2021'), false)).toEqual({});
    // A period in the address wins over the old pair.
    expect(parseMapFilters(new URLSearchParams('period=all&fromYear=2021&toYear=2021'), false)).toEqual({
      period: 'all',
    });
  });

  it('writes the filters back in a fixed order and round-trips', () => {
    const params = mapFilterParams({ area: 'TH', period: '2021', industry: 'C_Manufacturing' });
    expect(params.toString()).toBe('period=2021&industry=C_Manufacturing&area=TH');
    expect(parseMapFilters(params, false)).toEqual({
      period: '2021',
      industry: 'C_Manufacturing',
      area: 'TH',
    });
  });

  it('asks the world’s answer for the slice and period, without the area', () => {
    expect(answerQuery({ period: 'last5', nationalityBand: 'asia', area: 'VN.44' })).toEqual({
      period: 'last5',
      nationalityBand: 'asia',
    });
  });

  it('chooses one year of the timeline, and the default period again on a second choice', () => {
    const one = toggleYear({ industry: 'A_AgricultureForestryAndFishing', period: 'last3' }, 2021);
    expect(one).toEqual({ industry: 'A_AgricultureForestryAndFishing', period: '2021' });
    expect(toggleYear(one, 2021)).toEqual({ industry: 'A_AgricultureForestryAndFishing' });
  });
});

describe('journeys: drawing flows', () => {
  it('bows A→B and B→A to opposite sides', () => {
    expect(arcPath([0, 0], [100, 0])).toBe('M0,0 Q50,-20 100,0');
    expect(arcPath([100, 0], [0, 0])).toBe('M100,0 Q50,20 0,0');
  });

  it('scales width by the square root of people, within bounds', () => {
    expect(flowWidth(100, 100)).toBe(12);
    expect(flowWidth(25, 100)).toBeCloseTo(1.5 + 10.5 * 0.5);
    expect(flowWidth(0, 100)).toBe(0);
  });

  it('draws only country-level cells the server sent and adds nothing up', () => {
    const flows: Flow[] = [
      { level: 'country', from: 'VN', fromName: 'Viet Nam', to: 'TH', toName: 'Thailand', people: 12 },
      { level: 'region', from: 'VN.44', fromName: 'X', to: 'TH.40', toName: 'Y', people: 12 },
    ];
    const hotspots: Hotspot[] = [
      { level: 'country', area: 'VN', areaName: 'Viet Nam', role: 'origin', people: 12 },
      { level: 'country', area: 'TH', areaName: 'Thailand', role: 'destination', people: 12 },
    ];
    const out = drawable(flows, hotspots);
    expect(out.flows).toEqual([flows[0]]);
    expect(out.hotspots).toEqual([hotspots[0]]);
  });

  it('lays the timeline out year by year, leaving the years the server did not show empty', () => {
    expect(
      timelineYears([
        { year: 2019, people: 15 },
        { year: 2021, people: 30 },
      ]),
    ).toEqual([
      { year: 2019, people: 15 },
      { year: 2020, people: null },
      { year: 2021, people: 30 },
    ]);
    expect(timelineYears([])).toEqual([]);
  });
});

describe('journeys: roles as the server reads them', () => {
  const me = (role: string, platformRole: string | null, status = 'active') =>
    ({
      person: { platformRole },
      level: 'full',
      hasRequiredFactor: true,
      activeMembershipId: 'm',
      memberships: [{ id: 'm', role, organisation: { status } }],
    }) as unknown as Parameters<typeof journeyRolesOf>[0];

  it('lets contributing roles of an active organisation contribute, and everyone there read the member map', () => {
    expect(journeyRolesOf(me('caseworker', null))).toEqual({
      member: true,
      contributor: true,
      moderator: false,
    });
    expect(journeyRolesOf(me('investigator', null))).toEqual({
      member: true,
      contributor: false,
      moderator: false,
    });
    expect(journeyRolesOf(me('caseworker', null, 'pending')).contributor).toBe(false);
    expect(journeyRolesOf(me('member', 'moderator')).moderator).toBe(true);
    expect(journeyRolesOf(null)).toEqual({ member: false, contributor: false, moderator: false });
  });
});
