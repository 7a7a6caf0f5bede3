import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRng } from '../scale/prng.js';
import type { LoadResult } from '../lib/load.js';
import {
  asMapFilter,
  journeysRows,
  probeMainThread,
  publishedFilters,
  publishedPath,
  vsGroupByTarget,
  type PublishedPeriod,
} from './journeys.js';

/** A load run's result, for the rows. */
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
    const rows = journeysRows({
      legs: 60_000,
      routes: 20_000,
      published: { groupBy: [40, 50, 60], sequential: [1, 2, 3], sequentialFailures: 0, load },
      responsiveness: null,
    });
    expect(rows.every((row) => /^journeys_(route_legs|routes|published_)/.test(row.metric))).toBe(true);
    const speedup = rows.find((row) => row.metric === 'journeys_published_vs_group_by_speedup')!;
    expect(speedup).toMatchObject({ value: 25, target: vsGroupByTarget });
    expect(rows.find((row) => row.metric === 'journeys_published_sequential_median_ms')).toMatchObject({
      value: 2,
      baseline: 50,
    });
  });

  it('reports the main thread’s probes during the publication against the same probes after it', () => {
    const rows = journeysRows({
      legs: 60_000,
      routes: 20_000,
      published: { groupBy: [40], sequential: [1], sequentialFailures: 0, load },
      responsiveness: { during: [2, 4, 6, 400], idle: [1, 2, 3] },
    });
    const row = (metric: string) => rows.find((r) => r.metric === metric);
    expect(row('journeys_publication_health_probes')).toMatchObject({ value: 4 });
    expect(row('journeys_publication_health_median_ms')).toMatchObject({ value: 5, baseline: 2, ratio: 2.5 });
    expect(row('journeys_publication_health_p99_ms')).toMatchObject({ value: 400, baseline: 3 });
    expect(row('journeys_publication_health_max_ms')).toMatchObject({ value: 400, baseline: 3 });
  });
});

describe('the probe of Cairn’s main thread', () => {
  it('times each request to its whole answer, one at a time, until stopped', async () => {
    let inFlight = 0;
    let most = 0;
    const paths: string[] = [];
    // A server that answers after 40 ms: each probe's time includes the wait.
    const server = createServer((request, response) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      paths.push(request.url ?? '');
      setTimeout(() => {
        inFlight -= 1;
        response.end('{"status":"ok"}');
      }, 40);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const probe = probeMainThread(`http://127.0.0.1:${port}`);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const times = await probe.stop();
      expect(times.length).toBeGreaterThanOrEqual(2);
      expect(times.length).toBe(paths.length);
      expect(Math.min(...times)).toBeGreaterThanOrEqual(35);
      expect(most).toBe(1);
      expect(new Set(paths)).toEqual(new Set(['/api/health']));
    } finally {
      server.close();
    }
  });

  it('gives a time for a request that fails, and at least one time', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    server.close();
    const times = await probeMainThread(`http://127.0.0.1:${port}`).stop();
    expect(times.length).toBe(1);
  });
});
