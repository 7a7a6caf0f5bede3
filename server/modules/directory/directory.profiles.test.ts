import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createProfile } from '../../test/directory.js';
import { createMember, signIn } from '../../test/factories.js';
import { searchPlaces } from './directory.gazetteer.js';
import type { Profile } from './directory.profiles.schemas.js';

describe('directory profiles: visibility field by field', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
  });
  afterAll(() => t.close());
  const db = () => t.database.db;
  const mombasa = () => searchPlaces('Mombasa', { country: 'KE' })[0]!;

  async function sessionFor(organisationId: string, role: 'member' | 'org_admin' = 'member') {
    const m = await createMember(db(), { role, organisationId });
    return (await signIn(db(), m.personId, { membershipId: m.membership.id })).cookie;
  }

  it('saves a profile as the organisation’s admin and shows each reader only their fields', async () => {
    const { organisationId } = await createProfile(db(), { organisation: { countries: ['KE'] } });
    const admin = await sessionFor(organisationId, 'org_admin');
    const saved = await t.app.inject({
      method: 'PUT',
      url: `/api/directory/organisations/${organisationId}`,
      headers: { cookie: admin },
      payload: {
        otherNames: ['Pwani Msaada', 'بيت الأمان'],
        descriptions: [{ language: 'en', short: 'Shelter for boys on the coast', long: 'Safe housing.' }],
        services: ['shelter', 'legal_aid'],
        populations: ['boys', 'children_12_17'],
        countries: ['KE'],
        regions: ['KE.37'],
        offices: [{ label: 'Head office', placeId: mombasa().id, street: '12 Moi Avenue' }],
        languages: ['sw', 'en'],
        hotlines: [{ channel: 'whatsapp', number: '+254700000001', hours: '24/7', languages: ['sw'] }],
        contacts: [{ label: 'Intake', email: 'intake@example.org' }],
        visibility: { contacts: 'partners', offices: 'members' },
        hideExactLocation: true,
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<Profile>().visibility?.contacts).toBe('partners');
    // Its own people see the exact office.
    expect(saved.json<Profile>().offices?.[0]).toMatchObject({
      placeName: 'Mombasa',
      street: '12 Moi Avenue',
    });

    const anonymous = (
      await t.app.inject({ url: `/api/directory/organisations/${organisationId}` })
    ).json<Profile>();
    expect(anonymous.services).toEqual(['shelter', 'legal_aid']);
    expect(anonymous.offices).toBeUndefined();
    expect(anonymous.contacts).toBeUndefined();
    expect(anonymous.visibility).toBeUndefined();

    const other = await createProfile(db());
    const member = (
      await t.app.inject({
        url: `/api/directory/organisations/${organisationId}`,
        headers: { cookie: await sessionFor(other.organisationId) },
      })
    ).json<Profile>();
    // SECURITY: the location is hidden, so members get the region and country, never the place or point.
    expect(member.offices?.[0]).toMatchObject({
      placeName: null,
      latitude: null,
      longitude: null,
      street: null,
      country: 'KE',
      region: 'KE.37',
    });
    expect(member.contacts).toBeUndefined();
    expect(JSON.stringify(member)).not.toContain('Moi Avenue');
    expect(JSON.stringify(member)).not.toContain(String(mombasa().latitude));
  });

  it('keeps partners-only fields out of every search row and public-hidden fields out of the public row', async () => {
    const { organisationId } = await createProfile(db(), {
      profile: {
        services: ['shelter'],
        networks: ['Coastal Alliance'],
        languages: ['vi'],
        visibility: { services: 'members', languages: 'partners' },
      },
    });
    const rows = await queryRows<{ audience: string; tags: string[] }>(
      db(),
      sql`select audience, tags from directory_search_entries where organisation_id = ${organisationId} order by audience`,
    );
    expect(rows.map((r) => r.audience)).toEqual(['members', 'public']);
    const [members, pub] = rows;
    expect(members!.tags).toContain('service:shelter');
    expect(pub!.tags).not.toContain('service:shelter');
    expect(members!.tags.some((tag) => tag.startsWith('language:'))).toBe(false);
    // Networks default to members.
    expect(pub!.tags.some((tag) => tag.startsWith('network:'))).toBe(false);
  });

  it('refuses another organisation’s admin, and names bad fields in the error', async () => {
    const { organisationId } = await createProfile(db());
    const other = await createProfile(db());
    const stranger = await sessionFor(other.organisationId, 'org_admin');
    const refused = await t.app.inject({
      method: 'PUT',
      url: `/api/directory/organisations/${organisationId}`,
      headers: { cookie: stranger },
      payload: { countries: ['KE'] },
    });
    expect(refused.statusCode).toBe(404);

    const admin = await sessionFor(organisationId, 'org_admin');
    const bad = await t.app.inject({
      method: 'PUT',
      url: `/api/directory/organisations/${organisationId}`,
      headers: { cookie: admin, 'accept-language': 'fr' },
      payload: { countries: ['ZZ'], languages: ['xx'], offices: [{ label: 'X', placeId: 99_999_999 }] },
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json<{ errors: Array<{ path: string }> }>().errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.countries.0', 'body.languages.0']));
  });
});
