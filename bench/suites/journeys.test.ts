import { describe, expect, it } from 'vitest';
import { createRng } from '../scale/prng.js';
import { asMapFilter, publishedFilters, publishedPath, type PublishedPeriod } from './journeys.js';

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
});
