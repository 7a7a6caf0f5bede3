import { describe, expect, it } from 'vitest';
import { searchQuerySchema } from '../../server/modules/directory/directory.search.schemas.js';
import { countrySpecs } from '../../server/modules/directory/directory.synthetic.text.js';
import type { LoadResult } from '../lib/load.js';
import { createRng } from '../scale/prng.js';
import { directoryRows, searchPaths } from './directory.js';

const load = (rps: number, p99: number): LoadResult => ({
  requestsPerSecond: rps,
  latencyP50Ms: p99 / 2,
  latencyP99Ms: p99,
  latencyMeanMs: p99 / 2,
  totalRequests: rps * 10,
  errors: 0,
  non2xx: 0,
  durationSeconds: 10,
});

describe('directory suite', () => {
  it('makes searches with text and two filters that the search route accepts', () => {
    const paths = searchPaths(createRng(1), 500);
    expect(paths).toHaveLength(500);
    expect(new Set(paths).size).toBeGreaterThan(400);
    expect(searchPaths(createRng(1), 500)).toEqual(paths);
    for (const path of paths) {
      const url = new URL(path, 'http://x');
      expect(url.pathname).toBe('/api/directory/search');
      const query = Object.fromEntries(url.searchParams);
      expect(Object.keys(query).sort()).toEqual(['country', 'q', 'service']);
      expect(searchQuerySchema.safeParse(query).success, path).toBe(true);
    }
    // Searches in the languages organisations write in, not only English.
    const senegal = paths.filter((p) => p.includes('country=SN')).map((p) => new URL(p, 'http://x'));
    expect(
      senegal.some((u) => ['écoute', 'accompagnement', 'juridique'].includes(u.searchParams.get('q')!)),
    ).toBe(true);
  });

  it('asks about each country as often as the data holds it, so its searches repeat as members’ do', () => {
    const paths = searchPaths(createRng(2), 20_000);
    const asked = new Map<string, number>();
    for (const path of paths) {
      const country = new URL(path, 'http://x').searchParams.get('country')!;
      asked.set(country, (asked.get(country) ?? 0) + 1);
    }
    const total = countrySpecs.reduce((sum, c) => sum + c.weight, 0);
    // The busiest countries, where keeping only different searches asked a third as often as the data holds.
    for (const country of [...countrySpecs].sort((a, b) => b.weight - a.weight).slice(0, 5)) {
      const share = (asked.get(country.code) ?? 0) / paths.length;
      expect(share / (country.weight / total), country.code).toBeGreaterThan(0.8);
      expect(share / (country.weight / total), country.code).toBeLessThan(1.25);
    }
    expect(new Set(paths).size).toBeLessThan(paths.length);
  });

  it('puts the issue’s budgets on the search ratio, its p99 and the map’s median', () => {
    const rows = directoryRows({
      indexed: load(8000, 30),
      search: load(4000, 80),
      popular: load(6000, 40),
      sample: { latencies: [10, 12, 30], slowest: { path: '/x', ms: 30 }, withResults: 2, failures: 0 },
      map: { latencies: [8, 9, 25], slowest: { path: '/m', ms: 25 }, withResults: 3, failures: 0 },
      organisations: 101_000,
    });
    const row = (metric: string) => rows.find((r) => r.metric === metric);
    expect(row('directory_search_vs_indexed_query_ratio')).toMatchObject({ value: 0.5, target: '>= 0.4' });
    expect(row('directory_search_p99_ms')).toMatchObject({ value: 80, target: '<= 100', baseline: 30 });
    expect(row('directory_map_median_ms')).toMatchObject({ value: 9, target: '<= 20' });
    expect(row('directory_search_with_results_share')).toMatchObject({ value: 0.667, target: '>= 0.5' });
    expect(row('directory_search_popular_vs_indexed_query_ratio')).toMatchObject({
      value: 0.75,
      target: null,
    });
    expect(row('directory_failed_sequential_requests')).toMatchObject({ value: 0, target: '== 0' });
  });
});
