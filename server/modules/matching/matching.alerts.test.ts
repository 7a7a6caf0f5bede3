import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createOrganisation } from '../../test/factories.js';
import {
  matchesInbox,
  matchingCall,
  matchingSessionIn,
  registerSubjectAs,
  type MatchingSession,
} from '../../test/matching.js';
import type { LookupResult, Subject } from './matching.schemas.js';

/** Made-up selectors and titles of the alerts; none of them may reach the other organisation. */
const secrets = {
  title: 'Alert: Sihanoukville casino jobs, Golden Bridge 4471',
  agency: 'Golden Bridge Overseas Manpower Co., Ltd.',
  agencyFolded: 'golden bridge overseas manpower',
  handle: '@goldenbridge.jobs4471',
  phones: {
    later: { international: '+254 722 915 306', national: '0722 915306' },
    earlier: '+254 733 481 207',
    caseFile: '+254 711 370 594',
    closed: '+254 720 664 918',
  },
};

describe('matching: alerts as hand-registered subjects', () => {
  let t: TestApp;
  let orgA: string;
  let orgAName: string;
  let orgB: string;
  let supervisorA: MatchingSession;
  let investigatorB: MatchingSession;
  let supervisorB: MatchingSession;

  const alertWith = (phone: string, title = secrets.title) => ({
    kind: 'alert',
    title,
    selectors: [
      { type: 'phone', number: phone },
      { type: 'organisation_name', name: secrets.agency },
    ],
  });

  const lookup = (session: MatchingSession, selectors: unknown[]) =>
    matchingCall(t, session, 'POST', '/api/matching/lookups', { selectors });

  /** What of A's alert must never reach B: its id, title and selectors. */
  const expectNothingOfA = (body: string, alert?: Subject) => {
    for (const value of [secrets.title, secrets.agency, secrets.agencyFolded, ...(alert ? [alert.id] : [])])
      expect(body).not.toContain(value);
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    orgAName = `Migrant helpline ${Date.now()}`;
    orgA = (await createOrganisation(t.database.db, { name: orgAName })).id;
    orgB = (await createOrganisation(t.database.db, { type: 'law_enforcement' })).id;
    supervisorA = await matchingSessionIn(t, orgA, 'case_supervisor');
    investigatorB = await matchingSessionIn(t, orgB, 'investigator');
    supervisorB = await matchingSessionIn(t, orgB, 'case_supervisor');
  });
  afterAll(() => t.close());

  it('an alert meets a later investigation on its phone; both inboxes show it, the alert as kind alert', async () => {
    const alert = await registerSubjectAs(t, supervisorA, alertWith(secrets.phones.later.international));
    expect(alert).toMatchObject({ kind: 'alert', title: secrets.title, status: 'open', matches: 0 });
    expect(alert.selectorTypes.map((s) => s.type).sort()).toEqual(['organisation_name', 'phone']);

    const investigation = await registerSubjectAs(t, investigatorB, {
      kind: 'investigation',
      title: 'Compound recruiter, Mombasa',
      selectors: [{ type: 'phone', number: secrets.phones.later.national, defaultCountry: 'KE' }],
    });
    expect(investigation.matches).toBe(1);

    const ofB = (await matchesInbox(t, investigatorB)).filter((m) => m.subject.id === investigation.id);
    expect(ofB).toHaveLength(1);
    expect(ofB[0]).toMatchObject({
      matchType: 'phone',
      status: 'new',
      subject: { id: investigation.id, kind: 'investigation' },
      otherOrganisation: { id: orgA, name: orgAName },
    });
    const ofA = (await matchesInbox(t, supervisorA)).find((m) => m.id === ofB[0]!.id);
    expect(ofA).toMatchObject({
      matchType: 'phone',
      subject: { id: alert.id, kind: 'alert', title: secrets.title, caseId: null },
      otherOrganisation: { id: orgB },
    });
    // B learns the kind of overlap and the organisation, never what A's alert is called or carries.
    expectNothingOfA(JSON.stringify(ofB), alert);

    const mine = await matchingCall(t, supervisorA, 'GET', '/api/matching/subjects');
    expect(mine.json<{ items: Subject[] }>().items.find((s) => s.id === alert.id)).toMatchObject({
      kind: 'alert',
      matches: 1,
    });
  });

  it('an alert is screened at once against what is already registered', async () => {
    const investigation = await registerSubjectAs(t, investigatorB, {
      kind: 'investigation',
      title: 'Earlier investigation',
      selectors: [{ type: 'phone', number: secrets.phones.earlier }],
    });
    const alert = await registerSubjectAs(
      t,
      supervisorA,
      alertWith(secrets.phones.earlier, 'Alert on an earlier number'),
    );
    expect(alert.matches).toBe(1);
    const ofA = (await matchesInbox(t, supervisorA)).filter((m) => m.subject.id === alert.id);
    expect(ofA.map((m) => [m.matchType, m.subject.kind, m.otherOrganisation.id])).toEqual([
      ['phone', 'alert', orgB],
    ]);
    const ofB = (await matchesInbox(t, investigatorB)).filter((m) => m.subject.id === investigation.id);
    expect(ofB.map((m) => m.id)).toEqual([ofA[0]!.id]);
  });

  it('an alert meets a case file whose recruiter has its phone', async () => {
    const alert = await registerSubjectAs(
      t,
      supervisorA,
      alertWith(secrets.phones.caseFile, 'Alert on a recruiter'),
    );
    const created = await matchingCall(t, supervisorB, 'POST', '/api/cases', {
      draft: true,
      identity: { firstName: 'Amani', secondName: 'Wekesa', birthYear: 1999 },
      victim: { exploitationCountry: 'KH' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const caseId = created.json<{ id: string }>().id;
    const entry = await matchingCall(t, supervisorB, 'POST', `/api/cases/${caseId}/entries`, {
      kind: 'perpetrator',
      roles: ['RecruiterOrIntermediary'],
      nationality: 'KE',
      phone: secrets.phones.caseFile,
    });
    expect(entry.statusCode, entry.body).toBeLessThan(300);

    const ofB = (await matchesInbox(t, supervisorB)).filter((m) => m.subject.caseId === caseId);
    expect(ofB.map((m) => [m.matchType, m.subject.kind, m.otherOrganisation.id])).toEqual([
      ['phone', 'case', orgA],
    ]);
    const ofA = (await matchesInbox(t, supervisorA)).find((m) => m.id === ofB[0]!.id);
    expect(ofA?.subject).toMatchObject({ id: alert.id, kind: 'alert' });
    expectNothingOfA(JSON.stringify(ofB), alert);
  });

  it('a lookup by the other organisation finds an alert’s selectors as before, naming only the organisation', async () => {
    const found = await lookup(investigatorB, [
      { type: 'phone', number: secrets.phones.later.international },
    ]);
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json<LookupResult>().hits).toEqual([
      { matchType: 'phone', organisation: { id: orgA, name: orgAName } },
    ]);
    expectNothingOfA(found.body);
    // The alert's agency name takes part too, with a second attribute as any lookup needs.
    const byAgency = await lookup(investigatorB, [
      { type: 'organisation_name', name: 'GOLDEN BRIDGE OVERSEAS MANPOWER' },
      { type: 'online_handle', handle: '@someone.else', platform: 'telegram' },
    ]);
    expect(byAgency.statusCode, byAgency.body).toBe(200);
    expect(byAgency.json<LookupResult>().hits).toContainEqual({
      matchType: 'organisation_name',
      organisation: { id: orgA, name: orgAName },
    });
    expectNothingOfA(byAgency.body);
  });

  it('an alert is closable like an investigation, and a closed alert no longer takes part', async () => {
    const alert = await registerSubjectAs(t, supervisorA, alertWith(secrets.phones.closed, 'Alert to close'));
    const phone = [{ type: 'phone', number: secrets.phones.closed }];
    expect((await lookup(investigatorB, phone)).json<LookupResult>().hits).toHaveLength(1);
    // Another organisation's alert does not exist for B.
    expect(
      (await matchingCall(t, investigatorB, 'POST', `/api/matching/subjects/${alert.id}/close`)).statusCode,
    ).toBe(404);

    const closed = await matchingCall(t, supervisorA, 'POST', `/api/matching/subjects/${alert.id}/close`);
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json<Subject>()).toMatchObject({ id: alert.id, kind: 'alert', status: 'closed' });
    expect(
      (await matchingCall(t, supervisorA, 'GET', `/api/matching/subjects/${alert.id}`)).json<Subject>()
        .status,
    ).toBe('closed');

    expect((await lookup(investigatorB, phone)).json<LookupResult>().hits).toEqual([]);
    const later = await registerSubjectAs(t, investigatorB, {
      kind: 'investigation',
      title: 'After the alert closed',
      selectors: phone,
    });
    expect(later.matches).toBe(0);
  });

  it('keeps the two-attribute rule for alerts: a lone weak selector is refused, naming no value', async () => {
    const loneAgency = await matchingCall(t, supervisorA, 'POST', '/api/matching/subjects', {
      kind: 'alert',
      title: 'Lone agency alert',
      selectors: [{ type: 'organisation_name', name: secrets.agency }],
    });
    expect(loneAgency.statusCode).toBe(400);
    expect(loneAgency.json<{ errors: { path: string; code: string }[] }>().errors).toEqual([
      expect.objectContaining({
        path: 'body.selectors',
        code: 'matching.needs_two_attributes_or_strong_selector',
      }),
    ]);
    expectNothingOfA(loneAgency.body);

    const loneHandle = await matchingCall(t, supervisorA, 'POST', '/api/matching/subjects', {
      kind: 'alert',
      title: 'Lone handle alert',
      selectors: [{ type: 'online_handle', handle: secrets.handle, platform: 'telegram' }],
    });
    expect(loneHandle.statusCode).toBe(400);
    expect(loneHandle.body).not.toContain(secrets.handle);
    expect(loneHandle.body).not.toContain('goldenbridge');

    // Nothing was stored for either; two weak attributes together are enough.
    const titles = (await matchingCall(t, supervisorA, 'GET', '/api/matching/subjects'))
      .json<{ items: Subject[] }>()
      .items.map((s) => s.title);
    expect(titles).not.toContain('Lone agency alert');
    expect(titles).not.toContain('Lone handle alert');
    const both = await registerSubjectAs(t, supervisorA, {
      kind: 'alert',
      title: 'Agency and handle',
      selectors: [
        { type: 'organisation_name', name: secrets.agency },
        { type: 'online_handle', handle: secrets.handle, platform: 'telegram' },
      ],
    });
    expect(both.kind).toBe('alert');

    // Only the kinds a person may register are taken.
    const news = await matchingCall(t, supervisorA, 'POST', '/api/matching/subjects', {
      ...alertWith(secrets.phones.earlier),
      kind: 'news',
    });
    expect(news.statusCode).toBe(400);
  });
});
