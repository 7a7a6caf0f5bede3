import { describe, expect, it } from 'vitest';
import {
  clearFilters,
  drilledCountry,
  emptySearch,
  filterCount,
  gapQueryOf,
  mapQueryOf,
  parseSearch,
  roundPoint,
  searchParamsOf,
  searchQueryOf,
  searchString,
  toggleFilter,
} from './url-state';

const parse = (query: string) => parseSearch(new URLSearchParams(query));

describe('parseSearch ⇄ searchParamsOf', () => {
  it('reads an empty address as the landing page, and writes it back as nothing', () => {
    expect(parse('')).toEqual(emptySearch);
    expect(searchString(emptySearch)).toBe('');
  });

  it('round-trips a full search', () => {
    const query =
      'q=shelter+mombasa&service=shelter&service=legal_aid&population=boys&country=KE&region=KE.19' +
      '&language=sw&network=Freedom+Network&tier=verified&placeId=123&placeName=Mombasa%2C+Kenya' +
      '&sort=distance&page=3&view=map&gapService=shelter&gapPopulation=girls';
    const state = parse(query);
    expect(state).toMatchObject({
      q: 'shelter mombasa',
      sort: 'distance',
      placeId: 123,
      placeName: 'Mombasa, Kenya',
      page: 3,
      view: 'map',
      gapService: 'shelter',
      gapPopulation: 'girls',
    });
    expect(state.filters.service).toEqual(['shelter', 'legal_aid']);
    expect(state.filters.network).toEqual(['Freedom Network']);
    expect(parseSearch(searchParamsOf(state))).toEqual(state);
  });

  it('drops values that make no sense instead of sending them to the server', () => {
    const state = parse(
      'service=teleportation&service=shelter&service=shelter&country=kenya&country=KE&language=xx' +
        '&type=ngo&type=army&tier=gold&page=abc&view=globe&sort=loudest&gapService=nope',
    );
    expect(state.filters.service).toEqual(['shelter']);
    expect(state.filters.country).toEqual(['KE']);
    expect(state.filters.language).toEqual([]);
    expect(state.filters.type).toEqual(['ngo']);
    expect(state.filters.tier).toEqual([]);
    expect(state).toMatchObject({ page: 1, view: 'list', sort: 'relevance', gapService: null });
  });

  it('sorts by distance only when there is a point to measure from', () => {
    expect(parse('sort=distance').sort).toBe('relevance');
    expect(parse('sort=distance&near=-4.05,39.66').sort).toBe('distance');
    expect(parse('near=not-a-point').near).toBeNull();
    // "Near me" wins over a place, as the page never sets both.
    expect(parse('near=1.00,2.00&placeId=4').placeId).toBeNull();
  });

  it('caps pages and values at what the server accepts', () => {
    expect(parse('page=9999').page).toBe(500);
    const many = Array.from({ length: 30 }, (_, i) => `network=n${i}`).join('&');
    expect(parse(many).filters.network).toHaveLength(20);
  });
});

describe('toggleFilter', () => {
  it('adds and removes values, and goes back to page 1', () => {
    const onPage3 = { ...emptySearch, page: 3 };
    const added = toggleFilter(onPage3, 'service', 'shelter');
    expect(added.filters.service).toEqual(['shelter']);
    expect(added.page).toBe(1);
    expect(toggleFilter(added, 'service', 'shelter').filters.service).toEqual([]);
  });

  it('removes a country’s regions with the country', () => {
    let state = toggleFilter(emptySearch, 'country', 'KE');
    state = toggleFilter(state, 'country', 'UG');
    state = toggleFilter(state, 'region', 'KE.19');
    state = toggleFilter(state, 'region', 'UG.C');
    state = toggleFilter(state, 'country', 'KE');
    expect(state.filters.country).toEqual(['UG']);
    expect(state.filters.region).toEqual(['UG.C']);
  });

  it('counts and clears filters', () => {
    const state = toggleFilter(toggleFilter({ ...emptySearch, q: 'x' }, 'tier', 'verified'), 'type', 'ngo');
    expect(filterCount(state)).toBe(2);
    const cleared = clearFilters(state);
    expect(filterCount(cleared)).toBe(0);
    expect(cleared.q).toBe('x');
  });
});

describe('queries', () => {
  it('sends the filters, the point and the page to search', () => {
    const state = parse('q=legal&service=legal_aid&near=13.75,100.50&sort=distance&page=2');
    expect(searchQueryOf(state)).toMatchObject({
      q: 'legal',
      service: ['legal_aid'],
      near: '13.75,100.50',
      placeId: undefined,
      sort: 'distance',
      page: 2,
      pageSize: 20,
    });
  });

  it('counts countries on the map, and regions once the search is narrowed to one country', () => {
    expect(mapQueryOf(parse('service=shelter'))).toMatchObject({ level: 'country', within: undefined });
    expect(mapQueryOf(parse('country=KE'))).toMatchObject({ level: 'region', within: 'KE', country: ['KE'] });
    expect(mapQueryOf(parse('country=KE&country=UG')).level).toBe('country');
    expect(drilledCountry(parse('country=TH'))).toBe('TH');
  });

  it('asks the gap layer only about its service and population', () => {
    expect(gapQueryOf(parse('gapService=shelter'))).toBeNull();
    const gap = gapQueryOf(parse('q=x&type=ngo&gapService=shelter&gapPopulation=boys'));
    expect(gap).toMatchObject({ service: ['shelter'], population: ['boys'], type: [], level: 'country' });
    expect(gap?.q).toBeUndefined();
    expect(gapQueryOf(parse('country=KE&gapService=shelter&gapPopulation=boys'))).toMatchObject({
      level: 'region',
      within: 'KE',
    });
  });
});

describe('roundPoint', () => {
  it('keeps about a kilometre of precision', () => {
    expect(roundPoint(-4.054661, 39.663591)).toBe('-4.05,39.66');
  });
});
