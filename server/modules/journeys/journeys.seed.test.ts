import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../kernel/audit/audit.js';
import { queryRows } from '../../kernel/db/types.js';
import { ensureDemoData } from '../../kernel/seed.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { identityModule } from '../identity/index.js';
import { journeysModule } from './index.js';
import { publishMarked } from './journeys.publication.js';
import type { WorldDocumentAnswer } from './journeys.schemas.js';
import { demoRouteInputs, demoRoutes } from './journeys.seed.js';

describe('journeys demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await ensureDemoData(t.app.kernel, [identityModule, journeysModule]);
  }, 300_000);
  afterAll(() => t.close());

  const publicWorld = async (query = '') => {
    const response = await t.app.inject({ method: 'GET', url: `/api/journeys/map/public/world${query}` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<WorldDocumentAnswer>();
  };

  it('finds every demo place in the gazetteer, in its country, and makes valid contributions of them', () => {
    const inputs = demoRouteInputs(new Date('2026-06-01T00:00:00Z'));
    expect(inputs).toHaveLength(demoRoutes.reduce((n, route) => n + route.people.length, 0));
    expect(new Set(inputs.map((i) => i.input.year))).toEqual(new Set([2023, 2024]));
    for (const { input } of inputs) {
      expect(input.origin.placeId).toBeTypeOf('number');
      for (const s of [...input.transits, ...input.exploitation]) expect(s.placeId).toBeTypeOf('number');
    }
  });

  it('validates every demo route, from two organisations and never the Mekong network', async () => {
    const routes = await t.database.asOwner((owner) =>
      queryRows<{ status: string; organisation: string }>(
        owner,
        sql`select r.status, o.name as organisation from journeys_routes r
          join identity_organisations o on o.id = r.organisation_id`,
      ),
    );
    expect(routes).toHaveLength(demoRouteInputs().length);
    expect(new Set(routes.map((r) => r.status))).toEqual(new Set(['validated']));
    expect(new Set(routes.map((r) => r.organisation))).toEqual(
      new Set(['Tumaini Safe Homes (demo)', 'Institute for Migration Research (demo)']),
    );
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true });
  });

  it('publishes every demo flow on the public map, each of at least k people, for all years and each year', async () => {
    await publishMarked(t.database.db, t.config.journeysK);
    const year = new Date().getUTCFullYear();
    // Counted here from the demo's own list: people per pair of consecutive countries of each route.
    const expected = (years: number[]) => {
      const flows = new Map<string, number>();
      for (const route of demoRoutes) {
        const stops = [route.origin, ...(route.transits ?? []), route.exploitation];
        const people = route.people
          .filter((p) => years.includes(year - p.yearsAgo))
          .reduce((n, p) => n + p.people, 0);
        for (let i = 1; i < stops.length; i++) {
          const pair = `${stops[i - 1]!.country}→${stops[i]!.country}`;
          flows.set(pair, (flows.get(pair) ?? 0) + people);
        }
      }
      return flows;
    };
    const shown = async (query: string) =>
      new Map((await publicWorld(query)).flows.map((f) => [`${f.from}→${f.to}`, f.people]));
    const all = await publicWorld();
    expect(all.periods.map((p) => p.id)).toEqual(
      expect.arrayContaining([String(year - 3), String(year - 2), 'all']),
    );
    expect(await shown('')).toEqual(expected([year - 3, year - 2]));
    expect(await shown(`?period=${year - 2}`)).toEqual(expected([year - 2]));
    expect(await shown(`?period=${year - 3}`)).toEqual(expected([year - 3]));
    for (const people of (await shown('')).values())
      expect(people).toBeGreaterThanOrEqual(t.config.journeysK);
    // Kampala → Nairobi, both years, to Dubai and to Doha.
    expect((await shown('')).get('UG→KE')).toBe(11 + 14 + 13 + 12);
  });
});
