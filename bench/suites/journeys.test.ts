import { describe, expect, it } from 'vitest';
import { createRng } from '../scale/prng.js';
import type { LoadResult } from '../lib/load.js';
import {
  asMapFilter,
  journeysRows,
  publishedFilters,
  publishedPath,
  vsGroupByTarget,
  type PublishedPeriod,
} from './journeys.js';

const periods: PublishedPeriod[] = [
  { id: '2024', from: 2024, to: 2024 },
  { id: '2025', from: 2025, to: 2025 },
  { id: 'all', from: 2015, to: 2025 },
];

describe('the journeys benchmark’s published questions', () => {
  it('asks for a period the publication offers, the same ones for the same seed', () => {
    const filters = publishedFilters(createRng(7), 200, ['VN', 'VN.44', 'QA'], periods);
    expect(filters.every((f) => periods.includes(f.period))).toBe(true);
    expect(new Set(filters.map((f) => f.period.id)).size).toBe(3);
    expect(filters.some((f) => f.area !== undefined)).toBe(true);
    expect(filters.some((f) => f.area === undefined)).toBe(true);
    expect(publishedFilters(createRng(7), 200, ['VN', 'VN.44', 'QA'], periods)).toEqual(filters);
  });

  it('asks the area answer when there is an area, the world’s otherwise', () => {
    expect(publishedPath({ period: periods[2]!, exploitationType: 'ForcedLabour' })).toBe(
      '/api/journeys/map/world?period=all&exploitationType=ForcedLabour',
    );
    expect(publishedPath({ period: periods[0]!, area: 'VN.44' })).toBe(
      '/api/journeys/map/area?period=2024&area=VN.44',
    );
  });

  it('gives the GROUP BY the period’s years and the same filters', () => {
    expect(asMapFilter({ period: periods[2]!, nationalityBand: 'asia', area: 'VN' })).toEqual({
      fromYear: 2015,
      toYear: 2025,
      nationalityBand: 'asia',
      area: 'VN',
    });
  });

  it('reports the published answers against their GROUP BY: the issue’s speed-up, with nothing else', () => {
    const load: LoadResult = {
      requestsPerSecond: 400,
      latencyP50Ms: 20,
      latencyP99Ms: 90,
      latencyMeanMs: 25,
      totalRequests: 4000,
      errors: 0,
      non2xx: 0,
      durationSeconds: 10,
    };
    const rows = journeysRows({
      legs: 60_000,
      routes: 20_000,
      published: { groupBy: [40, 50, 60], sequential: [1, 2, 3], sequentialFailures: 0, load },
    });
    expect(rows.every((row) => /^journeys_(route_legs|routes|published_)/.test(row.metric))).toBe(true);
    const speedup = rows.find((row) => row.metric === 'journeys_published_vs_group_by_speedup')!;
    expect(speedup).toMatchObject({ value: 25, target: vsGroupByTarget });
    expect(rows.find((row) => row.metric === 'journeys_published_sequential_median_ms')).toMatchObject({
      value: 2,
      baseline: 50,
    });
  });
});
