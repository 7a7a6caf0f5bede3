import type { Worker } from 'node:worker_threads';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createProfile } from '../../test/directory.js';
import { createMember, createPerson, signIn } from '../../test/factories.js';
import { identityOrganisations } from '../identity/index.js';
import { searchPlaces } from './directory.gazetteer.js';
import { hitPartsOf, writeAnswer } from './directory.search.answer.js';
import { directorySearchOf, LocalSearch } from './directory.search.engine.js';
import { DirectorySearchIndex, type IndexHit } from './directory.search.index.js';
import { SearchThread } from './directory.search.thread.js';
import { databaseRows } from './directory.search.rows.js';
import {
  directoryFiltersSchema,
  searchQuerySchema,
  type MapResult,
  type SearchResult,
} from './directory.search.schemas.js';

/**
 * Each test file has its own database, but the organisations of this file share it: every search is narrowed
 * by a network tag unique to this file run, so other tests' organisations cannot disturb the answers.
 */
describe.each([
  { thread: false, where: 'in the request’s thread' },
  { thread: true, where: 'in the search thread' },
])('directory search, $where', ({ thread }) => {
  let t: TestApp;
  let member: string;
  /** The index the app searches, when it is in the test's thread. */
  const localIndex = () => {
    const search = directorySearchOf(t.app.kernel);
    if (!(search instanceof LocalSearch)) throw new Error('expected the search in this thread');
    return search.index;
  };
  const network = `Search test network ${Math.random().toString(36).slice(2, 8)}`;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({
      env: { CAIRN_RATE_LIMIT_MAX: '100000', CAIRN_SEARCH_THREAD: String(thread) },
    });
    const db = t.database.db;
    const place = (name: string, country: string) => searchPlaces(name, { country })[0]!.id;
    const everyoneSees = { networks: 'public' };
    const specs: Record<string, Record<string, unknown>> = {
      mombasa: {
        otherNames: ['Nyumba ya Matumaini'],
        descriptions: [
          { language: 'en', short: 'Shelter and legal aid for boys rescued from fishing boats' },
        ],
        services: ['shelter', 'legal_aid'],
        populations: ['boys', 'children_12_17'],
        countries: ['KE'],
        offices: [{ label: 'Office', placeId: place('Mombasa', 'KE') }],
        languages: ['sw', 'en'],
      },
      bangkok: {
        otherNames: ['มูลนิธิเพื่อนหญิง'],
        descriptions: [
          { language: 'th', short: 'ที่พักพิงสำหรับผู้หญิง' },
          { language: 'en', short: 'Shelters for women survivors of sexual exploitation' },
        ],
        services: ['shelter', 'psychosocial'],
        populations: ['women'],
        countries: ['TH'],
        offices: [{ label: 'Office', placeId: place('Bangkok', 'TH') }],
        languages: ['th', 'en'],
      },
      saoPaulo: {
        otherNames: ['Associação São Tomé de Apoio'],
        descriptions: [{ language: 'pt', short: 'Assistência jurídica para trabalhadores migrantes' }],
        services: ['legal_aid'],
        populations: ['migrant_workers'],
        countries: ['BR'],
        offices: [{ label: 'Office', placeId: place('São Paulo', 'BR') }],
        languages: ['pt', 'es'],
      },
      hidden: {
        descriptions: [{ language: 'en', short: 'Confidential shelter on the coast' }],
        services: ['shelter'],
        populations: ['girls'],
        countries: ['KE'],
        offices: [{ label: 'Office', placeId: place('Malindi', 'KE') }],
        hideExactLocation: true,
        // Services visible to members only: visitors must not find it by service.
        visibility: { services: 'members' },
      },
      unlisted: {
        descriptions: [{ language: 'en', short: 'Shelter known only to members' }],
        services: ['shelter'],
        countries: ['KE'],
        listed: false,
      },
    };
    for (const [key, profile] of Object.entries(specs)) {
      const names: Record<string, string> = {
        mombasa: 'Coast Children Trust',
        bangkok: 'Friends of Women Foundation',
        saoPaulo: 'Instituto Caminhos Seguros',
        hidden: 'Safe Harbour Kilifi',
        unlisted: 'Quiet Shelter Network',
      };
      const { organisationId } = await createProfile(db, {
        organisation: {
          name: `${names[key]} ${network.slice(-6)}`,
          countries: profile.countries as string[],
          tier: key === 'bangkok' ? 'verified_frontline' : 'verified',
        },
        profile: {
          ...profile,
          networks: [network],
          visibility: { ...everyoneSees, ...(profile.visibility ?? {}) },
        },
      });
      ids[key] = organisationId;
    }
    const m = await createMember(db, { role: 'member' });
    member = (await signIn(db, m.personId, { membershipId: m.membership.id })).cookie;
  });
  afterAll(() => t.close());

  const search = async (params: Record<string, string | string[]>, cookie?: string) => {
    const query = new URLSearchParams();
    query.append('network', network);
    for (const [key, value] of Object.entries(params))
      for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
    const res = await t.app.inject({
      url: `/api/directory/search?${query.toString()}`,
      headers: cookie ? { cookie } : {},
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<SearchResult>();
  };
  const idsOf = (result: SearchResult) => result.items.map((i) => i.organisationId);

  it('finds names with typos, in other scripts, and without accents', async () => {
    expect(idsOf(await search({ q: 'Coast Childrn Trst' }))[0]).toBe(ids.mombasa);
    expect(idsOf(await search({ q: 'Matumaini' }))).toContain(ids.mombasa);
    expect(idsOf(await search({ q: 'มูลนิธิเพื่อนหญิง' }))[0]).toBe(ids.bangkok);
    expect(idsOf(await search({ q: 'associacao sao tome' }))[0]).toBe(ids.saoPaulo);
    expect(idsOf(await search({ q: 'Caminhos Seguros' }))[0]).toBe(ids.saoPaulo);
  });

  it('finds descriptions through stemming in their language, and places by name', async () => {
    // "shelters" → "shelter" (English stemmer); "jurídica" without accent (Portuguese description).
    expect(idsOf(await search({ q: 'shelters' }))).toEqual(
      expect.arrayContaining([ids.mombasa, ids.bangkok]),
    );
    expect(idsOf(await search({ q: 'juridica' }))).toEqual([ids.saoPaulo]);
    // Offices are members-only by default: visitors cannot find an organisation by its office's town.
    expect(idsOf(await search({ q: 'Mombasa' }, member))).toContain(ids.mombasa);
    expect(idsOf(await search({ q: 'Mombasa' }))).not.toContain(ids.mombasa);
    expect(idsOf(await search({ q: 'Thailand' }))).toEqual([ids.bangkok]);
    expect(idsOf(await search({ q: 'Tailandia' }))).toEqual([ids.bangkok]);
  });

  it('combines filters and counts facets over the result', async () => {
    const shelters = await search({ service: 'shelter' });
    expect(new Set(idsOf(shelters))).toEqual(new Set([ids.mombasa, ids.bangkok]));
    const both = await search({ service: ['shelter', 'legal_aid'] });
    expect(idsOf(both)).toEqual([ids.mombasa]);
    const kenya = await search({ country: 'KE', service: 'shelter' });
    expect(idsOf(kenya)).toEqual([ids.mombasa]);
    // A hit shows its lists as the profile has them.
    expect(kenya.items[0]).toMatchObject({
      countries: ['KE'],
      services: ['shelter', 'legal_aid'],
      populations: ['boys', 'children_12_17'],
      languages: ['sw', 'en'],
      summary: 'Shelter and legal aid for boys rescued from fishing boats',
      summaryLanguage: 'en',
    });
    const all = await search({});
    expect(all.facets.service).toEqual(
      expect.arrayContaining([
        { value: 'shelter', count: 2 },
        { value: 'legal_aid', count: 2 },
      ]),
    );
    expect(all.facets.country.find((c) => c.value === 'KE')?.count).toBe(2);
    expect((await search({ tier: 'verified_frontline' })).items.map((i) => i.organisationId)).toEqual([
      ids.bangkok,
    ]);
  });

  it('shows visitors only public fields of listed profiles, and members more', async () => {
    const visitors = await search({ service: 'shelter' });
    expect(idsOf(visitors)).not.toContain(ids.hidden);
    expect(idsOf(visitors)).not.toContain(ids.unlisted);
    expect(visitors.facets.service.find((f) => f.value === 'shelter')?.count).toBe(2);
    const members = await search({ service: 'shelter' }, member);
    expect(new Set(idsOf(members))).toEqual(new Set([ids.mombasa, ids.bangkok, ids.hidden, ids.unlisted]));
    // The hidden-location organisation's summary is there, its name too, but no point leaves the server.
    const hit = members.items.find((i) => i.organisationId === ids.hidden)!;
    expect(Object.keys(hit)).not.toContain('latitude');
  });

  it('sorts by distance from a point or a place, within a radius', async () => {
    const nairobi = searchPlaces('Nairobi', { country: 'KE' })[0]!;
    const byDistance = await search({ sort: 'distance', placeId: String(nairobi.id) }, member);
    const distances = byDistance.items.map((i) => i.distanceKm ?? Infinity);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    const mombasa = byDistance.items.find((i) => i.organisationId === ids.mombasa)!;
    expect(mombasa.distanceKm).toBeGreaterThan(400);
    expect(mombasa.distanceKm).toBeLessThan(460);
    // São Paulo is last: an ocean away.
    expect(idsOf(byDistance).at(-1)).toBe(ids.saoPaulo);
    const near = await search({ near: '13.75,100.5', radiusKm: '50' }, member);
    expect(idsOf(near)).toEqual([ids.bangkok]);
    const refused = await t.app.inject({ url: '/api/directory/search?sort=distance' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('query.sort');
  });

  it('pages through results with a stable total', async () => {
    const first = await search({ pageSize: '2', sort: 'name' }, member);
    const second = await search({ pageSize: '2', page: '2', sort: 'name' }, member);
    const third = await search({ pageSize: '2', page: '3', sort: 'name' }, member);
    expect(first.total).toBe(5);
    expect([...idsOf(first), ...idsOf(second), ...idsOf(third)].sort()).toEqual(Object.values(ids).sort());
    const beyond = await search({ pageSize: '2', page: '9' }, member);
    expect(beyond.items).toEqual([]);
    expect(beyond.total).toBe(5);
  });

  it('drops a suspended organisation at once and brings it back when reinstated', async () => {
    const admin = await createPerson(t.database.db, { platformRole: 'platform_admin', passkey: true });
    const { cookie } = await signIn(t.database.db, admin.id);
    const act = async (action: 'suspend' | 'reinstate') => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/identity/organisations/${ids.saoPaulo}/${action}`,
        headers: { cookie },
        payload: action === 'suspend' ? { reason: 'Search test' } : {},
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    await act('suspend');
    // No waiting: the next search after the answer already leaves it out.
    expect(idsOf(await search({ q: 'Caminhos' }))).toEqual([]);
    expect((await t.app.inject({ url: `/api/directory/organisations/${ids.saoPaulo}` })).statusCode).toBe(
      404,
    );
    await act('reinstate');
    expect(idsOf(await search({ q: 'Caminhos' }))).toEqual([ids.saoPaulo]);
  });

  it('learns of changes made by another process from the database’s notifications', async () => {
    // A write that bypasses this process's code (as another Cairn process would make it).
    await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      await tx
        .update(identityOrganisations)
        .set({ status: 'suspended' })
        .where(eq(identityOrganisations.id, ids.bangkok!));
    });
    await directorySearchOf(t.app.kernel).sync();
    expect(idsOf(await search({ q: 'Friends of Women' }))).toEqual([]);
    await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      await tx
        .update(identityOrganisations)
        .set({ status: 'active' })
        .where(eq(identityOrganisations.id, ids.bangkok!));
    });
    await directorySearchOf(t.app.kernel).sync();
    expect(idsOf(await search({ q: 'Friends of Women' }))).toEqual([ids.bangkok]);
  });

  // The index itself: the search thread holds the same (its own tests follow).
  if (!thread) {
    it('loads the same index when it reads the rows a few at a time', async () => {
      const shared = localIndex();
      await shared.sync();
      const batched = new DirectorySearchIndex(databaseRows(t.database), t.app.kernel.log, 3);
      try {
        const seen = (hits: IndexHit[]) =>
          hits.map((hit) => `${hit.doc.organisationId} ${hit.doc.tags.join(',')} ${hit.score}`).sort();
        for (const audience of ['public', 'members'] as const) {
          for (const q of [
            { tags: [], tiers: [], text: null },
            { tags: ['service:shelter'], tiers: [], text: 'shelter' },
            { tags: [], tiers: [], text: 'Nyumba Matumaini' },
          ]) {
            const expected = seen(await shared.query(audience, q));
            expect(expected.length).toBeGreaterThan(0);
            expect(seen(await batched.query(audience, q))).toEqual(expected);
          }
        }
      } finally {
        await batched.close();
      }
    });

    it('writes and counts each hit from its own row, and a hit of a replaced shard from its document', async () => {
      const index = localIndex();
      await index.sync();
      const hits = await index.query('members', { tags: [`network:${network}`], tiers: [], text: null });
      expect(hits.length).toBeGreaterThan(1);
      const written = (hit: IndexHit) =>
        writeAnswer(
          { total: 1, page: 1, pageSize: 1 },
          [{ encoded: index.encodedHit('members', hit), distanceKm: null }],
          Buffer.from('{}'),
          'en',
        ).toString();
      const afresh = (hit: IndexHit) =>
        writeAnswer(
          { total: 1, page: 1, pageSize: 1 },
          [{ encoded: hitPartsOf(hit.doc, index.shownLists(hit.doc)), distanceKm: null }],
          Buffer.from('{}'),
          'en',
        ).toString();
      for (const hit of hits) {
        if (hit.row >= 0) expect(index.encodedHit('members', hit)).toHaveProperty('row', hit.row);
        expect(written(hit)).toBe(afresh(hit));
      }
      // A hit counted on shards that a reload has since replaced: its row now holds another organisation.
      const [a, b] = hits.filter((hit) => hit.row >= 0);
      const stale: IndexHit = { doc: a!.doc, score: 0, row: b!.row };
      expect(written(stale)).toBe(afresh(a!));
      expect(written(stale)).toContain(JSON.stringify(a!.doc.name));
      // Its facets are counted from its document's tags too, not from the row's.
      const tags = (hit: IndexHit) =>
        index
          .countTags('members', [hit])
          .map(([tag]) => tag)
          .sort();
      expect(tags(stale)).toEqual([...a!.doc.tags].sort());
      expect(tags(stale)).not.toEqual(tags(b!));
    });
  }

  it('counts organisations per country and per region for the map, without any organisation’s point', async () => {
    const query = new URLSearchParams({ network });
    const countries = (
      await t.app.inject({ url: `/api/directory/map?${query.toString()}` })
    ).json<MapResult>();
    expect(countries.areas.map((a) => [a.code, a.count])).toEqual(
      expect.arrayContaining([
        ['KE', 2],
        ['TH', 1],
        ['BR', 1],
      ]),
    );
    query.append('level', 'region');
    query.append('within', 'KE');
    const regions = (
      await t.app.inject({ url: `/api/directory/map?${query.toString()}`, headers: { cookie: member } })
    ).json<MapResult>();
    expect(regions.areas.length).toBeGreaterThan(0);
    expect(regions.areas.every((a) => a.code.startsWith('KE.'))).toBe(true);
    const malindi = searchPlaces('Malindi', { country: 'KE' })[0]!;
    expect(JSON.stringify(regions)).not.toContain(String(malindi.latitude));
  });

  // The search thread (decision 0018): what it answers, and what becomes of it when it stops.
  if (thread) {
    it('answers every search, export page and map count byte for byte as an index in this thread', async () => {
      const search = directorySearchOf(t.app.kernel);
      expect(search).toBeInstanceOf(SearchThread);
      const local = new LocalSearch(new DirectorySearchIndex(databaseRows(t.database), t.app.kernel.log));
      // Another thread, loading the rows three at a time.
      const batched = new SearchThread(t.database, t.app.kernel.log, 3);
      try {
        await search.sync();
        const queries: Array<Record<string, unknown>> = [
          {},
          { q: 'shelters' },
          { q: 'Coast Childrn Trst' },
          { q: 'มูลนิธิ' },
          { network: [network], service: ['shelter'], sort: 'name', pageSize: 2, page: 2 },
          { network: [network], country: ['KE'], q: 'juridica' },
          { network: [network], sort: 'distance', near: '13.75,100.5', radiusKm: 9000 },
        ];
        let found = 0;
        let areas = 0;
        for (const audience of ['public', 'members'] as const) {
          for (const language of ['en', 'th', 'pt']) {
            for (const [i, query] of queries.entries()) {
              const point = i === queries.length - 1 ? { latitude: 13.75, longitude: 100.5 } : null;
              const request = { audience, language, query: searchQuerySchema.parse(query), point };
              const expected = (await local.answer(request)).toString();
              // The bytes (facet counts written by the index) are the objects' JSON, in the schema's order.
              expect(expected).toBe(JSON.stringify(await local.objects(request)));
              if ((JSON.parse(expected) as SearchResult).total > 0) found++;
              expect((await search.answer(request)).toString(), JSON.stringify(request)).toBe(expected);
              expect((await batched.answer(request)).toString()).toBe(expected);
              expect(await search.objects(request)).toEqual(await local.objects(request));
            }
          }
          for (const prefix of ['country:', 'region:KE.']) {
            const request = {
              audience,
              filters: directoryFiltersSchema.parse({ network: [network] }),
              prefix,
            };
            const expected = await local.areas(request);
            areas += expected.counts.length;
            expect(await search.areas(request)).toEqual(expected);
          }
        }
        // Most of the 42 searches find something (a search that finds nothing proves little).
        expect(found).toBeGreaterThan(queries.length * 3);
        expect(areas).toBeGreaterThan(3);
      } finally {
        await local.close();
        await batched.close();
      }
    });

    it('starts another thread when its thread stops, and no call waits for a stopped thread', async () => {
      const engine = directorySearchOf(t.app.kernel);
      await engine.ready();
      const threadOf = () => (engine as unknown as { worker: Worker | null }).worker;
      const worker = threadOf()!;
      const request = {
        audience: 'members' as const,
        language: 'en',
        query: searchQuerySchema.parse({ network: [network] }),
        point: null,
      };
      // Asked just before the thread stops: it is answered, or it fails; it does not hang.
      const waiting = engine.answer(request).then(
        () => 'answered',
        (error: unknown) => String(error),
      );
      await worker.terminate();
      expect(await waiting).toMatch(/^answered$|the directory search thread stopped/);
      expect(
        t.logs.some((line) => line.msg === 'directory search thread stopped; the next search starts another'),
      ).toBe(true);
      // The next search starts a thread that loads the index again.
      expect(idsOf(await search({ q: 'Caminhos' }))).toEqual([ids.saoPaulo]);
      expect(threadOf()).not.toBe(worker);
    });
  }
});
