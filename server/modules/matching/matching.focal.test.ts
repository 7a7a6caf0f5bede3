import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import type { Match, OrganisationQuotas, Participation, PlatformQuotaList } from './matching.schemas.js';

interface Session {
  cookie: string;
  personId: string;
  email: string;
}

/**
 * The focal point an organisation names for matching (contacted through Cairn, no address shown), the quotas
 * its members see and platform admins change, and the lookup list every member reads.
 */
describe('matching: focal points, quotas and the lookup list', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let orgC: string;
  let investigatorA: Session;
  let memberA: Session;
  let adminA: Session;
  let supervisorB: Session;
  let adminB: Session;
  let caseworkerB: Session;
  let investigatorC: Session;
  let platformAdmin: Session;
  let matchId: string;

  const db = () => t.database.db;

  async function sessionIn(organisationId: string, role: Role, name?: string): Promise<Session> {
    const person = await createPerson(db(), {
      passkey: role !== 'member',
      ...(name ? { displayName: name } : {}),
    });
    const m = await createMember(db(), { role, organisationId, personId: person.id });
    const { cookie } = await signIn(db(), m.personId, { membershipId: m.membership.id });
    return { cookie, personId: m.personId, email: person.email };
  }

  async function call(session: Session, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
    return t.app.inject({
      method,
      url,
      headers: { cookie: session.cookie },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  async function auditActions(organisationId: string, prefix: string) {
    return inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ action: string; details: unknown; object_id: string | null }>(
        tx,
        sql`select action, details, object_id from kernel_audit
            where organisation_id = ${organisationId} and action like ${`${prefix}%`} order by id`,
      );
    });
  }

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        CAIRN_RATE_LIMIT_MAX: '100000',
        CAIRN_MATCHING_LOOKUPS_PER_PERSON: '40',
        CAIRN_MATCHING_LOOKUPS_PER_ORGANISATION: '400',
      },
    });
    orgA = (await createOrganisation(db(), { type: 'law_enforcement' })).id;
    orgB = (await createOrganisation(db(), { name: `Shelter ${Date.now()}` })).id;
    orgC = (await createOrganisation(db())).id;
    investigatorA = await sessionIn(orgA, 'investigator', 'Ines Investigator');
    memberA = await sessionIn(orgA, 'member');
    adminA = await sessionIn(orgA, 'org_admin');
    supervisorB = await sessionIn(orgB, 'case_supervisor', 'Bea Focal');
    adminB = await sessionIn(orgB, 'org_admin');
    caseworkerB = await sessionIn(orgB, 'caseworker');
    investigatorC = await sessionIn(orgC, 'investigator');
    const staff = await createPerson(db(), { platformRole: 'platform_admin', passkey: true });
    platformAdmin = { ...(await signIn(db(), staff.id)), personId: staff.id, email: staff.email };

    const phone = { type: 'phone', number: '+254 733 100 200' };
    for (const session of [supervisorB, investigatorA]) {
      const response = await call(session, 'POST', '/api/matching/subjects', {
        kind: 'investigation',
        title: 'Focal test',
        selectors: [phone],
      });
      expect(response.statusCode, response.body).toBe(201);
    }
    const inbox = await call(investigatorA, 'GET', '/api/matching/matches');
    matchId = inbox.json<{ items: Match[] }>().items[0]!.id;
  });
  afterAll(() => t.close());

  it('lets an org admin name a focal point among its admins, supervisors and investigators only', async () => {
    const before = (await call(adminB, 'GET', '/api/matching/participation')).json<Participation>();
    expect(before.focalPoint).toBeNull();
    expect(before.candidates.map((c) => c.personId).sort()).toEqual(
      [supervisorB.personId, adminB.personId].sort(),
    );

    const refused = await call(adminB, 'PUT', '/api/matching/focal-point', {
      personId: caseworkerB.personId,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ errors: { code: string; message: string }[] }>().errors[0]).toMatchObject({
      code: 'matching.focal_point_not_eligible',
    });
    // A member of another organisation cannot be named either.
    const stranger = await call(adminB, 'PUT', '/api/matching/focal-point', {
      personId: investigatorA.personId,
    });
    expect(stranger.statusCode).toBe(400);
    expect((await call(supervisorB, 'PUT', '/api/matching/focal-point', { personId: null })).statusCode).toBe(
      403,
    );

    const named = await call(adminB, 'PUT', '/api/matching/focal-point', { personId: supervisorB.personId });
    expect(named.statusCode, named.body).toBe(200);
    expect(named.json<Participation>().focalPoint).toEqual({
      personId: supervisorB.personId,
      name: 'Bea Focal',
    });
    const events = await auditActions(orgB, 'matching.focal_point');
    expect(events.map((e) => e.details)).toEqual([{ personId: supervisorB.personId }]);
  });

  it('shows the other side its focal point by name, never an address, and only to the two organisations', async () => {
    const seen = await call(investigatorA, 'GET', `/api/matching/matches/${matchId}/focal-point`);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json()).toEqual({ focalPoint: { personId: supervisorB.personId, name: 'Bea Focal' } });
    expect(seen.body).not.toContain(supervisorB.email);
    // A third organisation's screener: the match does not exist for it.
    expect(
      (await call(investigatorC, 'GET', `/api/matching/matches/${matchId}/focal-point`)).statusCode,
    ).toBe(404);
    expect(
      (
        await call(investigatorC, 'POST', `/api/matching/matches/${matchId}/focal-point/messages`, {
          body: 'Hi',
        })
      ).statusCode,
    ).toBe(404);
    // A has named nobody: B's screener sees that.
    const ofB = await call(supervisorB, 'GET', `/api/matching/matches/${matchId}/focal-point`);
    expect(ofB.json()).toEqual({ focalPoint: null });
    const nobody = await call(supervisorB, 'POST', `/api/matching/matches/${matchId}/focal-point/messages`, {
      body: 'Anyone there?',
    });
    expect(nobody.statusCode).toBe(404);
  });

  it('delivers a message to the focal point through Cairn, who can answer it', async () => {
    const sent = await call(investigatorA, 'POST', `/api/matching/matches/${matchId}/focal-point/messages`, {
      body: 'We hold a possible overlap with you: can we talk?',
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.body).not.toContain(supervisorB.email);

    const received = await call(supervisorB, 'GET', '/api/directory/messages');
    expect(received.statusCode, received.body).toBe(200);
    const [message] = received.json<{ items: { body: string; counterpart: { personId: string } }[] }>().items;
    expect(message).toMatchObject({
      body: 'We hold a possible overlap with you: can we talk?',
      counterpart: { personId: investigatorA.personId },
    });
    expect(received.body).not.toContain(investigatorA.email);
    // The focal point answers through the directory (the sender wrote first).
    const reply = await call(
      supervisorB,
      'POST',
      `/api/directory/people/${investigatorA.personId}/messages`,
      {
        body: 'Yes: agree to connect in Cairn and we will open a thread.',
      },
    );
    expect(reply.statusCode, reply.body).toBe(201);
    const contacted = await auditActions(orgA, 'matching.focal_point_contacted');
    expect(contacted.map((e) => e.object_id)).toEqual([matchId]);
  });

  it('stops reaching a focal point who no longer holds an eligible role', async () => {
    await inTransaction(db(), async (tx) => {
      await setTenant(tx, orgB);
      await tx.execute(
        sql`update identity_memberships set role = 'caseworker'
            where person_id = ${supervisorB.personId} and organisation_id = ${orgB}`,
      );
    });
    const seen = await call(investigatorA, 'GET', `/api/matching/matches/${matchId}/focal-point`);
    expect(seen.json()).toEqual({ focalPoint: null });
    const refused = await call(
      investigatorA,
      'POST',
      `/api/matching/matches/${matchId}/focal-point/messages`,
      {
        body: 'Still there?',
      },
    );
    expect(refused.statusCode).toBe(404);
  });

  it('shows every member the quotas and who used them; platform admins change them, audited', async () => {
    const lookup = await call(investigatorA, 'POST', '/api/matching/lookups', {
      selectors: [{ type: 'phone', number: '+254 733 999 000' }],
    });
    expect(lookup.statusCode, lookup.body).toBe(200);
    const seen = await call(memberA, 'GET', '/api/matching/quotas');
    expect(seen.statusCode, seen.body).toBe(200);
    const quotas = seen.json<OrganisationQuotas>();
    // One registration (beforeAll) and one lookup by the investigator.
    expect(quotas).toMatchObject({ perPerson: 40, perOrganisation: 400, overridden: false, used: 2 });
    expect(quotas.people).toEqual([
      { person: { id: investigatorA.personId, name: 'Ines Investigator' }, used: 2, remaining: 38 },
    ]);

    // Organisation admins cannot change their own quotas, not even by writing the row (row-level security).
    expect(
      (
        await call(adminA, 'PUT', `/api/matching/platform/quotas/${orgA}`, {
          lookupsPerPerson: 1000,
          lookupsPerOrganisation: null,
          reason: 'We want more',
        })
      ).statusCode,
    ).toBe(403);
    await expect(
      inTransaction(db(), async (tx) => {
        await setTenant(tx, orgA);
        await tx.execute(
          sql`insert into matching_quota_overrides (organisation_id, lookups_per_person, reason)
              values (${orgA}, 1000, 'self-service')`,
        );
      }),
    ).rejects.toThrow();

    const bad = await call(platformAdmin, 'PUT', `/api/matching/platform/quotas/${orgA}`, {
      lookupsPerPerson: 0,
      lookupsPerOrganisation: null,
      reason: '',
    });
    expect(bad.statusCode).toBe(400);
    const set = await call(platformAdmin, 'PUT', `/api/matching/platform/quotas/${orgA}`, {
      lookupsPerPerson: 3,
      lookupsPerOrganisation: null,
      reason: 'Lookups far above usual: paused while we talk to the organisation',
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ perPerson: 3, perOrganisation: 400, usedDay: 2 });

    // The new limit holds at once: a third lookup passes, the fourth is refused.
    const third = await call(investigatorA, 'POST', '/api/matching/lookups', {
      selectors: [{ type: 'phone', number: '+254 733 999 001' }],
    });
    expect(third.statusCode, third.body).toBe(200);
    expect(third.json<{ remaining: { person: number } }>().remaining.person).toBe(0);
    const fourth = await call(investigatorA, 'POST', '/api/matching/lookups', {
      selectors: [{ type: 'phone', number: '+254 733 999 002' }],
    });
    expect(fourth.statusCode).toBe(429);
    expect((await call(memberA, 'GET', '/api/matching/quotas')).json<OrganisationQuotas>()).toMatchObject({
      perPerson: 3,
      overridden: true,
      defaults: { perPerson: 40, perOrganisation: 400 },
    });

    const list = await call(platformAdmin, 'GET', '/api/matching/platform/quotas');
    const line = list.json<PlatformQuotaList>().items.find((item) => item.organisation.id === orgA);
    expect(line).toMatchObject({
      perPerson: 3,
      usedDay: 3,
      override: { perPerson: 3, perOrganisation: null },
    });
    expect(list.json<PlatformQuotaList>().items.some((item) => item.organisation.id === orgC)).toBe(false);
    const byName = await call(
      platformAdmin,
      'GET',
      `/api/matching/platform/quotas?q=${encodeURIComponent('Shelter')}`,
    );
    expect(byName.json<PlatformQuotaList>().items.map((item) => item.organisation.id)).toContain(orgB);

    // Back to the defaults.
    const reset = await call(platformAdmin, 'PUT', `/api/matching/platform/quotas/${orgA}`, {
      lookupsPerPerson: null,
      lookupsPerOrganisation: null,
      reason: 'Resolved with the organisation',
    });
    expect(reset.json()).toMatchObject({ perPerson: 40, override: null });
    const events = await auditActions(orgA, 'matching.quota_changed');
    expect(events.map((e) => e.details)).toEqual([
      { from: { perPerson: null, perOrganisation: null }, to: { perPerson: 3, perOrganisation: null } },
      { from: { perPerson: 3, perOrganisation: null }, to: { perPerson: null, perOrganisation: null } },
    ]);
    expect(
      (
        await call(
          platformAdmin,
          'PUT',
          `/api/matching/platform/quotas/00000000-0000-4000-8000-000000000000`,
          {
            lookupsPerPerson: 5,
            lookupsPerOrganisation: null,
            reason: 'No such organisation',
          },
        )
      ).statusCode,
    ).toBe(404);
  });

  it('shows every member of the organisation who looked up what, and no other organisation’s lookups', async () => {
    const seen = await call(memberA, 'GET', '/api/matching/lookups');
    expect(seen.statusCode, seen.body).toBe(200);
    const items = seen.json<{ items: { person: { id: string }; purpose: string }[] }>().items;
    // The registration, then three lookups of which the last was refused (a refused lookup is not recorded).
    expect(items.length).toBe(3);
    expect(new Set(items.map((item) => item.person.id))).toEqual(new Set([investigatorA.personId]));
    const ofB = await call(caseworkerB, 'GET', '/api/matching/lookups');
    expect(ofB.json<{ items: { person: { id: string } }[] }>().items.map((i) => i.person.id)).toEqual([
      supervisorB.personId,
    ]);
  });
});
