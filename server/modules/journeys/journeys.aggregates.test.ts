import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { migrationsFolder } from '../../paths.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, signIn } from '../../test/factories.js';
import { regionsOf } from '../directory/index.js';
import { applyRoutes, rebuildAggregates } from './journeys.aggregates.js';
import { recoverableCells } from './journeys.disclosure.js';
import { cellsAndMargins, readRawMap, type RawMap } from './journeys.map.js';
import type { JourneyMap, MapQuery } from './journeys.schemas.js';
import { journeysLegs, journeysRoutes } from './journeys.tables.js';

/** A small seeded generator (mulberry32): the same contributions on every run and both engines. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(values: readonly T[]): T => values[int(0, values.length - 1)]!;
  return { next, int, pick };
}

const countries = ['VN', 'KH', 'TH', 'CN', 'MY'] as const;
const types = ['ForcedLabour', 'SexualExploitation', 'ForcedMarriage'] as const;
const industriesUsed = ['A_AgricultureForestryAndFishing', 'C_Manufacturing'] as const;
const genders = ['female', 'male', 'mixed'] as const;
const ages = ['minor', 'adult'] as const;
const nationalities = ['asia', 'mixed'] as const;

interface GeneratedLeg {
  role: 'origin' | 'destination' | 'transit' | 'exploitation';
  country: string;
  region: string | null;
}
interface GeneratedRoute {
  id: string;
  status: 'validated' | 'pending' | 'rejected';
  year: number;
  quarter: number | null;
  exploitationTypes: string[];
  industry: string | null;
  nationalityBand: string;
  genderBand: string;
  ageBand: string;
  people: number;
  legs: GeneratedLeg[];
}

/** The first two regions of each country: those the generated legs name. */
const regionsUsed = new Map(
  countries.map((c) => [
    c,
    regionsOf(c)
      .slice(0, 2)
      .map((r) => r.code),
  ]),
);
/** Every area the generated legs name: the countries and their regions. */
const areasUsed = [...countries, ...[...regionsUsed.values()].flat()];

function generateRoutes(count: number, seed: number): GeneratedRoute[] {
  const g = generator(seed);
  const place = (role: GeneratedLeg['role']): GeneratedLeg => {
    const country = g.pick(countries);
    return { role, country, region: g.next() < 0.7 ? g.pick(regionsUsed.get(country)!) : null };
  };
  return Array.from({ length: count }, () => {
    const legs: GeneratedLeg[] = [place('origin')];
    if (g.next() < 0.5) legs.push(place('destination'));
    for (let i = g.int(0, 2); i > 0; i--) legs.push(place('transit'));
    for (let i = g.int(1, 2); i > 0; i--) legs.push(place('exploitation'));
    const roll = g.next();
    const first = g.pick(types);
    const second = g.next() < 0.3 ? g.pick(types.filter((t) => t !== first)) : null;
    return {
      id: randomUUID(),
      status: roll < 0.8 ? 'validated' : roll < 0.9 ? 'pending' : 'rejected',
      year: g.int(2019, 2023),
      quarter: g.next() < 0.4 ? null : g.int(1, 4),
      exploitationTypes: second ? [first, second] : [first],
      industry: g.next() < 0.3 ? null : g.pick(industriesUsed),
      nationalityBand: g.pick(nationalities),
      genderBand: g.pick(genders),
      ageBand: g.pick(ages),
      people: g.int(1, 15),
      legs,
    };
  });
}

