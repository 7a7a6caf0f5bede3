import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import { nameBands } from './matching.blind.js';
import { rescreenOrganisation } from './matching.rescreen.js';
import type { LookupResult, Match, Subject } from './matching.schemas.js';

interface Session {
  cookie: string;
  personId: string;
}

/** Made-up selectors; every one is searched for afterwards in every matching table and in the audit trail. */
const secrets = {
  phoneNational: '0912 345 678',
  phoneInternational: '+84 91 234 5678',
  phoneDigits: '912345678',
  passport: 'C7788123',
  name: 'Tran Van Baoquoc',
  nameTypo: 'Tran Van Baoquocs',
  email: 'recruiter.zed@example.org',
  title: 'Operation Kestrel-Canary-7731',
};

describe('matching: lookups, registered investigations and the matches inbox', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let orgBName: string;
  let investigatorA: Session;
  let supervisorB: Session;
  let adminB: Session;
  let caseworkerA: Session;
  const bodiesOfB: string[] = [];

  const db = () => t.database.db;

  async function sessionIn(organisationId: string, role: Role): Promise<Session> {
    const person = await createPerson(db(), { passkey: role !== 'member' });
    const m = await createMember(db(), { role, organisationId, personId: person.id });
    const { cookie } = await signIn(db(), m.personId, { membershipId: m.membership.id });
    return { cookie, personId: m.personId };
  }

  async function call(
    session: Session,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) {
    const response = await t.app.inject({
      method,
      url,
      headers: { cookie: session.cookie, ...headers },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    if (session === supervisorB || session === adminB) bodiesOfB.push(response.body);
    return response;
  }

  async function register(session: Session, body: Record<string, unknown>): Promise<Subject> {
    const response = await call(session, 'POST', '/api/matching/subjects', body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json<Subject>();
  }

  async function inbox(session: Session, status?: string): Promise<Match[]> {
    const response = await call(session, 'GET', `/api/matching/matches${status ? `?status=${status}` : ''}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ items: Match[] }>().items;
  }

  beforeAll(async () => {
    t = await createTestApp({
      env: { CAIRN_RATE_LIMIT_MAX: '100000', CAIRN_MATCHING_LOOKUPS_PER_PERSON: '6' },
    });
    orgA = (await createOrganisation(db(), { type: 'law_enforcement' })).id;
    orgBName = `Shelter network ${Date.now()}`;
    orgB = (await createOrganisation(db(), { name: orgBName })).id;
    investigatorA = await sessionIn(orgA, 'investigator');
    caseworkerA = await sessionIn(orgA, 'caseworker');
    supervisorB = await sessionIn(orgB, 'case_supervisor');
    adminB = await sessionIn(orgB, 'org_admin');
  });
  afterAll(() => t.close());

  it('finds the same phone written two ways, in both inboxes, revealing only the kind and the organisation', async () => {
    const a = await register(investigatorA, {
      kind: 'investigation',
      title: secrets.title,
      selectors: [
        { type: 'phone', number: secrets.phoneNational, defaultCountry: 'VN' },
        { type: 'identity_document', number: secrets.passport, issuingCountry: 'VN' },
      ],
    });
    expect(a.matches).toBe(0);
    expect(a.title).toBe(secrets.title);
    const b = await register(supervisorB, {
      kind: 'investigation',
      title: 'Our recruiter file',
      selectors: [{ type: 'phone', number: secrets.phoneInternational }],
    });
    expect(b.matches).toBe(1);

    const [ofB] = await inbox(supervisorB);
    expect(ofB).toMatchObject({
      matchType: 'phone',
      status: 'new',
      agreedByUs: false,
      agreedByThem: false,
      subject: { id: b.id, title: 'Our recruiter file' },
      abilities: { agree: true, dismiss: true, resolve: false },
    });
    expect(ofB!.otherOrganisation.id).toBe(orgA);
    const ofA = (await inbox(investigatorA)).find((m) => m.id === ofB!.id);
    expect(ofA).toMatchObject({ matchType: 'phone', subject: { id: a.id, title: secrets.title } });
    expect(ofA!.otherOrganisation).toEqual({ id: orgB, name: orgBName });
    // B never sees A's title, subject or selectors.
    expect(bodiesOfB.join('\n')).not.toContain(secrets.title);
    expect(bodiesOfB.join('\n')).not.toContain(a.id);
  });

  it('connects only once both sides agree, then each side resolves on its own', async () => {
    const match = (await inbox(supervisorB, 'new')).find((m) => m.matchType === 'phone')!;
    const agreedB = await call(supervisorB, 'POST', `/api/matching/matches/${match.id}/actions`, {
      action: 'agree',
    });
    expect(agreedB.json<Match>()).toMatchObject({ status: 'new', agreedByUs: true, agreedByThem: false });
    expect(
      (await call(supervisorB, 'POST', `/api/matching/matches/${match.id}/actions`, { action: 'agree' }))
        .statusCode,
    ).toBe(409);
    expect(
      (await call(supervisorB, 'POST', `/api/matching/matches/${match.id}/actions`, { action: 'resolve' }))
        .statusCode,
    ).toBe(409);
    const agreedA = await call(investigatorA, 'POST', `/api/matching/matches/${match.id}/actions`, {
      action: 'agree',
    });
    expect(agreedA.json<Match>()).toMatchObject({
      status: 'in_contact',
      agreedByUs: true,
      agreedByThem: true,
    });
    expect((await inbox(supervisorB, 'in_contact')).map((m) => m.id)).toContain(match.id);
    const resolved = await call(supervisorB, 'POST', `/api/matching/matches/${match.id}/actions`, {
      action: 'resolve',
    });
    expect(resolved.json<Match>()).toMatchObject({
      status: 'resolved',
      abilities: { agree: false, dismiss: false, resolve: false },
    });
    expect((await call(investigatorA, 'GET', `/api/matching/matches/${match.id}`)).json<Match>().status).toBe(
      'in_contact',
    );
    // Another organisation's match does not exist for a third party.
    const outsider = await sessionIn((await createOrganisation(db())).id, 'case_supervisor');
    expect((await call(outsider, 'GET', `/api/matching/matches/${match.id}`)).statusCode).toBe(404);
  });

  it('matches a misspelt name within the same birth year by its keyed Bloom filter, never across years', async () => {
    await register(investigatorA, {
      kind: 'investigation',
      title: 'Names A',
      selectors: [{ type: 'person', name: secrets.name, birthYear: 1991 }],
    });
    const other = await register(supervisorB, {
      kind: 'investigation',
      title: 'Names B',
      selectors: [{ type: 'person', name: secrets.nameTypo, birthYear: 1991 }],
    });
    const fuzzy = (await inbox(supervisorB)).filter((m) => m.subject.id === other.id);
    expect(fuzzy.map((m) => m.matchType)).toEqual(['person_name_fuzzy']);
    // The Dice score is kept for tuning but not shown: neither side learns how alike the other's spelling is.
    expect(fuzzy[0]).not.toHaveProperty('score');
    const [stored] = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ score: number }>(
        tx,
        sql`select score from matching_matches where id = ${fuzzy[0]!.id}`,
      );
    });
    expect(stored!.score).toBeGreaterThanOrEqual(0.74);
    const otherYear = await register(supervisorB, {
      kind: 'investigation',
      title: 'Names B, other year',
      selectors: [{ type: 'person', name: secrets.nameTypo, birthYear: 1992 }],
    });
    expect(otherYear.matches).toBe(0);
  });

  it('finds exact selectors and misspelt names only at open subjects of active organisations', async () => {
    // Two organisations of their own, so the quotas the other tests spend are not touched.
    const orgC = (await createOrganisation(db())).id;
    const orgD = (await createOrganisation(db(), { type: 'law_enforcement' })).id;
    const supervisorC = await sessionIn(orgC, 'case_supervisor');
    const investigatorD = await sessionIn(orgD, 'investigator');
    const held = await register(supervisorC, {
      kind: 'investigation',
      title: 'Held by C',
      selectors: [
        { type: 'phone', number: '+254 733 410 592' },
        { type: 'person', name: 'Amani Wanjiru Otieno', birthYear: 1975 },
      ],
    });
    const probe = {
      kind: 'investigation',
      title: 'Probe of D',
      selectors: [
        { type: 'phone', number: '0733 410592', defaultCountry: 'KE' },
        { type: 'person', name: 'Amani Wanjiru Otienoz', birthYear: 1975 },
      ],
    };
    const found = await register(investigatorD, probe);
    expect(found.matches).toBe(2);
    expect((await inbox(investigatorD)).map((m) => m.matchType).sort()).toEqual([
      'person_name_fuzzy',
      'phone',
    ]);

    const setStatus = (status: string) =>
      inTransaction(db(), async (tx) => {
        await setPlatformScope(tx);
        await tx.execute(sql`update identity_organisations set status = ${status} where id = ${orgC}`);
      });
    await setStatus('suspended');
    expect((await register(investigatorD, probe)).matches).toBe(0);
    await setStatus('active');
    expect((await register(investigatorD, probe)).matches).toBe(2);

    const closed = await call(supervisorC, 'POST', `/api/matching/subjects/${held.id}/close`);
    expect(closed.json<Subject>().status, closed.body).toBe('closed');
    expect((await register(investigatorD, probe)).matches).toBe(0);
  });

  it('alerts both owners when operations meet in place and time, and a closed subject stops taking part', async () => {
    const a = await register(investigatorA, {
      kind: 'operation',
      title: 'Raid planning',
      country: 'KE',
      region: 'KE.19',
      windowStart: '2027-01-10',
      windowEnd: '2027-01-20',
      selectors: [],
    });
    const b = await register(supervisorB, {
      kind: 'operation',
      title: 'Outreach week',
      country: 'KE',
      windowStart: '2027-01-18',
      windowEnd: '2027-01-25',
      selectors: [],
    });
    expect(b.matches).toBe(1);
    expect(
      (await inbox(investigatorA)).some((m) => m.subject.id === a.id && m.matchType === 'place_time'),
    ).toBe(true);
    const later = await register(supervisorB, {
      kind: 'operation',
      title: 'Later week',
      country: 'KE',
      windowStart: '2027-02-01',
      windowEnd: '2027-02-05',
      selectors: [],
    });
    expect(later.matches).toBe(0);
    expect(
      (await call(investigatorA, 'POST', `/api/matching/subjects/${a.id}/close`)).json<Subject>().status,
    ).toBe('closed');
    const again = await register(supervisorB, {
      kind: 'operation',
      title: 'Overlapping again',
      country: 'KE',
      windowStart: '2027-01-12',
      windowEnd: '2027-01-13',
      selectors: [],
    });
    expect(again.matches).toBe(0);
  });

  it('refuses weak or malformed lookups with localised field errors, and finds by a strong selector', async () => {
    const weak = await call(
      investigatorA,
      'POST',
      '/api/matching/lookups',
      { selectors: [{ type: 'email', address: secrets.email }] },
      { 'accept-language': 'fr' },
    );
    expect(weak.statusCode).toBe(400);
    const weakBody = weak.json<{ errors: { path: string; code: string; message: string }[] }>();
    expect(weakBody.errors[0]).toMatchObject({
      path: 'body.selectors',
      code: 'matching.needs_two_attributes_or_strong_selector',
    });
    expect(weakBody.errors[0]!.message).toContain('vérification');
    expect(weak.body).not.toContain(secrets.email);

    const bad = await call(investigatorA, 'POST', '/api/matching/lookups', {
      selectors: [
        { type: 'phone', number: '12', defaultCountry: 'VN' },
        { type: 'person', name: 'Baoquoc', birthYear: 1991 },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad.json<{ errors: { path: string; code: string }[] }>().errors.map((e) => [e.path, e.code]),
    ).toEqual([
      ['body.selectors.0', 'matching.phone_invalid'],
      ['body.selectors.1', 'matching.bare_first_name'],
    ]);

    const found = await call(investigatorA, 'POST', '/api/matching/lookups', {
      selectors: [{ type: 'phone', number: secrets.phoneInternational }],
    });
    expect(found.statusCode, found.body).toBe(200);
    const result = found.json<LookupResult>();
    expect(result.hits).toEqual([{ matchType: 'phone', organisation: { id: orgB, name: orgBName } }]);
  });

  it('lets an organisation opt out per kind, both ways', async () => {
    const off = await call(adminB, 'PUT', '/api/matching/participation', {
      types: [{ type: 'phone', enabled: false }],
    });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json<{ types: { type: string; enabled: boolean }[] }>().types).toContainEqual({
      type: 'phone',
      enabled: false,
    });
    const lookupA = await call(investigatorA, 'POST', '/api/matching/lookups', {
      selectors: [{ type: 'phone', number: secrets.phoneInternational }],
    });
    expect(lookupA.json<LookupResult>().hits).toEqual([]);
    const lookupB = await call(supervisorB, 'POST', '/api/matching/lookups', {
      selectors: [{ type: 'phone', number: secrets.phoneInternational }],
    });
    expect(lookupB.statusCode).toBe(400);
    expect(lookupB.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'matching.type_not_participating',
    );
    await call(adminB, 'PUT', '/api/matching/participation', { types: [{ type: 'phone', enabled: true }] });
    const back = await call(investigatorA, 'POST', '/api/matching/lookups', {
      selectors: [{ type: 'phone', number: secrets.phoneInternational }],
    });
    expect(back.json<LookupResult>().hits).toHaveLength(1);
  });

  it('counts lookups and registrations against the quota, and shows the organisation who looked up what kinds', async () => {
    const lookupOnce = () =>
      call(investigatorA, 'POST', '/api/matching/lookups', {
        selectors: [{ type: 'identity_document', number: secrets.passport, issuingCountry: 'VN' }],
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await lookupOnce()).statusCode);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = await lookupOnce();
    expect(limited.statusCode).toBe(429);
    expect(limited.json<{ code: string }>().code).toBe('rate_limited');

    const audit = await call(adminB, 'GET', '/api/matching/lookups');
    expect(audit.statusCode).toBe(200);
    const items = audit.json<{
      items: { person: { id: string }; purpose: string; selectorTypes: string[] }[];
    }>().items;
    expect(items.some((i) => i.person.id === supervisorB.personId && i.purpose === 'register')).toBe(true);
    expect(items.every((i) => i.person.id !== investigatorA.personId)).toBe(true);
  });

  it('answers a retried registration with the same Idempotency-Key from the stored answer', async () => {
    const screener = await sessionIn(orgA, 'investigator');
    const body = {
      kind: 'investigation',
      title: 'Retried',
      selectors: [{ type: 'phone', number: '+254 733 100 200' }],
    };
    const headers = { 'idempotency-key': 'matching-retry-0001' };
    const first = await call(screener, 'POST', '/api/matching/subjects', body, headers);
    expect(first.statusCode, first.body).toBe(201);
    const again = await call(screener, 'POST', '/api/matching/subjects', body, headers);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json<Subject>().id).toBe(first.json<Subject>().id);
    const mine = (await call(screener, 'GET', '/api/matching/subjects')).json<{ items: Subject[] }>().items;
    expect(mine.filter((s) => s.title === 'Retried')).toHaveLength(1);
  });

  it('re-screens an organisation that opts back in, recording each pair once', async () => {
    const screenerA = await sessionIn(orgA, 'investigator');
    const screenerB = await sessionIn(orgB, 'case_supervisor');
    const account = { type: 'bank_account', account: 'GB82 WEST 1234 5698 7654 32' };
    const b = await register(screenerB, { kind: 'investigation', title: 'Accounts B', selectors: [account] });
    await call(adminB, 'PUT', '/api/matching/participation', {
      types: [{ type: 'bank_account', enabled: false }],
    });
    const a = await register(screenerA, { kind: 'investigation', title: 'Accounts A', selectors: [account] });
    expect(a.matches).toBe(0);
    await call(adminB, 'PUT', '/api/matching/participation', {
      types: [{ type: 'bank_account', enabled: true }],
    });
    await t.app.kernel.jobs.runDue();
    const found = (await inbox(screenerB)).filter((m) => m.subject.id === b.id);
    expect(found.map((m) => [m.matchType, m.otherOrganisation.id])).toEqual([['bank_account', orgA]]);
    expect((await rescreenOrganisation(t.app.kernel, orgB)).matches).toBe(0);
    expect((await rescreenOrganisation(t.app.kernel, orgA)).matches).toBe(0);
  });

  it('re-screens names: a misspelt name meets by its filter, the same name by its exact selector alone', async () => {
    // Two organisations of their own, so the quotas the other tests spend are not touched.
    const orgE = (await createOrganisation(db())).id;
    const orgF = (await createOrganisation(db(), { type: 'law_enforcement' })).id;
    const supervisorE = await sessionIn(orgE, 'case_supervisor');
    const investigatorF = await sessionIn(orgF, 'investigator');
    const adminF = await sessionIn(orgF, 'org_admin');
    const takePersons = async (enabled: boolean) => {
      const response = await call(adminF, 'PUT', '/api/matching/participation', {
        types: [{ type: 'person', enabled }],
      });
      expect(response.statusCode, response.body).toBe(200);
    };
    const person = (title: string, name: string, birthYear: number) => ({
      kind: 'investigation',
      title,
      selectors: [{ type: 'person', name, birthYear }],
    });
    await register(investigatorF, person('Same name F', 'Zawadi Njeri Kamau', 1988));
    await register(investigatorF, person('Misspelt F', 'Halima Chebet Wekesaz', 1979));
    await takePersons(false);
    const same = await register(supervisorE, person('Same name E', 'Zawadi Njeri Kamau', 1988));
    const misspelt = await register(supervisorE, person('Spelt right E', 'Halima Chebet Wekesa', 1979));
    expect(same.matches + misspelt.matches).toBe(0);
    await takePersons(true);
    await t.app.kernel.jobs.runDue();
    const found = (await inbox(investigatorF)).map((m) => [m.subject.title, m.matchType]);
    expect(found.sort()).toEqual([
      ['Misspelt F', 'person_name_fuzzy'],
      ['Same name F', 'person_name_birth_year'],
    ]);
    expect((await rescreenOrganisation(t.app.kernel, orgE)).matches).toBe(0);
  });

  it('re-screens two organisations at once, writing each pair once; a subject deleted by hand takes its matches', async () => {
    const screenerA = await sessionIn(orgA, 'investigator');
    const screenerB = await sessionIn(orgB, 'case_supervisor');
    const selectors = [
      { type: 'vehicle_plate', plate: 'KDA 417Q', country: 'KE' },
      { type: 'email', address: 'plates.broker@example.org' },
    ];
    const a = await register(screenerA, { kind: 'investigation', title: 'Plates A', selectors });
    const b = await register(screenerB, { kind: 'investigation', title: 'Plates B', selectors });
    expect(b.matches).toBe(2);
    const pairRows = () =>
      inTransaction(db(), async (tx) => {
        await setPlatformScope(tx);
        return queryRows<{ type: string }>(
          tx,
          sql`select selector_type as type from matching_matches
              where (low_subject_id, high_subject_id) in ((${a.id}::uuid, ${b.id}::uuid), (${b.id}::uuid, ${a.id}::uuid))
              order by selector_type`,
        );
      });
    expect((await pairRows()).map((row) => row.type)).toEqual(['email', 'vehicle_plate']);
    // Forget the two matches, then re-screen both organisations side by side (two jobs of the queue): on
    // PostgreSQL the two transactions meet on the same pairs; one writes them, the other finds them written.
    await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      await tx.execute(
        sql`delete from matching_matches where low_subject_id in (${a.id}::uuid, ${b.id}::uuid)`,
      );
    });
    expect(await pairRows()).toEqual([]);
    const [fromA, fromB] = await Promise.all([
      rescreenOrganisation(t.app.kernel, orgA),
      rescreenOrganisation(t.app.kernel, orgB),
    ]);
    expect(fromA.matches + fromB.matches).toBe(2);
    expect((await pairRows()).map((row) => row.type)).toEqual(['email', 'vehicle_plate']);

    // The matches hold no foreign keys (docs/matching.md); deleting a subject still removes its matches.
    await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      await tx.execute(sql`delete from matching_subjects where id = ${b.id}`);
    });
    expect(await pairRows()).toEqual([]);
    expect((await inbox(screenerA)).some((m) => m.subject.id === a.id)).toBe(false);
  });

  it('still finds a selector and a misspelt name after the matching key is rotated and the old key destroyed', async () => {
    const screener = await sessionIn(orgA, 'case_supervisor');
    const lookupPhone = async () =>
      (
        await call(screener, 'POST', '/api/matching/lookups', {
          selectors: [{ type: 'phone', number: secrets.phoneInternational }],
        })
      ).json<LookupResult>().hits;
    expect(await lookupPhone()).toHaveLength(1);
    const keys = t.app.kernel.keys;
    const rotation = await keys.rotateBlindIndexKey('matching');
    let progress = await keys.runRotation(rotation.rotationId);
    while (progress.state === 'running') progress = await keys.runRotation(rotation.rotationId);
    expect(progress.state).toBe('done');
    const destroyed = await keys.destroyRetiredKeys({ purpose: 'matching' });
    expect(destroyed.destroyed.length).toBeGreaterThan(0);
    const indexes = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ v: string }>(
        tx,
        sql`select distinct split_part(blind_index, '.', 1) as v from matching_selectors`,
      );
    });
    expect(indexes.map((row) => row.v)).toEqual([`b${rotation.toVersion}`]);
    expect(await lookupPhone()).toEqual([{ matchType: 'phone', organisation: { id: orgB, name: orgBName } }]);
    // The names' keyed Bloom filters were re-encoded under the new key too: a misspelt name still meets B's.
    const versions = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ v: number }>(tx, sql`select distinct key_version as v from matching_names`);
    });
    expect(versions.map((row) => row.v)).toEqual([rotation.toVersion]);
    const byName = await call(screener, 'POST', '/api/matching/lookups', {
      selectors: [{ type: 'person', name: secrets.name, birthYear: 1991 }],
    });
    expect(byName.statusCode, byName.body).toBe(200);
    expect(byName.json<LookupResult>().hits).toContainEqual({
      matchType: 'person_name_fuzzy',
      organisation: { id: orgB, name: orgBName },
    });
  });

  it('computes the same candidate band keys in the database as matching.blind.ts does', async () => {
    const rows = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ block: string; filter: string; bands: number[] }>(
        tx,
        sql`select block, filter::text as filter, bands from matching_names`,
      );
    });
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      expect(row.bands).toHaveLength(16);
      expect(row.bands).toEqual(nameBands(row.block, row.filter));
    }
    // A filter one bit away keeps most keys, a different block none.
    const [first] = rows;
    const flipped = `${first!.filter[0] === '1' ? '0' : '1'}${first!.filter.slice(1)}`;
    const near = nameBands(first!.block, flipped);
    expect(near.filter((key, i) => key === first!.bands[i]).length).toBe(15);
    const other = nameBands(`${first!.block}x`, first!.filter);
    expect(other.some((key) => first!.bands.includes(key))).toBe(false);
  });

  it('keeps caseworkers out, and never stores or audits a selector in plaintext (canary scan)', async () => {
    expect((await call(caseworkerA, 'GET', '/api/matching/matches')).statusCode).toBe(403);
    const dump = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      const rows = await queryRows<{ t: string }>(
        tx,
        sql`select concat_ws(' ', (select string_agg(m::text, ' ') from matching_subjects m),
                                  (select string_agg(m::text, ' ') from matching_selectors m),
                                  (select string_agg(m::text, ' ') from matching_names m),
                                  (select string_agg(m::text, ' ') from matching_matches m),
                                  (select string_agg(m::text, ' ') from matching_lookups m),
                                  (select string_agg(a.details::text, ' ') from kernel_audit a where a.action like 'matching.%')) as t`,
      );
      return rows[0]!.t;
    });
    expect(dump.length).toBeGreaterThan(1000);
    for (const value of [
      secrets.phoneDigits,
      secrets.passport,
      'baoquoc',
      'Baoquoc',
      secrets.email,
      'Kestrel',
      'Raid planning',
    ])
      expect(dump).not.toContain(value);
  });
});
