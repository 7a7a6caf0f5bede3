import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../kernel/audit/audit.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { ensureDemoData } from '../../kernel/seed.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { identityModule, insertListedOrganisations } from '../identity/index.js';
import { directoryModule } from './index.js';
import type { Profile } from './directory.profiles.schemas.js';
import { demoOrganisationCount, storeSyntheticProfiles } from './directory.seed.js';
import { storeProfile } from './directory.profiles.service.js';
import { syntheticOrganisations } from './directory.synthetic.js';

describe('directory demo data', () => {
  let t: TestApp;
  let accounts: Awaited<ReturnType<typeof ensureDemoData>>;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    const started = performance.now();
    accounts = await ensureDemoData(t.app.kernel, [identityModule, directoryModule]);
    // Reported, not asserted: budgets belong to benchmarks (npm start must stay well under a minute).
    console.warn(`identity + directory demo data: ${Math.round(performance.now() - started)} ms`);
  }, 300_000);
  afterAll(() => t.close());

  const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
    queryRows<T>(t.database.db, query);

  it('lists more than a thousand organisations in at least 115 countries, publicly searchable', async () => {
    expect(accounts.created).toBe(true);
    const [listed] = await rows<{ count: number }>(
      sql`select count(*)::int as count from identity_organisations where referee = 'demo data' and status = 'active'`,
    );
    expect(listed!.count).toBe(demoOrganisationCount);
    const [publicRows] = await rows<{ count: number; countries: number }>(sql`
      select count(*)::int as count,
        (select count(distinct tag)::int from directory_search_entries, unnest(tags) as tag
          where audience = 'public' and tag like 'country:%') as countries
      from directory_search_entries where audience = 'public'`);
    expect(publicRows!.count).toBeGreaterThanOrEqual(1000);
    expect(publicRows!.countries).toBeGreaterThanOrEqual(115);
    const [members] = await rows<{ count: number }>(
      sql`select count(*)::int as count from directory_search_entries where audience = 'members'`,
    );
    // Unlisted profiles are found by members only.
    expect(members!.count).toBeGreaterThan(publicRows!.count);
  });

  it('indexes descriptions in many languages and names in their scripts', async () => {
    const [khmer] = await rows<{ count: number }>(
      sql`select count(*)::int as count from directory_search_entries where audience = 'public' and names_folded ~ '[\u1780-\u17ff]'`,
    );
    expect(khmer!.count).toBeGreaterThan(0);
    const [swahili] = await rows<{ count: number }>(sql`
      select count(*)::int as count from directory_search_entries
      where audience = 'public' and document @@ to_tsquery('simple', 'usafirishaji & haramu')`);
    expect(swahili!.count).toBeGreaterThan(0);
  });

  it('gives the identity demo organisations complete profiles, hiding what they hide', async () => {
    const [tumaini] = await rows<{ id: string }>(
      sql`select id from identity_organisations where name = 'Tumaini Safe Homes (demo)'`,
    );
    const response = await t.app.inject({ url: `/api/directory/organisations/${tumaini!.id}` });
    expect(response.statusCode, response.body).toBe(200);
    const profile = response.json<Profile>();
    expect(profile.services).toContain('shelter');
    expect(profile.descriptions?.map((d) => d.language)).toEqual(['en', 'sw']);
    expect(profile.hideExactLocation).toBe(true);
    // Offices are members-only, and this shelter hides where it is.
    expect(profile.offices).toBeUndefined();
    expect(JSON.stringify(profile)).not.toContain('Mombasa');
    // The pending application has a profile waiting, but no active search rows until it is approved.
    const [pending] = await rows<{ entries: number; profiles: number }>(sql`
      select (select count(*)::int from directory_search_entries e where e.organisation_id = o.id and e.active) as entries,
             (select count(*)::int from directory_profiles p where p.organisation_id = o.id) as profiles
      from identity_organisations o where o.name = 'Sahel Shelter Collective (demo application)'`);
    expect(pending).toEqual({ entries: 0, profiles: 1 });
  });

  it('writes synthetic profiles in bulk exactly as the profile editor would', async () => {
    const sample = syntheticOrganisations(99, 12);
    const now = Date.UTC(2026, 0, 15);
    const [bulk, edited] = await inTransaction(t.database.db, async (tx) => {
      const listed = sample.map((s) => s.organisation);
      const a = await insertListedOrganisations(tx, listed, { referee: 'test', auditEach: false });
      const b = await insertListedOrganisations(tx, listed, { referee: 'test', auditEach: false });
      await storeSyntheticProfiles(tx, a, sample, now);
      for (const [i, id] of b.entries()) {
        const at = new Date(now - sample[i]!.updatedDaysAgo * 86_400_000);
        await storeProfile(tx, id, sample[i]!.profile, { personId: null, now: at });
      }
      return [a, b];
    });
    const snapshot = async (ids: string[]) =>
      Promise.all(
        ids.map(async (id) => ({
          entries: await rows(sql`
            select audience, active, tier, type, name, names_folded, tags,
                   -- Positions depend on the order of offices, which storeProfile leaves to chance.
                   (select array_agg(lexeme || ':' || array_to_string(weights, '') order by lexeme)
                      from unnest(document)) as lexemes,
                   countries, regions, summaries, latitude, longitude, updated_at
            from directory_search_entries where organisation_id = ${id} order by audience`),
          profile: await rows(sql`
            select other_names, descriptions, focus, services, populations, exploitation_types, industries,
                   countries, regions, languages, hotlines, networks, website, contacts, visibility, listed,
                   hide_exact_location, updated_at
            from directory_profiles where organisation_id = ${id}`),
          offices: await rows(sql`
            select label, place_name, country, region, latitude, longitude, street, postal_code, phone, is_main
            from directory_offices where organisation_id = ${id} order by is_main desc, place_name`),
        })),
      );
    const expected = await snapshot(edited);
    expect(expected.every((e) => e.entries.length > 0 && e.offices.length > 0)).toBe(true);
    expect(await snapshot(bulk)).toEqual(expected);
  });

  it('creates no accounts of its own and keeps the audit chain whole', async () => {
    const again = await ensureDemoData(t.app.kernel, [identityModule]);
    expect(again.accounts).toEqual(accounts.accounts);
    expect(accounts.accounts.every((a) => a.email.endsWith('@demo.cairn'))).toBe(true);
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true });
  });
});