/** The map's raw numbers computed in plain JS from the contributions (the independent computation). */
function independentMap(routes: GeneratedRoute[], level: 'public' | 'member', query: MapQuery): RawMap {
  const matching = routes.filter(
    (r) =>
      r.status === 'validated' &&
      (query.exploitationType === undefined || r.exploitationTypes.includes(query.exploitationType)) &&
      (query.industry === undefined || (r.industry ?? 'none') === query.industry) &&
      (query.nationalityBand === undefined || r.nationalityBand === query.nationalityBand) &&
      r.year >= (query.fromYear ?? 0) &&
      r.year <= (query.toYear ?? 9999),
  );
  // Regions on the member map only, and only without a band filter (the summary keeps no region cell there).
  const regions = level === 'member' && query.industry === undefined && query.nationalityBand === undefined;
  const levels = regions ? (['country', 'region'] as const) : (['country'] as const);
  const flows = new Map<string, RawMap['flows'][number]>();
  const hotspots = new Map<string, RawMap['hotspots'][number]>();
  const timeline = new Map<number, number>();
  // Without regions, a chosen region is its country. Around a region, the country level is its country's.
  const area = query.area && !regions ? query.area.slice(0, 2) : query.area;
  const areaCountry = area?.slice(0, 2);
  // The level of the chosen area itself: a region's code is longer than a country's two letters.
  const areaLevel = area && area.length > 2 ? 'region' : 'country';
  const inArea = (lvl: 'country' | 'region', leg: GeneratedLeg) =>
    !area || (lvl === 'country' || area.length === 2 ? leg.country === areaCountry : leg.region === area);
  for (const route of matching) {
    const path = route.legs.filter((leg) => leg.role !== 'destination');
    for (const lvl of levels) {
      const areaOf = (leg: GeneratedLeg) => (lvl === 'country' ? leg.country : (leg.region ?? leg.country));
      const seen = new Set<string>();
      // Regions only around a chosen area (the member map's drill-down): region flows and hotspots.
      if (lvl === 'region' && !area) continue;
      const flowPairs = path.length - 1;
      for (let i = 0; i < flowPairs; i++) {
        const a = path[i]!;
        const b = path[i + 1]!;
        if (!inArea(lvl, a) && !inArea(lvl, b)) continue;
        const key = `${lvl}|${areaOf(a)}|${areaOf(b)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const cell = flows.get(key) ?? {
          level: lvl,
          from_area: areaOf(a),
          to_area: areaOf(b),
          from_country: a.country,
          to_country: b.country,
          people: 0,
        };
        cell.people += route.people;
        flows.set(key, cell);
      }
      const spots = new Set<string>();
      for (const leg of route.legs) {
        if (!inArea(lvl, leg)) continue;
        const key = `${lvl}|${areaOf(leg)}|${leg.role}`;
        if (spots.has(key)) continue;
        spots.add(key);
        const cell = hotspots.get(key) ?? {
          level: lvl,
          area: areaOf(leg),
          country: leg.country,
          role: leg.role,
          people: 0,
        };
        cell.people += route.people;
        hotspots.set(key, cell);
      }
    }
    if (route.legs.some((leg) => inArea(areaLevel, leg))) {
      timeline.set(route.year, (timeline.get(route.year) ?? 0) + route.people);
    }
  }
  return {
    flows: [...flows.values()],
    hotspots: [...hotspots.values()],
    timeline: [...timeline].map(([year, people]) => ({ year, people })).sort((a, b) => a.year - b.year),
  };
}

const sortRaw = (raw: RawMap) => ({
  flows: [...raw.flows].sort((a, b) =>
    `${a.level}${a.from_area}>${a.to_area}`.localeCompare(`${b.level}${b.from_area}>${b.to_area}`),
  ),
  hotspots: [...raw.hotspots].sort((a, b) =>
    `${a.level}${a.area}${a.role}`.localeCompare(`${b.level}${b.area}${b.role}`),
  ),
  timeline: raw.timeline,
});

const filters = fc.record(
  {
    fromYear: fc.integer({ min: 2019, max: 2021 }),
    toYear: fc.integer({ min: 2021, max: 2023 }),
    exploitationType: fc.constantFrom(...types),
    industry: fc.constantFrom(...industriesUsed, 'B_MiningAndQuarrying' as const),
    nationalityBand: fc.constantFrom(...nationalities),
    area: fc.constantFrom(...areasUsed),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<MapQuery>;

describe('journeys: summary tables and the map', () => {
  let t: TestApp;
  let routes: GeneratedRoute[];
  let memberCookie: string;
  const k = 11;

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    const organisationId = (await createOrganisation(t.database.db)).id;
    const member = await createMember(t.database.db, { role: 'member', organisationId });
    memberCookie = (await signIn(t.database.db, member.personId, { membershipId: member.membership.id }))
      .cookie;
    routes = generateRoutes(160, 20261201);
    await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      for (const route of routes) {
        await tx.insert(journeysRoutes).values({
          id: route.id,
          organisationId,
          status: route.status,
          year: route.year,
          quarter: route.quarter,
          exploitationTypes: route.exploitationTypes,
          industry: route.industry,
          people: route.people,
          genderBand: route.genderBand,
          ageBand: route.ageBand,
          nationalityBand: route.nationalityBand,
        });
        await tx
          .insert(journeysLegs)
          .values(
            route.legs.map((leg, position) => ({ routeId: route.id, organisationId, position, ...leg })),
          );
      }
    });
    // The incremental path, as decisions take it: some one by one, the rest in one go; one is added, taken
    // away and added again (a rejection of a validated route, then a new validation).
    const validated = routes.filter((r) => r.status === 'validated').map((r) => r.id);
    for (const id of validated.slice(0, 25)) {
      await inTransaction(t.database.db, async (tx) => {
        await setPlatformScope(tx);
        await applyRoutes(tx, t.app.kernel.jobs, [id], 1);
      });
    }
    await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      await applyRoutes(tx, t.app.kernel.jobs, validated.slice(25), 1);
      await applyRoutes(tx, t.app.kernel.jobs, [validated[0]!], -1);
      await applyRoutes(tx, t.app.kernel.jobs, [validated[0]!], 1);
    });
  }, 120_000);
  afterAll(() => t.close());

  async function snapshot() {
    const flows = await queryRows<Record<string, unknown>>(
      t.database.db,
      sql`select * from journeys_flows order by level, quarter, exploitation_type, industry, nationality_band,
          year, from_area, to_area`,
    );
    const hotspots = await queryRows<Record<string, unknown>>(
      t.database.db,
      sql`select * from journeys_hotspots order by level, quarter, exploitation_type, industry,
          nationality_band, year, area, role`,
    );
    return { flows, hotspots };
  }

  it('a rebuild from scratch gives exactly what the decisions built one by one', async () => {
    const incremental = await snapshot();
    expect(incremental.flows.length).toBeGreaterThan(1000);
    const result = await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      return rebuildAggregates(tx);
    });
    const rebuilt = await snapshot();
    expect(rebuilt).toEqual(incremental);
    expect(result).toEqual({ flows: rebuilt.flows.length, hotspots: rebuilt.hotspots.length });
  });

  it('property: the summary tables agree with an independent computation, for any filters', async () => {
    await fc.assert(
      fc.asyncProperty(
        filters,
        fc.constantFrom('public' as const, 'member' as const),
        async (query, level) => {
          const fromDb = await readRawMap(t.database.db, level, query);
          expect(sortRaw(fromDb)).toEqual(sortRaw(independentMap(routes, level, query)));
        },
      ),
      { numRuns: 40, seed: 77 },
    );
    // Around every area the generated legs name, on the member map with its regions (the property draws few
    // of these: regions need no band filter): each read around an area has its own condition.
    for (const area of areasUsed) {
      for (const query of [{ area }, { area, fromYear: 2020, toYear: 2022, exploitationType: types[0] }]) {
        const fromDb = await readRawMap(t.database.db, 'member', query);
        expect(fromDb.flows.some((f) => f.level === 'region')).toBe(true);
        expect(sortRaw(fromDb)).toEqual(sortRaw(independentMap(routes, 'member', query)));
      }
    }
    // With no filter at all, too (every contribution counted once under `*`).
    const all = await readRawMap(t.database.db, 'member', {});
    expect(sortRaw(all)).toEqual(sortRaw(independentMap(routes, 'member', {})));
    const people = routes.filter((r) => r.status === 'validated').reduce((sum, r) => sum + r.people, 0);
    expect(all.timeline.reduce((sum, y) => sum + y.people, 0)).toBe(people);
  });

  it('keeps quarters only in the unfiltered slice, and they add up to the whole year', async () => {
    const rows = await queryRows<{ quarter: number; people: number }>(
      t.database.db,
      sql`select quarter::int as quarter, sum(people)::int as people from journeys_hotspots
          where level = 'world' and exploitation_type = '*' and industry = '*' and nationality_band = '*'
          group by quarter order by quarter`,
    );
    const whole = rows.find((r) => r.quarter === 0)!.people;
    expect(rows.filter((r) => r.quarter !== 0).reduce((sum, r) => sum + r.people, 0)).toBe(whole);
    const [filtered] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from journeys_flows where quarter <> 0 and industry <> '*'`,
    );
    expect(filtered!.n).toBe(0);
  });

  it('keeps the exact cells, one slice per band filter and the unfiltered slice; regions only unfiltered', async () => {
    for (const table of [sql`journeys_flows`, sql`journeys_hotspots`]) {
      const rows = await queryRows<{ rolled: number; regions: number; n: number }>(
        t.database.db,
        sql`select ((industry = '*')::int + (nationality_band = '*')::int) as rolled,
              count(*) filter (where level = 'region')::int as regions, count(*)::int as n
            from ${table} group by 1 order by 1`,
      );
      expect(rows.map((r) => r.rolled)).toEqual([0, 1, 2]);
      expect(rows.map((r) => r.regions > 0)).toEqual([false, false, true]);
    }
    // Both band filters read the exact cells: the same numbers as the contributions give, in countries.
    for (const query of [
      { nationalityBand: 'asia', industry: 'C_Manufacturing' },
      {
        industry: 'A_AgricultureForestryAndFishing',
        nationalityBand: 'mixed',
        exploitationType: 'ForcedLabour',
        area: 'VN',
      },
    ] as MapQuery[]) {
      const fromDb = await readRawMap(t.database.db, 'member', query);
      expect(fromDb.timeline.length).toBeGreaterThan(0);
      expect(fromDb.hotspots.length).toBeGreaterThan(0);
      expect(fromDb.hotspots.every((h) => h.level === 'country')).toBe(true);
      expect(sortRaw(fromDb)).toEqual(sortRaw(independentMap(routes, 'member', query)));
    }
  });

  it('with a band filter, a chosen region counts as its country and the answer says it has no regions', async () => {
    const region = routes.flatMap((r) => r.legs).find((leg) => leg.region !== null)!.region!;
    const get = async (query: string) => {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/journeys/map?${query}`,
        headers: { cookie: memberCookie },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<JourneyMap>();
    };
    const inRegion = await get(`area=${region}&nationalityBand=asia`);
    const inCountry = await get(`area=${region.slice(0, 2)}&nationalityBand=asia`);
    expect(inRegion.regions).toBe(false);
    expect(inRegion).toEqual(inCountry);
    expect(inRegion.total).toBeGreaterThan(0);
    expect((await get(`area=${region}`)).regions).toBe(true);
  });

  it('pending and rejected contributions never count', async () => {
    const uncounted = routes.filter((r) => r.status !== 'validated');
    expect(uncounted.length).toBeGreaterThan(5);
    const [row] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select coalesce(sum(people), 0)::int as n from journeys_hotspots
          where level = 'world' and quarter = 0 and exploitation_type = '*' and industry = '*'
            and nationality_band = '*'`,
    );
    const validated = routes.filter((r) => r.status === 'validated').reduce((sum, r) => sum + r.people, 0);
    const everything = routes.reduce((sum, r) => sum + r.people, 0);
    expect(row!.n).toBe(validated);
    expect(row!.n).toBeLessThan(everything);
  });

  it('property: for any filters, no shown number is below k and no hidden cell can be recovered', async () => {
    await fc.assert(
      fc.asyncProperty(
        filters,
        fc.constantFrom('public' as const, 'member' as const),
        async (chosen, level) => {
          // The public map takes countries only (a region there is a 400, tested in journeys.test.ts).
          const query =
            level === 'public' && chosen.area ? { ...chosen, area: chosen.area.slice(0, 2) } : chosen;
          const search = new URLSearchParams(
            Object.entries(query).map(([key, value]) => [key, String(value)] as [string, string]),
          );
          const response = await t.app.inject({
            method: 'GET',
            url: `/api/journeys/${level === 'public' ? 'map/public' : 'map'}?${search.toString()}`,
            headers: level === 'member' ? { cookie: memberCookie } : {},
          });
          expect(response.statusCode, response.body).toBe(200);
          const map = response.json<JourneyMap>();
          expect(map.k).toBe(k);
          const truth = independentMap(routes, level, query);
          const { cells, margins } = cellsAndMargins(truth);
          const value = new Map(cells.map((cell) => [cell.id, cell.value]));
          // Every shown number is the true one and describes at least k people.
          const shown = new Set<string>();
          const see = (id: string, people: number) => {
            expect(value.get(id), id).toBe(people);
            expect(people).toBeGreaterThanOrEqual(k);
            shown.add(id);
          };
          if (map.total !== null) see('T', map.total);
          for (const y of map.timeline) see(`Y:${y.year}`, y.people);
          for (const f of map.flows) see(`F:${f.level}:${f.from}>${f.to}`, f.people);
          for (const h of map.hotspots) see(`H:${h.level}:${h.area}:${h.role}`, h.people);
          if (level === 'public') {
            expect(map.flows.every((f) => f.level === 'country')).toBe(true);
            expect(map.hotspots.every((h) => h.level === 'country')).toBe(true);
          }
          // Every subtraction of shown cells from every shown total recovers no hidden cell.
          const hidden = new Set(cells.filter((cell) => !shown.has(cell.id)).map((cell) => cell.id));
          expect([...recoverableCells(cells, margins, hidden).keys()]).toEqual([]);
        },
      ),
      { numRuns: 40, seed: 2026 },
    );
  }, 120_000);

  it('migration 0031 turns the four-band summary into exactly what a rebuild now gives', async () => {
    // The summary as it was before 0031 (four band filters in six slices, regions in every slice), built from
    // the same contributions into tables of the old shape in a schema of their own; then the migration's own
    // statements, run there as the migrator runs them; then the result against the tables the code keeps.
    const migration = readFileSync(join(migrationsFolder, '0031_journeys_two_bands.sql'), 'utf8');
    const statements = migration
      .split('--> statement-breakpoint')
      .map((statement) => statement.replace(/^--.*$/gm, '').trim())
      .filter((statement) => statement.length > 0);
    const slices = sql.raw(`exploitation_type, grouping sets ((q), (), (industry), (nationality_band),
      (gender_band), (age_band), (industry, nationality_band, gender_band, age_band))`);
    const rolledUp = sql.raw(`coalesce(q, 0)::smallint, exploitation_type, coalesce(industry, '*'),
      coalesce(nationality_band, '*'), coalesce(gender_band, '*'), coalesce(age_band, '*'),
      sum(people)::int, count(*)::int`);
    const routesAndTypes = sql.raw(`(select id as route_id, year, coalesce(quarter, 5)::smallint as q,
        coalesce(industry, 'none') as industry, nationality_band, gender_band, age_band, people, t.exploitation_type
      from public.journeys_routes cross join lateral (select unnest(exploitation_types) as exploitation_type
        union all select '*') t
      where status = 'validated') r`);
    const orderedFlows = sql`select * from journeys_flows order by level, quarter, exploitation_type, industry,
      nationality_band, year, from_area, to_area`;
    const orderedHotspots = sql`select * from journeys_hotspots order by level, quarter, exploitation_type,
      industry, nationality_band, year, area, role`;
    const migrated = await t.database.asOwner(async (db) => {
      await db.execute(sql`drop schema if exists before_0031 cascade`);
      await db.execute(sql`create schema before_0031`);
      await db.execute(sql`set search_path to before_0031`);
      try {
        await db.execute(sql`create table journeys_flows (level text not null, from_area text not null,
          to_area text not null, from_country text not null, to_country text not null, year smallint not null,
          quarter smallint not null, exploitation_type text not null, industry text not null,
          nationality_band text not null, gender_band text not null, age_band text not null,
          people integer not null, routes integer not null)`);
        await db.execute(sql`create unique index journeys_flows_key_idx on journeys_flows (level, quarter,
          exploitation_type, industry, nationality_band, gender_band, age_band, year, from_area, to_area)
          include (from_country, to_country, people)`);
        await db.execute(sql`create table journeys_hotspots (level text not null, area text not null,
          country text not null, role text not null, year smallint not null, quarter smallint not null,
          exploitation_type text not null, industry text not null, nationality_band text not null,
          gender_band text not null, age_band text not null, people integer not null, routes integer not null)`);
        await db.execute(sql`create unique index journeys_hotspots_key_idx on journeys_hotspots (level, quarter,
          exploitation_type, industry, nationality_band, gender_band, age_band, year, area, role)
          include (country, people)`);
        await db.execute(sql`insert into journeys_flows
          with stops as (
            select route_id, country, coalesce(region, country) as region,
              row_number() over (partition by route_id order by position) as n
            from public.journeys_legs where role <> 'destination'
          ),
          pairs as (
            select distinct a.route_id, 'country' as level, a.country as from_area, b.country as to_area,
              a.country as from_country, b.country as to_country
            from stops a join stops b on b.route_id = a.route_id and b.n = a.n + 1
            union
            select distinct a.route_id, 'region', a.region, b.region, a.country, b.country
            from stops a join stops b on b.route_id = a.route_id and b.n = a.n + 1
          )
          select level, from_area, to_area, from_country, to_country, year, ${rolledUp}
          from pairs p join ${routesAndTypes} on r.route_id = p.route_id
          group by level, from_area, to_area, from_country, to_country, year, ${slices}`);
        await db.execute(sql`insert into journeys_hotspots
          with places as (
            select route_id, role, country, coalesce(region, country) as region from public.journeys_legs
          ),
          areas as (
            select distinct route_id, 'country' as level, country as area, country, role from places
            union select distinct route_id, 'region', region, country, role from places
            union select distinct route_id, 'country', country, country, 'any' from places
            union select distinct route_id, 'region', region, country, 'any' from places
            union select id, 'world', '*', '*', 'any' from public.journeys_routes where status = 'validated'
          )
          select level, area, country, role, year, ${rolledUp}
          from areas a join ${routesAndTypes} on r.route_id = a.route_id
          group by level, area, country, role, year, ${slices}`);
        const before = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from journeys_flows`);
        for (const statement of statements) await db.execute(statement);
        return {
          before: before[0]!.n,
          flows: await queryRows<Record<string, unknown>>(db, orderedFlows),
          hotspots: await queryRows<Record<string, unknown>>(db, orderedHotspots),
        };
      } finally {
        await db.execute(sql`set search_path to default`);
        await db.execute(sql`drop schema before_0031 cascade`);
      }
    });
    const now = await snapshot();
    // The old summary was larger: the gender and age slices and the regions of every band slice are gone.
    expect(migrated.before).toBeGreaterThan(now.flows.length);
    expect({ flows: migrated.flows, hotspots: migrated.hotspots }).toEqual(now);
  });

  it('publishes something: the unfiltered member map shows country flows and hotspots', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/journeys/map',
      headers: { cookie: memberCookie },
    });
    const map = response.json<JourneyMap>();
    expect(map.total).toBeGreaterThan(100);
    expect(map.flows.some((f) => f.level === 'country')).toBe(true);
    expect(map.hotspots.some((h) => h.level === 'country')).toBe(true);
    expect(map.timeline.length).toBeGreaterThan(0);
  });

  it('gives regions only around a chosen area: the world has too many regions and region pairs to send', async () => {
    const get = async (area?: string) => {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/journeys/map${area ? `?area=${area}` : ''}`,
        headers: { cookie: memberCookie },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<JourneyMap>();
    };
    const world = await get();
    expect(world.flows.filter((f) => f.level === 'region')).toEqual([]);
    expect(world.hotspots.filter((h) => h.level === 'region')).toEqual([]);
    // The country with the most people among the world's flows has region flows of its own, all touching it.
    const busiest = world.flows.reduce((a, b) => (b.people > a.people ? b : a)).from;
    const around = await get(busiest);
    const regionFlows = around.flows.filter((f) => f.level === 'region');
    expect(regionFlows.length).toBeGreaterThan(0);
    expect(regionFlows.every((f) => f.from.startsWith(busiest) || f.to.startsWith(busiest))).toBe(true);
    const regionHotspots = around.hotspots.filter((h) => h.level === 'region');
    expect(regionHotspots.length).toBeGreaterThan(0);
    expect(regionHotspots.every((h) => h.area.startsWith(busiest))).toBe(true);
    // The raw numbers too: nothing of the world's regions is read without an area.
    const raw = await readRawMap(t.database.db, 'member', {});
    expect(raw.flows.some((f) => f.level === 'region')).toBe(false);
    expect(raw.hotspots.some((h) => h.level === 'region')).toBe(false);
    expect(raw.hotspots.some((h) => h.level === 'country')).toBe(true);
  });
});
