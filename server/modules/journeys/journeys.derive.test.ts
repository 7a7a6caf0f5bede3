import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import { regionsOf } from '../directory/index.js';
import { ageBandOf, deriveRouteInput, genderBandOf, nationalityBandOf } from './journeys.derive.bands.js';
import { followAllCases } from './journeys.derive.js';
import type { Route } from './journeys.schemas.js';

interface Session {
  cookie: string;
}

const marker = `Canary${randomUUID().replaceAll('-', '').slice(0, 10)}`;

describe('journeys: a route derived from a case', () => {
  let t: TestApp;
  let orgA: string;
  let worker: Session;
  let analyst: Session;
  let outsider: Session;
  let moderator: Session;
  const db = () => t.database.db;
  /** Every journeys answer the case's organisation got: scanned for what must never leave the case. */
  const bodies: string[] = [];

  async function sessionIn(organisationId: string, role: Role): Promise<Session> {
    const m = await createMember(db(), { role, organisationId });
    return { cookie: (await signIn(db(), m.personId, { membershipId: m.membership.id })).cookie };
  }

  async function call(session: Session, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
    const response = await t.app.inject({
      method,
      url,
      headers: { cookie: session.cookie, 'accept-language': 'fr' },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    if (session !== moderator && url.startsWith('/api/journeys')) bodies.push(response.body);
    return response;
  }

  const region = (country: string) => regionsOf(country)[0]!.code;

  /** A case of A (opened by its caseworker) with recruitment in Viet Nam, transit in Laos, exploitation in Thailand. */
  async function caseWithEvents(): Promise<string> {
    const opened = await call(worker, 'POST', '/api/cases', {
      identity: { firstName: `${marker}First`, birthYear: 2008 },
      profile: { gender: 'Feminine', citizenships: ['VN'] },
      victim: {
        traffickingStatus: 'PossibleVictimOfTrafficking',
        exploitationTypes: ['ForcedLabour'],
        forcedLabourIndustry: 'C_Manufacturing',
        recruitmentMethods: ['ThroughOnlineSocialNetworks'],
        ageWhenTrafficked: 16,
      },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const caseId = opened.json<{ id: string }>().id;
    const events = [
      {
        type: 'Recruitment',
        country: 'VN',
        region: region('VN'),
        date: '2024-02-11',
        street: `${marker} street`,
      },
      { type: 'Transit', country: 'LA', date: '2024-04-03' },
      { type: 'Exploitation', country: 'TH', region: region('TH'), date: '2024-05-20', description: marker },
    ];
    for (const event of events) {
      const added = await call(worker, 'POST', `/api/cases/${caseId}/entries`, { kind: 'event', ...event });
      expect(added.statusCode, added.body).toBe(201);
    }
    return caseId;
  }

  async function consent(caseId: string, sections: string[], expiresOn?: string): Promise<string> {
    const response = await call(worker, 'POST', `/api/cases/${caseId}/consents`, {
      purpose: 'JourneyMap',
      sections,
      givenOn: '2025-01-01',
      ...(expiresOn ? { expiresOn } : {}),
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  }

  const derive = (session: Session, caseId: string) =>
    call(session, 'POST', `/api/journeys/cases/${caseId}/route`);

  /** People on the map's summary table for one country pair (all types and bands, whole years). */
  async function flowPeople(from: string, to: string): Promise<number> {
    const rows = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ people: number }>(
        tx,
        sql`select coalesce(sum(people), 0)::int as people from journeys_flows
            where level = 'country' and from_area = ${from} and to_area = ${to} and quarter = 0
              and exploitation_type = '*' and industry = '*' and nationality_band = '*'`,
      );
    });
    return rows[0]!.people;
  }

  async function routesOfCase(caseId: string): Promise<number> {
    const rows = await inTransaction(db(), async (tx) => {
      await setTenant(tx, orgA);
      return queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from journeys_routes where case_id = ${caseId}`,
      );
    });
    return rows[0]!.n;
  }

  async function validate(route: Route): Promise<void> {
    const decided = await call(moderator, 'POST', `/api/journeys/routes/${route.id}/decision`, {
      decision: 'validate',
      version: route.version,
    });
    expect(decided.statusCode, decided.body).toBe(200);
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    orgA = (await createOrganisation(db())).id;
    const orgB = (await createOrganisation(db())).id;
    worker = await sessionIn(orgA, 'caseworker');
    analyst = await sessionIn(orgA, 'analyst');
    outsider = await sessionIn(orgB, 'case_supervisor');
    const mod = await createPerson(db(), { platformRole: 'moderator', passkey: true });
    moderator = { cookie: (await signIn(db(), mod.id)).cookie };
  });
  afterAll(() => t.close());

  it('refuses without the survivor’s JourneyMap consent, with a localised reason, and writes nothing', async () => {
    const caseId = await caseWithEvents();
    const refused = await derive(worker, caseId);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      errors: [{ path: 'params.caseId', code: 'journeys.case_without_consent' }],
    });
    expect(refused.json<{ errors: Array<{ message: string }> }>().errors[0]!.message).toMatch(/consenti/);
    // Consent for another purpose, or for too few sections, is not consent for the map.
    await call(worker, 'POST', `/api/cases/${caseId}/consents`, {
      purpose: 'Research',
      sections: ['events', 'victim'],
      givenOn: '2025-01-01',
    });
    await consent(caseId, ['events']);
    expect((await derive(worker, caseId)).statusCode).toBe(409);
    expect(await routesOfCase(caseId)).toBe(0);
  });

  it('derives a coarse route in one action, once per case; another organisation cannot', async () => {
    const caseId = await caseWithEvents();
    await consent(caseId, ['events', 'victim', 'profile']);
    expect((await derive(outsider, caseId)).statusCode).toBe(404);
    expect((await derive(analyst, caseId)).statusCode).toBe(403);
    const first = await derive(worker, caseId);
    expect(first.statusCode, first.body).toBe(201);
    const route = first.json<Route>();
    expect(route).toMatchObject({
      status: 'pending',
      source: 'case',
      year: 2024,
      quarter: 1,
      exploitationTypes: ['ForcedLabour'],
      industry: 'C_Manufacturing',
      recruitmentMethod: 'ThroughOnlineSocialNetworks',
      people: 1,
      genderBand: 'female',
      ageBand: 'minor',
      nationalityBand: 'asia',
    });
    expect(route.origin).toMatchObject({ country: 'VN', region: region('VN'), placeId: null });
    expect(route.transits).toEqual([
      expect.objectContaining({ country: 'LA', region: null, borderCrossing: true }),
    ]);
    expect(route.exploitation).toEqual([
      expect.objectContaining({ country: 'TH', region: region('TH'), borderCrossing: true, placeId: null }),
    ]);
    // No double entry: deriving again gives the same route.
    const again = await derive(worker, caseId);
    expect(again.statusCode).toBe(200);
    expect(again.json<Route>().id).toBe(route.id);
    expect(await routesOfCase(caseId)).toBe(1);
    // Nothing the survivor or the caseworker typed, no day, ever comes back from the journeys module.
    expect(bodies.length).toBeGreaterThan(3);
    for (const body of bodies) {
      expect(body).not.toContain(marker);
      expect(body).not.toContain('2024-02-11');
    }
  });

  it('follows the case: a new event changes the route on the map; revoking the consent withdraws it', async () => {
    const caseId = await caseWithEvents();
    const consentId = await consent(caseId, ['events', 'victim']);
    const route = (await derive(worker, caseId)).json<Route>();
    expect(route.genderBand).toBe('unknown'); // the profile is not covered
    await validate(route);
    expect(await flowPeople('LA', 'TH')).toBe(1);

    // A second place of exploitation, in Malaysia: the validated route is counted again as it now is.
    const added = await call(worker, 'POST', `/api/cases/${caseId}/entries`, {
      kind: 'event',
      type: 'Exploitation',
      country: 'MY',
      date: '2024-09-01',
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(await flowPeople('TH', 'MY')).toBe(1);
    expect(await flowPeople('LA', 'TH')).toBe(1);
    const followed = await call(worker, 'GET', `/api/journeys/routes/${route.id}`);
    expect(followed.json<Route>()).toMatchObject({ status: 'validated', version: route.version + 2 });
    expect(followed.json<Route>().exploitation.map((stop) => stop.country)).toEqual(['TH', 'MY']);

    const revoked = await call(worker, 'POST', `/api/cases/${caseId}/consents/${consentId}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(await flowPeople('LA', 'TH')).toBe(0);
    expect(await flowPeople('TH', 'MY')).toBe(0);
    expect(await routesOfCase(caseId)).toBe(0);
    expect((await call(worker, 'GET', `/api/journeys/routes/${route.id}`)).statusCode).toBe(404);
    expect((await derive(worker, caseId)).statusCode).toBe(409);
  });

  it('withdraws the route when the consent expires (the hourly sweep)', async () => {
    const caseId = await caseWithEvents();
    const today = new Date().toISOString().slice(0, 10);
    await consent(caseId, ['events', 'victim'], '2099-12-31');
    const route = (await derive(worker, caseId)).json<Route>();
    await validate(route);
    expect(await flowPeople('VN', 'LA')).toBeGreaterThanOrEqual(1);
    const before = await flowPeople('VN', 'LA');
    // The consent lapses today (as if time had passed): no event says so, the sweep finds it.
    await inTransaction(db(), async (tx) => {
      await setTenant(tx, orgA);
      await tx.execute(
        sql`update cases_consents set expires_on = ${today}::date where case_id = ${caseId} and purpose = 'JourneyMap'`,
      );
    });
    const swept = await followAllCases(t.app.kernel);
    expect(swept.withdrawn).toBeGreaterThanOrEqual(1);
    expect(await flowPeople('VN', 'LA')).toBe(before - 1);
    expect(await routesOfCase(caseId)).toBe(0);
  });

  it('explains what a case lacks before it gives a route', async () => {
    const opened = await call(worker, 'POST', '/api/cases', {
      profile: { gender: 'Masculine', citizenships: [] },
      victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
    });
    const caseId = opened.json<{ id: string }>().id;
    await consent(caseId, ['events', 'victim']);
    const refused = await derive(worker, caseId);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ errors: [{ code: 'journeys.case_without_origin' }] });
    expect(await routesOfCase(caseId)).toBe(0);
  });
});

describe('journeys: deriving bands and places', () => {
  const facts = {
    organisationId: randomUUID(),
    openedOn: '2023-06-30',
    profile: { gender: null, citizenships: [] },
    victim: {
      exploitationTypes: ['SexualExploitation'],
      industry: null,
      recruitmentMethods: [],
      ageWhenTrafficked: null,
      recruitmentCountry: 'NG',
      exploitationCountry: 'IT',
    },
    events: [],
  };

  it('falls back to the victim context and the year the case was opened', () => {
    const derived = deriveRouteInput(facts, true);
    expect(derived).toMatchObject({
      input: {
        origin: { country: 'NG' },
        exploitation: [{ country: 'IT', borderCrossing: true }],
        transits: [],
        year: 2023,
        people: 1,
        genderBand: 'unknown',
        ageBand: 'unknown',
        nationalityBand: 'unknown',
      },
    });
    expect('input' in derived && derived.input.quarter).toBeUndefined();
  });

  it('keeps internal trafficking (recruited and exploited in one region) and drops cities and unknown regions', () => {
    const derived = deriveRouteInput(
      {
        ...facts,
        events: [
          { type: 'Exploitation', country: 'VN', region: 'VN.NOPE', date: '2022-11-02' },
          { type: 'Recruitment', country: 'VN', region: null, date: '2022-10-01' },
        ],
      },
      false,
    );
    expect(derived).toMatchObject({
      input: {
        origin: { country: 'VN' },
        exploitation: [{ country: 'VN', borderCrossing: false }],
        year: 2022,
        quarter: 4,
      },
    });
  });

  it('asks for what is missing', () => {
    expect(
      deriveRouteInput({ ...facts, victim: { ...facts.victim, recruitmentCountry: null } }, true),
    ).toEqual({
      problem: 'case_without_origin',
    });
    expect(
      deriveRouteInput({ ...facts, victim: { ...facts.victim, exploitationCountry: null } }, true),
    ).toEqual({
      problem: 'case_without_exploitation',
    });
    expect(deriveRouteInput({ ...facts, victim: { ...facts.victim, exploitationTypes: [] } }, true)).toEqual({
      problem: 'case_without_type',
    });
  });

  it('bands gender, age and nationality coarsely', () => {
    expect(['Feminine', 'TransgenderFeminine', 'Masculine', 'NonConforming', null].map(genderBandOf)).toEqual(
      ['female', 'female', 'male', 'other', 'unknown'],
    );
    expect([17, 18, null].map(ageBandOf)).toEqual(['minor', 'adult', 'unknown']);
    expect([['QA'], ['MX', 'VN'], ['DE'], ['NG'], ['FJ'], ['AQ'], []].map(nationalityBandOf)).toEqual([
      'asia',
      'americas',
      'europe',
      'africa',
      'oceania',
      'unknown',
      'unknown',
    ]);
  });
});
