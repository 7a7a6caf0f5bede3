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
import { DirectorySearchIndex, searchIndexOf, type IndexHit } from './directory.search.index.js';
import type { MapResult, SearchResult } from './directory.search.schemas.js';

/**
 * Each test file has its own database, but the organisations of this file share it: every search is narrowed
 * by a network tag unique to this file run, so other tests' organisations cannot disturb the answers.
 */
describe('directory search', () => {
  let t: TestApp;
  let member: string;
  const network = `Search test network ${Math.random().toString(36).slice(2, 8)}`;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
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
    await searchIndexOf(t.database, t.app.kernel.log).sync();
    expect(idsOf(await search({ q: 'Friends of Women' }))).toEqual([]);
    await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      await tx
        .update(identityOrganisations)
        .set({ status: 'active' })
        .where(eq(identityOrganisations.id, ids.bangkok!));
    });
    await searchIndexOf(t.database, t.app.kernel.log).sync();
    expect(idsOf(await search({ q: 'Friends of Women' }))).toEqual([ids.bangkok]);
  });

  it('loads the same index when it reads the rows a few at a time', async () => {
    const shared = searchIndexOf(t.database, t.app.kernel.log);
    await shared.sync();
    const batched = new DirectorySearchIndex(t.database, t.app.kernel.log, 3);
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
    const index = searchIndexOf(t.database, t.app.kernel.log);
    await index.sync();
    const hits = await index.query('members', { tags: [`network:${network}`], tiers: [], text: null });
    expect(hits.length).toBeGreaterThan(1);
    const written = (hit: IndexHit) =>
      writeAnswer(
        { total: 1, page: 1, pageSize: 1 },
        [{ encoded: index.encodedHit('members', hit), summary: null, distanceKm: null }],
        '{}',
      ).toString();
    const afresh = (hit: IndexHit) =>
      writeAnswer(
        { total: 1, page: 1, pageSize: 1 },
        [{ encoded: hitPartsOf(hit.doc, index.shownLists(hit.doc)), summary: null, distanceKm: null }],
        '{}',
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
});
