import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { testDatabaseKind } from '../../test/db.js';
import { createMember, createOrganisation, signIn } from '../../test/factories.js';
import { applyRoutes, rebuildAggregates } from './journeys.aggregates.js';
import type { AreaDocument } from './journeys.documents.js';
import { publishedPeriods, publishMarked, readDocument } from './journeys.publication.js';
import type { PublishedWorldDocument } from './journeys.publish.slice.js';
import { journeysLegs, journeysRoutes } from './journeys.tables.js';

/**
 * The publication of the map (journeys.publication.ts): which slices a change marks, what the job stores, and
 * that it keeps the stored documents in line with the summary through changes, new periods and a new k.
 */

interface TestRoute {
  year: number;
  types: string[];
  industry?: string;
  band: string;
  people: number;
  /** Origin → … → exploitation, as country or region codes. */
  path: string[];
}

/** Asks until the answer has a row with n > 0 (at most 10 s). */
async function pollUntil(ask: () => Promise<Array<{ n: number }>>): Promise<Array<{ n: number }>> {
  for (let i = 0; i < 100; i++) {
    const rows = await ask();
    if ((rows[0]?.n ?? 0) > 0) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return ask();
}

const all = { exploitationType: '*', industry: '*', nationalityBand: '*' };

describe('journeys: the publication of the map', () => {
  let t: TestApp;
  let organisationId: string;
  const db = () => t.database.db;
  const jobs = () => t.app.kernel.jobs;

  async function addRoutes(
    routes: TestRoute[],
    status = 'validated',
    beforeCommit?: (tx: Tx) => Promise<void>,
  ): Promise<string[]> {
    const ids = routes.map(() => randomUUID());
    await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      for (const [i, route] of routes.entries()) {
        await tx.insert(journeysRoutes).values({
          id: ids[i]!,
          organisationId,
          status,
          year: route.year,
          exploitationTypes: route.types,
          industry: route.industry ?? null,
          people: route.people,
          genderBand: 'male',
          ageBand: 'adult',
          nationalityBand: route.band,
        });
        await tx.insert(journeysLegs).values(
          route.path.map((area, position) => ({
            routeId: ids[i]!,
            organisationId,
            position,
            role: position === 0 ? 'origin' : position === route.path.length - 1 ? 'exploitation' : 'transit',
            country: area.slice(0, 2),
            region: area.includes('.') ? area : null,
          })),
        );
      }
      if (status === 'validated') await applyRoutes(tx, jobs(), ids, 1);
      await beforeCommit?.(tx);
    });
    return ids;
  }

  async function reject(ids: string[]) {
    await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      await applyRoutes(tx, jobs(), ids, -1);
      await tx.execute(
        sql`update journeys_routes set status = 'rejected' where id = any(${`{${ids.join(',')}}`}::uuid[])`,
      );
    });
  }

  const stale = () =>
    queryRows<{ slice: string; generation: number }>(
      db(),
      sql`select exploitation_type || '|' || industry || '|' || nationality_band as slice, generation
        from journeys_stale_slices order by 1`,
    );

  async function world(slice = all, period = 'all'): Promise<PublishedWorldDocument | null> {
    const stored = await readDocument(db(), slice, period, '');
    return stored ? (JSON.parse(gunzipSync(stored.body).toString('utf8')) as PublishedWorldDocument) : null;
  }

  async function area(name: string, slice = all, period = 'all'): Promise<AreaDocument | null> {
    const stored = await readDocument(db(), slice, period, name);
    return stored ? (JSON.parse(gunzipSync(stored.body).toString('utf8')) as AreaDocument) : null;
  }

  const etags = async () =>
    new Map(
      (
        await queryRows<{ key: string; etag: string }>(
          db(),
          sql`select exploitation_type || '|' || industry || '|' || nationality_band || '|' || period || '|' || area
            as key, etag from journeys_documents`,
        )
      ).map((row) => [row.key, row.etag]),
    );

  /** Every count in every stored document (people and totals), and how many documents there are. */
  async function storedCounts(): Promise<{ documents: number; counts: number[] }> {
    const bodies = await queryRows<{ body: Uint8Array }>(db(), sql`select body from journeys_documents`);
    const counts: number[] = [];
    for (const { body } of bodies) {
      JSON.parse(gunzipSync(body).toString('utf8'), (key, value: unknown) => {
        if ((key === 'people' || key === 'total') && typeof value === 'number') counts.push(value);
        return value;
      });
    }
    return { documents: bodies.length, counts };
  }

  beforeAll(async () => {
    t = await createTestApp();
    organisationId = (await createOrganisation(db())).id;
  });
  afterAll(() => t.close());

  it('publishes nothing, and no periods, before anything is validated', async () => {
    expect(await publishMarked(db(), 11)).toEqual({ full: true, slices: 0, documents: 0 });
    expect(await publishedPeriods(db())).toEqual({ k: 11, periods: [] });
    // Pending routes count nowhere: no slice is marked.
    await addRoutes(
      [{ year: 2023, types: ['ForcedLabour'], band: 'asia', people: 30, path: ['VN', 'QA'] }],
      'pending',
    );
    expect(await stale()).toEqual([]);
  });

  it('marks the slices a validated route is counted in, and only those', async () => {
    await addRoutes([
      {
        year: 2023,
        types: ['ForcedLabour', 'SexualExploitation'],
        industry: 'F_Construction',
        band: 'asia',
        people: 12,
        path: ['VN.44', 'TH', 'QA'],
      },
    ]);
    // Each type and `*`, each with the industry given or `*`, and the band given or `*`: 3 × 2 × 2.
    const slices = (await stale()).map((row) => row.slice);
    const expected: string[] = [];
    for (const type of ['*', 'ForcedLabour', 'SexualExploitation']) {
      for (const industry of ['*', 'F_Construction']) {
        for (const band of ['*', 'asia']) expected.push(`${type}|${industry}|${band}`);
      }
    }
    expect(slices).toEqual(expected.sort());
  });

  it('stores, per slice and period, documents whose numbers are the summary’s, none under k', async () => {
    // Enough people on each route that nothing is suppressed: the documents then hold the exact counts.
    await addRoutes([
      {
        year: 2023,
        types: ['ForcedLabour'],
        industry: 'F_Construction',
        band: 'asia',
        people: 20,
        path: ['VN.44', 'QA'],
      },
      { year: 2024, types: ['ForcedLabour'], band: 'asia', people: 15, path: ['KH', 'TH'] },
    ]);
    const run = await publishMarked(db(), 11);
    // The first publication: no state yet, so every slice at once.
    expect(run.full).toBe(true);
    expect(await stale()).toEqual([]);
    expect(await publishedPeriods(db())).toEqual({
      k: 11,
      periods: [
        { id: '2023', from: 2023, to: 2023 },
        { id: '2024', from: 2024, to: 2024 },
        { id: 'all', from: 2023, to: 2024 },
      ],
    });
    const doc = (await world())!;
    expect(doc.periods.map((p) => p.id)).toEqual(['2023', '2024', 'all']);
    expect(doc).toMatchObject({ k: 11, period: 'all', from: 2023, to: 2024, total: 47 });
    expect(doc.timeline).toEqual([
      { year: 2023, people: 32 },
      { year: 2024, people: 15 },
    ]);
    expect(doc.flows).toEqual([
      { from: 'VN', to: 'QA', people: 20 },
      { from: 'KH', to: 'TH', people: 15 },
      { from: 'TH', to: 'QA', people: 12 },
      { from: 'VN', to: 'TH', people: 12 },
    ]);
    expect(doc.countries.VN).toEqual({ total: 32, timeline: [{ year: 2023, people: 32 }] });
    // A single year, and a band slice (countries only: no area documents there).
    expect((await world(all, '2024'))!.flows).toEqual([{ from: 'KH', to: 'TH', people: 15 }]);
    const construction = {
      exploitationType: 'ForcedLabour',
      industry: 'F_Construction',
      nationalityBand: '*',
    };
    expect((await world(construction))!.total).toBe(32);
    expect(await area('VN', construction)).toBeNull();
    // The member map's area documents: Vietnam's region flows, and the region's own.
    const vietnam = (await area('VN'))!;
    expect(vietnam.flows).toEqual([
      { from: 'VN.44', to: 'QA', people: 20 },
      { from: 'VN.44', to: 'TH', people: 12 },
    ]);
    expect((await area('VN.44'))!.total).toBe(32);
    // Every count stored is at least k.
    const stored = await storedCounts();
    expect(stored.documents).toBeGreaterThan(20);
    expect(stored.counts.length).toBeGreaterThan(100);
    expect(Math.min(...stored.counts)).toBeGreaterThanOrEqual(11);
  });

  it('publishes again only the slices a change marked, and a small cell stays hidden', async () => {
    const before = await etags();
    // A trafficking type of its own, 5 people: under k in every slice it is counted in.
    const [small] = await addRoutes([
      { year: 2024, types: ['ForcedMarriage'], band: 'africa', people: 5, path: ['KE', 'UG'] },
    ]);
    const run = await publishMarked(db(), 11);
    expect(run).toMatchObject({ full: false, slices: 8 });
    const after = await etags();
    // The ForcedLabour slices were not marked: their documents are as they were.
    const untouched = [...before].filter(([key]) => key.startsWith('ForcedLabour|'));
    expect(untouched.length).toBeGreaterThan(0);
    for (const [key, etag] of untouched) expect(after.get(key)).toBe(etag);
    // The 5 people are nowhere on their own: not as a flow, not as a slice of their own.
    const doc = (await world())!;
    expect(doc.flows.some((f) => f.from === 'KE' || f.to === 'UG')).toBe(false);
    expect(doc.hotspots.some((h) => h.area === 'KE' || h.area === 'UG')).toBe(false);
    expect(doc.countries.KE).toBeUndefined();
    // Its own slice has a document per period, with nothing in it.
    expect(
      await world({ exploitationType: 'ForcedMarriage', industry: '*', nationalityBand: '*' }),
    ).toMatchObject({ total: null, timeline: [], flows: [], hotspots: [], countries: {} });
    expect(Math.min(...(await storedCounts()).counts)).toBeGreaterThanOrEqual(11);
    // Taken away again: every document is as it was before it, byte for byte (the same slice gives the same
    // publication), and the route's own slices have none.
    await reject([small!]);
    await publishMarked(db(), 11);
    expect(await etags()).toEqual(before);
  });

  it('a slice emptied by a rejection loses its documents', async () => {
    const [only] = await addRoutes([
      { year: 2024, types: ['ForcedCriminality'], band: 'europe', people: 40, path: ['RO', 'GB'] },
    ]);
    await publishMarked(db(), 11);
    const criminality = { exploitationType: 'ForcedCriminality', industry: '*', nationalityBand: '*' };
    expect((await world(criminality))!.total).toBe(40);
    await reject([only!]);
    await publishMarked(db(), 11);
    expect(await world(criminality)).toBeNull();
    expect(await stale()).toEqual([]);
  });

  it('a new year changes every slice’s periods, in one publication', async () => {
    await addRoutes([{ year: 2026, types: ['ForcedLabour'], band: 'asia', people: 30, path: ['MM', 'TH'] }]);
    const run = await publishMarked(db(), 11);
    expect(run.full).toBe(true);
    const periods = (await publishedPeriods(db()))!.periods.map((p) => p.id);
    expect(periods).toEqual(['2023', '2024', '2025', '2026', 'last3', 'all']);
    // Every slice's documents, even those the route is not in, offer the new periods.
    const construction = {
      exploitationType: 'ForcedLabour',
      industry: 'F_Construction',
      nationalityBand: '*',
    };
    expect((await world(construction))!.periods.map((p) => p.id)).toEqual(periods);
    expect((await world(construction, 'last3'))!.to).toBe(2026);
  });

  it('a new k publishes everything again with it', async () => {
    const run = await publishMarked(db(), 40);
    expect(run.full).toBe(true);
    const doc = (await world())!;
    expect(doc.k).toBe(40);
    // No flow reaches 40 people; every count shown does.
    expect(doc.flows).toEqual([]);
    const stored = await storedCounts();
    expect(stored.counts.length).toBeGreaterThan(0);
    expect(Math.min(...stored.counts)).toBeGreaterThanOrEqual(40);
    await publishMarked(db(), 11);
  });

  it('a rebuild marks every slice; the publication job runs within its window', async () => {
    await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      await rebuildAggregates(tx);
    });
    expect((await stale()).length).toBeGreaterThan(8);
    await publishMarked(db(), 11);
    expect(await stale()).toEqual([]);

    // Through the queue: the change queued a job due in the next window (at most 2 s away).
    await addRoutes([{ year: 2026, types: ['ForcedLabour'], band: 'asia', people: 11, path: ['MM', 'TH'] }]);
    const [queued] = await queryRows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from kernel_jobs where name = 'journeys.publish' and status = 'pending'
        and run_at <= now() + interval '2 seconds'`,
    );
    expect(queued!.n).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await jobs().runDue();
    expect(await stale()).toEqual([]);
    expect((await world())!.total).toBe(88);
  });

  // Two connections: PGlite has one, so a change cannot wait open beside the publisher there.
  it.runIf(testDatabaseKind() === 'postgresql')(
    'a slice changed while it is being published stays marked, and is published again',
    async () => {
      // A first change, committed and not yet published: the slices are marked.
      await addRoutes([
        { year: 2026, types: ['ForcedLabour'], band: 'asia', people: 17, path: ['MM', 'TH'] },
      ]);
      const before = (await world())!.total;
      // The change counts its route and marks its slices, then waits, open, holding the marks' rows.
      let reached!: (xid: string) => void;
      let release!: () => void;
      const atGate = new Promise<string>((resolve) => (reached = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      const route: TestRoute = {
        year: 2026,
        types: ['ForcedLabour'],
        band: 'asia',
        people: 13,
        path: ['MM', 'TH'],
      };
      const change = addRoutes([route], 'validated', async (tx) => {
        const [row] = await queryRows<{ xid: string }>(tx, sql`select pg_current_xact_id()::text as xid`);
        reached(row!.xid);
        await gate;
      });
      const xid = await atGate;
      // The publisher reads the slices' marks as they were committed, publishes them without the change, and
      // waits for the change to let go of the marks before it clears them.
      const publishing = publishMarked(db(), 11);
      const [waiting] = await pollUntil(async () =>
        queryRows<{ n: number }>(
          db(),
          sql`select count(*)::int as n from pg_locks
            where locktype = 'transactionid' and transactionid::text = ${xid} and not granted`,
        ),
      ).finally(release);
      expect(waiting!.n).toBe(1);
      await change;
      await publishing;
      // The marks the change made outlived the publication that read the older ones: the slice was published
      // again, with the change in it.
      expect(await stale()).toEqual([]);
      expect((await world())!.total).toBe(before! + 17 + 13);
    },
  );

  it('the map sends the stored answers: gzipped as stored, or unzipped; 304 when unchanged', async () => {
    await publishMarked(db(), 11);
    const member = await createMember(db(), { role: 'member', organisationId });
    const { cookie } = await signIn(db(), member.personId, { membershipId: member.membership.id });
    const stored = (await readDocument(db(), all, 'all', ''))!;
    const expected = JSON.parse(gunzipSync(stored.body).toString('utf8')) as PublishedWorldDocument;

    // Gzip as stored: the same bytes.
    const zipped = await t.app.inject({
      url: '/api/journeys/map/public/world',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.etag).toBe(stored.etag);
    expect(zipped.headers['cache-control']).toBe('public, max-age=60');
    expect(zipped.rawPayload.equals(stored.body)).toBe(true);
    // A client that takes no gzip gets the JSON; the member's answer is the same document.
    const plain = await t.app.inject({
      url: '/api/journeys/map/world?period=all',
      headers: { cookie, 'accept-encoding': 'identity' },
    });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('private, no-cache');
    expect(plain.json()).toEqual(expected);
    // The browser's copy is still good.
    const again = await t.app.inject({
      url: '/api/journeys/map/world',
      headers: { cookie, 'if-none-match': stored.etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');

    // An area: Vietnam's region flows, as stored.
    const vietnam = await t.app.inject({
      url: '/api/journeys/map/area?area=VN&period=2023',
      headers: { cookie },
    });
    expect(vietnam.statusCode).toBe(200);
    const vietnamStored = (await readDocument(db(), all, '2023', 'VN'))!;
    expect(vietnam.json()).toEqual(JSON.parse(gunzipSync(vietnamStored.body).toString('utf8')));
    expect(vietnam.json<AreaDocument>().flows.length).toBeGreaterThan(0);

    // Nothing published for these filters: an empty answer that still offers the periods.
    const empty = await t.app.inject({
      url: '/api/journeys/map/public/world?exploitationType=OrganRemoval&period=2024',
    });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({
      k: 11,
      period: '2024',
      from: 2024,
      to: 2024,
      total: null,
      flows: [],
      hotspots: [],
      countries: {},
      periods: expected.periods,
    });
    const emptyArea = await t.app.inject({ url: '/api/journeys/map/area?area=KE.01', headers: { cookie } });
    expect(emptyArea.json()).toMatchObject({ area: 'KE.01', period: 'all', total: null, flows: [] });

    // A period the map does not offer: a localised 400 that names the field.
    const unknown = await t.app.inject({
      url: '/api/journeys/map/public/world?period=2019',
      headers: { 'accept-language': 'fr' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('journeys.period_unknown');
    expect(unknown.body).toContain('La carte ne propose pas cette période');
    // Members only, around an area.
    expect((await t.app.inject({ url: '/api/journeys/map/area?area=VN' })).statusCode).toBe(401);
  });
});
