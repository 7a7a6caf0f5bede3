import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { stepUp } from '../../test/cases.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import { consentedSections } from './cases.entries.service.js';
import { sendFollowUpReminders } from './cases.notifications.js';
import type { CaseFile } from './cases.schemas.js';

interface Session {
  cookie: string;
  sessionId: string;
  personId: string;
  membershipId: string;
  organisationId: string;
}

/** A unique marker per test run: if it shows up anywhere but an authorised answer, something leaked. */
const marker = `Canary${randomUUID().replaceAll('-', '').slice(0, 12)}`;

const completeSections = {
  identity: {
    firstName: `${marker}First`,
    secondName: `${marker}Family`,
    aliases: [`${marker}Alias`],
    birthYear: 1999,
  },
  contact: { mobilePhone: `+255 ${marker}`, city: `${marker}City`, country: 'TZ' },
  documents: [{ type: 'Passport', number: `P${marker}`, issuingCountry: 'TZ' }],
  narrative: { account: `${marker} account of recruitment through a cousin` },
  profile: { gender: 'Feminine', citizenships: ['TZ'], primaryLanguage: 'sw' },
  victim: {
    traffickingStatus: 'PossibleVictimOfTrafficking',
    exploitationTypes: ['ForcedLabour'],
    methodsOfControl: ['WithholdsDocuments', 'RestrictsMovement'],
    forcedLabourIndustry: 'T_ActivitiesOfHouseholdsAsEmployers',
    exploitationCountry: 'OM',
  },
};

describe('cases: case files', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let worker: Session;
  let otherWorker: Session;
  let supervisor: Session;
  let secondSupervisor: Session;
  let admin: Session;
  let analyst: Session;
  let outsider: Session;

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    orgA = (await createOrganisation(db())).id;
    orgB = (await createOrganisation(db())).id;
    worker = await sessionIn(orgA, 'caseworker');
    otherWorker = await sessionIn(orgA, 'caseworker');
    supervisor = await sessionIn(orgA, 'case_supervisor');
    secondSupervisor = await sessionIn(orgA, 'case_supervisor');
    admin = await sessionIn(orgA, 'org_admin');
    analyst = await sessionIn(orgA, 'analyst');
    outsider = await sessionIn(orgB, 'case_supervisor');
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  async function sessionIn(organisationId: string, role: Role): Promise<Session> {
    const m = await createMember(db(), { role, organisationId });
    const { cookie, sessionId } = await signIn(db(), m.personId, { membershipId: m.membership.id });
    return { cookie, sessionId, personId: m.personId, membershipId: m.membership.id, organisationId };
  }

  function call(
    session: Session | null,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT',
    url: string,
    payload?: unknown,
  ) {
    return t.app.inject({
      method,
      url,
      headers: session ? { cookie: session.cookie } : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  async function createCase(
    session: Session,
    body: Record<string, unknown> = completeSections,
  ): Promise<CaseFile> {
    const response = await call(session, 'POST', '/api/cases', body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json<CaseFile>();
  }

  it('opens a case; a complete intake needs gender and trafficking status, a draft does not', async () => {
    const incomplete = await call(worker, 'POST', '/api/cases', { identity: { firstName: 'x' } });
    expect(incomplete.statusCode).toBe(400);
    const paths = incomplete.json<{ errors: { path: string; code: string }[] }>().errors.map((f) => f.path);
    expect(paths).toEqual(['body.profile.gender', 'body.victim.traffickingStatus']);
    const draft = await createCase(worker, { draft: true, identity: { firstName: 'Draft' } });
    expect(draft.draft).toBe(true);
    expect(draft.reference).toMatch(/^\d{4}-\d{4}$/);
    const file = await createCase(worker);
    expect(file.status).toBe('Active');
    expect(file.assignees.map((a) => a.personId)).toEqual([worker.personId]);
    expect(Number(file.reference.slice(5))).toBe(Number(draft.reference.slice(5)) + 1);
  });

  it('opens a case once however often a client retries with the same Idempotency-Key', async () => {
    const key = randomUUID();
    const send = (body: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/api/cases',
        headers: { cookie: worker.cookie, 'idempotency-key': key },
        payload: body as Record<string, unknown>,
      });
    const first = await send(completeSections);
    const again = await send(completeSections);
    expect(first.statusCode, first.body).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json<CaseFile>().id).toBe(first.json<CaseFile>().id);
    const other = await send({ ...completeSections, profile: { gender: 'Masculine', citizenships: [] } });
    expect(other.statusCode).toBe(422);
    const entryKey = randomUUID();
    const addComment = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/cases/${first.json<CaseFile>().id}/entries`,
        headers: { cookie: worker.cookie, 'idempotency-key': entryKey },
        payload: { kind: 'comment', body: 'once' },
      });
    expect((await addComment()).statusCode).toBe(201);
    expect((await addComment()).headers['idempotent-replayed']).toBe('true');
    const file = (await call(worker, 'GET', `/api/cases/${first.json<CaseFile>().id}`)).json<CaseFile>();
    expect(file.entries.filter((e) => e.kind === 'comment')).toHaveLength(1);
  });

  it('refuses unknown or forbidden fields instead of dropping them (no mass assignment)', async () => {
    const file = await createCase(worker);
    for (const body of [
      { version: file.version, status: 'Closed' },
      { version: file.version, restricted: true },
      { version: file.version, profile: { gender: 'Feminine', citizenships: [], organisationId: orgB } },
    ]) {
      const response = await call(worker, 'PATCH', `/api/cases/${file.id}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
    const unchanged = await call(worker, 'GET', `/api/cases/${file.id}`);
    expect(unchanged.json<CaseFile>().status).toBe('Active');
    expect(unchanged.json<CaseFile>().restricted).toBe(false);
  });

  it('seals identifying sections: the raw tables never hold the plaintext', async () => {
    const file = await createCase(worker);
    await call(worker, 'POST', `/api/cases/${file.id}/entries`, { kind: 'comment', body: `${marker} note` });
    await call(worker, 'POST', `/api/cases/${file.id}/entries`, {
      kind: 'perpetrator',
      roles: ['RecruiterOrIntermediary'],
      name: `${marker}Recruiter`,
      phone: `+968 ${marker}`,
    });
    const dump = await inTransaction(db(), async (tx) => {
      await tx.execute(sql`select set_config('cairn.organisation_id', ${orgA}, true)`);
      const rows = await queryRows<{ row: string }>(
        tx,
        sql`select f::text as row from cases_files f
            union all select e::text from cases_entries e
            union all select l::text from cases_lookup l
            union all select a::text from kernel_audit a`,
      );
      return rows.map((r) => r.row).join('\n');
    });
    expect(dump.length).toBeGreaterThan(1000);
    expect(dump).not.toContain(marker);
    expect(dump.toLowerCase()).not.toContain(marker.toLowerCase());
  });

  it('shows identifying sections only with reveal and a recent step-up', async () => {
    const file = await createCase(worker);
    const plain = await call(worker, 'GET', `/api/cases/${file.id}`);
    expect(plain.statusCode).toBe(200);
    expect(plain.json<CaseFile>().identity).toBeNull();
    expect(plain.json<CaseFile>().victim.methodsOfControl).toEqual([
      'WithholdsDocuments',
      'RestrictsMovement',
    ]);
    expect(plain.body).not.toContain(marker);
    const refused = await call(worker, 'GET', `/api/cases/${file.id}?reveal=true`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ code: string }>().code).toBe('step_up_required');
    expect(refused.body).not.toContain(marker);
    await stepUp(db(), worker.sessionId);
    const revealed = await call(worker, 'GET', `/api/cases/${file.id}?reveal=true`);
    expect(revealed.statusCode).toBe(200);
    const body = revealed.json<CaseFile>();
    expect(body.identity?.secondName).toBe(`${marker}Family`);
    expect(body.documents?.[0]?.number).toBe(`P${marker}`);
    expect(body.contact?.city).toBe(`${marker}City`);
    await stepUp(db(), worker.sessionId, new Date(Date.now() - 10 * 60_000));
    expect((await call(worker, 'GET', `/api/cases/${file.id}?reveal=true`)).statusCode).toBe(403);
  });

  it('lets only assigned caseworkers and the supervisors of the organisation reach a case', async () => {
    const file = await createCase(worker);
    const url = `/api/cases/${file.id}`;
    expect((await call(worker, 'GET', url)).statusCode).toBe(200);
    expect((await call(supervisor, 'GET', url)).statusCode).toBe(200);
    expect((await call(otherWorker, 'GET', url)).statusCode).toBe(404);
    expect((await call(outsider, 'GET', url)).statusCode).toBe(404);
    expect((await call(admin, 'GET', url)).statusCode).toBe(403);
    expect((await call(analyst, 'GET', url)).statusCode).toBe(403);
    expect((await call(null, 'GET', url)).statusCode).toBe(401);
    const mine = await call(otherWorker, 'GET', '/api/cases?scope=organisation');
    expect(mine.json<{ items: { id: string }[] }>().items.map((i) => i.id)).not.toContain(file.id);
    const all = await call(supervisor, 'GET', '/api/cases?scope=organisation&limit=100');
    expect(all.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toContain(file.id);
    expect(all.body).not.toContain(marker);
    // Assigning the other caseworker opens the case to them.
    const assigned = await call(supervisor, 'PUT', `${url}/assignments`, {
      membershipIds: [worker.membershipId, otherWorker.membershipId],
      primaryMembershipId: otherWorker.membershipId,
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect((await call(otherWorker, 'GET', url)).statusCode).toBe(200);
    // A caseworker cannot assign; nobody can assign someone from another organisation.
    expect(
      (
        await call(worker, 'PUT', `${url}/assignments`, {
          membershipIds: [worker.membershipId],
          primaryMembershipId: worker.membershipId,
        })
      ).statusCode,
    ).toBe(403);
    const foreign = await call(supervisor, 'PUT', `${url}/assignments`, {
      membershipIds: [outsider.membershipId],
      primaryMembershipId: outsider.membershipId,
    });
    expect(foreign.statusCode).toBe(400);
  });

  it('keeps a restricted case from unnamed supervisors, except through audited, alerted, read-only break-glass', async () => {
    const file = await createCase(worker);
    const url = `/api/cases/${file.id}`;
    const restricted = await call(supervisor, 'PUT', `${url}/restriction`, {
      restricted: true,
      membershipIds: [worker.membershipId],
    });
    expect(restricted.statusCode, restricted.body).toBe(200);
    const named = await call(worker, 'GET', url);
    expect(named.statusCode).toBe(200);
    // The supervisor who restricts it is named too.
    expect(
      named
        .json<CaseFile>()
        .restrictedTo.map((staff) => staff.membershipId)
        .sort(),
    ).toEqual([worker.membershipId, supervisor.membershipId].sort());
    expect(named.json<CaseFile>().assignees.map((staff) => [staff.membershipId, staff.primary])).toEqual([
      [worker.membershipId, true],
    ]);
    expect((await call(secondSupervisor, 'GET', url)).statusCode).toBe(404);
    const noStepUp = await call(secondSupervisor, 'POST', `${url}/break-glass`, {
      reason: 'Emergency: the survivor called the hotline at night and the assigned worker is away.',
    });
    expect(noStepUp.statusCode).toBe(403);
    await stepUp(db(), secondSupervisor.sessionId);
    expect(
      (await call(secondSupervisor, 'POST', `${url}/break-glass`, { reason: 'too short' })).statusCode,
    ).toBe(400);
    const opened = await call(secondSupervisor, 'POST', `${url}/break-glass`, {
      reason: `Emergency: the survivor called the hotline at night ${marker}`,
    });
    expect(opened.statusCode, opened.body).toBe(200);
    const until = new Date(opened.json<{ until: string }>().until).getTime();
    expect(until - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    const read = await call(secondSupervisor, 'GET', url);
    expect(read.statusCode).toBe(200);
    expect(read.json<CaseFile>().access.via).toBe('break_glass');
    expect(read.json<CaseFile>().abilities.update).toBe(false);
    const write = await call(secondSupervisor, 'PATCH', url, {
      version: read.json<CaseFile>().version,
      victim: {},
    });
    expect(write.statusCode).toBe(403);
    // The organisation's admins were told, without anything from the case.
    const mails = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ payload: { to: string; text: string } }>(
        tx,
        sql`select payload from kernel_jobs where name = 'kernel.send_mail' and payload::text like ${`%${file.reference}%`}`,
      );
    });
    expect(mails.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(mails)).not.toContain(marker);
    // The case's history shows the opening and the read, to a supervisor who can reach it.
    const history = await call(worker, 'GET', `${url}/history`);
    expect(history.statusCode).toBe(403);
    // The timeline of changes is the caseworker's too.
    const timeline = await call(worker, 'GET', `${url}/history?kind=changes`);
    expect(timeline.statusCode).toBe(200);
    const changes = timeline.json<{ items: { action: string }[] }>().items.map((i) => i.action);
    expect(changes).toContain('cases.restriction_changed');
    expect(changes).not.toContain('cases.case_read');
    const byNamed = await call(supervisor, 'GET', `${url}/history`);
    expect(byNamed.statusCode).toBe(200);
    const actions = byNamed.json<{ items: { action: string }[] }>().items.map((i) => i.action);
    expect(actions).toContain('cases.break_glass_opened');
    expect(byNamed.body).not.toContain(marker);
    // Break-glass reads; it does not lift the restriction. A named supervisor can.
    const lift = { restricted: false, membershipIds: [] };
    expect((await call(secondSupervisor, 'PUT', `${url}/restriction`, lift)).statusCode).toBe(403);
    expect((await call(supervisor, 'PUT', `${url}/restriction`, lift)).statusCode).toBe(200);
  });

  it('closes a case only with a second supervisor’s approval, and reopens it', async () => {
    const file = await createCase(worker);
    const url = `/api/cases/${file.id}`;
    const asked = await call(worker, 'POST', `${url}/closure-request`, {
      status: 'Closed',
      reason: `${marker} reintegrated with family`,
    });
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.json<CaseFile>().closureRequest?.status).toBe('Closed');
    expect(asked.body).not.toContain(marker);
    expect((await call(worker, 'POST', `${url}/closure-decision`, { decision: 'approve' })).statusCode).toBe(
      403,
    );
    const approved = await call(supervisor, 'POST', `${url}/closure-decision`, { decision: 'approve' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json<CaseFile>().status).toBe('Closed');
    expect(approved.json<CaseFile>().closedOn).not.toBeNull();
    const edit = await call(worker, 'POST', `${url}/entries`, { kind: 'comment', body: 'late note' });
    expect(edit.statusCode).toBe(403);
    // A supervisor's own request needs another supervisor.
    const reopened = await call(supervisor, 'POST', `${url}/reopen`, { reason: 'The survivor came back.' });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json<CaseFile>().status).toBe('Active');
    await call(supervisor, 'POST', `${url}/closure-request`, {
      status: 'ClosedReferred',
      reason: 'referred',
    });
    expect(
      (await call(supervisor, 'POST', `${url}/closure-decision`, { decision: 'approve' })).statusCode,
    ).toBe(403);
    const byOther = await call(secondSupervisor, 'POST', `${url}/closure-decision`, { decision: 'reject' });
    expect(byOther.statusCode).toBe(200);
    expect(byOther.json<CaseFile>().status).toBe('Active');
    expect(byOther.json<CaseFile>().closureRequest).toBeNull();
  });

  it('answers 409 to a save based on an old version, and changes nothing', async () => {
    const file = await createCase(worker);
    const url = `/api/cases/${file.id}`;
    const first = await call(worker, 'PATCH', url, {
      version: file.version,
      victim: { ...completeSections.victim, exploitationTypes: ['ForcedLabour', 'ForcedCriminality'] },
    });
    expect(first.statusCode, first.body).toBe(200);
    const stale = await call(worker, 'PATCH', url, {
      version: file.version,
      victim: { ...completeSections.victim, exploitationTypes: ['SexualExploitation'] },
    });
    expect(stale.statusCode).toBe(409);
    const now = (await call(worker, 'GET', url)).json<CaseFile>();
    expect(now.victim.exploitationTypes).toEqual(['ForcedLabour', 'ForcedCriminality']);
  });

  it('keeps entries: sealed fields only when revealed; comments are never edited', async () => {
    const file = await createCase(worker);
    const url = `/api/cases/${file.id}`;
    const followUp = await call(worker, 'POST', `${url}/entries`, {
      kind: 'followUp',
      dueOn: '2020-01-01',
      note: `${marker} call about the hearing`,
    });
    expect(followUp.statusCode, followUp.body).toBe(201);
    const plan = await call(worker, 'POST', `${url}/entries`, {
      kind: 'supportPlan',
      type: 'Legal',
      plannedEndDate: '2031-06-30',
      objectives: 'Residence permit',
    });
    expect(plan.statusCode).toBe(201);
    const event = await call(worker, 'POST', `${url}/entries`, {
      kind: 'event',
      type: 'Exploitation',
      country: 'OM',
      region: 'OM.06',
      date: '2024-03-01',
      description: `${marker} household in the capital`,
    });
    expect(event.statusCode, event.body).toBe(201);
    expect(event.json<{ fields: { regionName?: string } }>().fields.regionName).toBeTruthy();
    const done = await call(worker, 'POST', `${url}/entries/${followUp.json<{ id: string }>().id}/done`);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json<{ doneAt: string | null }>().doneAt).not.toBeNull();
    const comment = await call(worker, 'POST', `${url}/entries`, { kind: 'comment', body: 'first contact' });
    const notCompletable = await call(
      worker,
      'POST',
      `${url}/entries/${comment.json<{ id: string }>().id}/done`,
    );
    expect(notCompletable.statusCode).toBe(400);
    const edited = await call(worker, 'PUT', `${url}/entries/${comment.json<{ id: string }>().id}`, {
      kind: 'comment',
      body: 'rewritten',
    });
    expect(edited.statusCode).toBe(400);
    const plainFile = (await call(worker, 'GET', url)).json<CaseFile>();
    expect(plainFile.entries).toHaveLength(4);
    expect(JSON.stringify(plainFile.entries)).not.toContain(marker);
    await stepUp(db(), worker.sessionId);
    const revealed = (await call(worker, 'GET', `${url}?reveal=true`)).json<CaseFile>();
    expect(revealed.entries.find((e) => e.kind === 'followUp')?.fields.note).toBe(
      `${marker} call about the hearing`,
    );
    await call(worker, 'POST', `${url}/entries`, {
      kind: 'followUp',
      dueOn: '2020-02-01',
      note: `${marker} again`,
    });
    const dashboard = await call(worker, 'GET', '/api/cases/dashboard');
    expect(dashboard.statusCode).toBe(200);
    const due = dashboard.json<{ dueFollowUps: { caseId: string; overdue: boolean }[] }>().dueFollowUps;
    expect(due.find((d) => d.caseId === file.id)?.overdue).toBe(true);
    const summary = dashboard
      .json<{ myCases: { id: string; dueFollowUps: number }[] }>()
      .myCases.find((c) => c.id === file.id);
    expect(summary?.dueFollowUps).toBe(1);
    // The reminder names the case's reference and nothing from it.
    const result = await sendFollowUpReminders(t.app.kernel);
    expect(result.reminded).toBeGreaterThanOrEqual(1);
    const again = await sendFollowUpReminders(t.app.kernel);
    expect(again.reminded).toBe(0);
    const mails = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ payload: unknown }>(
        tx,
        sql`select payload from kernel_jobs where name = 'kernel.send_mail' and payload::text like ${`%${file.reference}%`}`,
      );
    });
    expect(mails.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(mails)).not.toContain(marker);
  });

  it('records consent per purpose and recipient, and revoking it stops the disclosure at once', async () => {
    const file = await createCase(worker);
    const url = `/api/cases/${file.id}`;
    const missingRecipient = await call(worker, 'POST', `${url}/consents`, {
      purpose: 'Referral',
      sections: ['profile'],
      givenOn: '2026-01-10',
    });
    expect(missingRecipient.statusCode).toBe(400);
    const consent = await call(worker, 'POST', `${url}/consents`, {
      purpose: 'Referral',
      recipientOrganisationId: orgB,
      sections: ['profile', 'victim', 'supportPlan'],
      givenOn: '2026-01-10',
    });
    expect(consent.statusCode, consent.body).toBe(201);
    const covered = () =>
      inTransaction(db(), async (tx) => {
        await tx.execute(sql`select set_config('cairn.organisation_id', ${orgA}, true)`);
        return consentedSections(tx, file.id, 'Referral', ['identity', 'profile', 'victim'], orgB);
      });
    expect(await covered()).toEqual(['profile', 'victim']);
    const elsewhere = await inTransaction(db(), async (tx) => {
      await tx.execute(sql`select set_config('cairn.organisation_id', ${orgA}, true)`);
      return consentedSections(tx, file.id, 'Referral', ['profile'], randomUUID());
    });
    expect(elsewhere).toEqual([]);
    const revoked = await call(worker, 'POST', `${url}/consents/${consent.json<{ id: string }>().id}/revoke`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json<{ active: boolean }>().active).toBe(false);
    expect(await covered()).toEqual([]);
  });

  it('warns of duplicates inside the organisation by blind index, never across organisations', async () => {
    const number = `D${randomUUID().slice(0, 8)}`;
    const sections = {
      ...completeSections,
      identity: { firstName: 'Only', secondName: `Here ${number}`, aliases: [] },
      documents: [{ type: 'NationalId', number }],
    };
    const first = await createCase(worker, sections);
    expect(first.possibleDuplicates).toBe(0);
    const second = await createCase(worker, {
      ...sections,
      documents: [{ type: 'Passport', number: ` ${number.toLowerCase()} ` }],
    });
    expect(second.possibleDuplicates).toBe(1);
    // Opening the first now counts the second (the count is read with the case's facts).
    const reopened = await call(worker, 'GET', `/api/cases/${first.id}`);
    expect(reopened.json<CaseFile>().possibleDuplicates).toBe(1);
    const check = await call(otherWorker, 'POST', '/api/cases/duplicate-checks', {
      documentNumbers: [number],
    });
    expect(check.statusCode, check.body).toBe(200);
    const matches = check.json<{ matches: { caseId: string | null }[] }>().matches;
    expect(matches).toHaveLength(2);
    // The other caseworker may not open these cases: told that they exist, not which they are.
    expect(matches.every((m) => m.caseId === null)).toBe(true);
    const bySupervisor = await call(supervisor, 'POST', '/api/cases/duplicate-checks', {
      documentNumbers: [number],
    });
    expect(
      bySupervisor
        .json<{ matches: { caseId: string | null }[] }>()
        .matches.map((m) => m.caseId)
        .sort(),
    ).toEqual([first.id, second.id].sort());
    const foreign = await call(outsider, 'POST', '/api/cases/duplicate-checks', {
      documentNumbers: [number],
    });
    expect(foreign.json<{ matches: unknown[] }>().matches).toEqual([]);
  });

  it('shows supervisors who read which sections of a case', async () => {
    const file = await createCase(worker);
    await stepUp(db(), worker.sessionId);
    await call(worker, 'GET', `/api/cases/${file.id}?reveal=true`);
    const history = await call(supervisor, 'GET', `/api/cases/${file.id}/history?kind=reads`);
    expect(history.statusCode).toBe(200);
    const reads = history.json<{ items: { person: { personId: string } | null; sections: string[] }[] }>()
      .items;
    const revealedRead = reads.find(
      (r) => r.person?.personId === worker.personId && r.sections.includes('identity'),
    );
    expect(revealedRead).toBeDefined();
  });

  it('summarises each visible case the same way in lists and on the dashboard, page after page', async () => {
    // An organisation of its own, so the counts below are exact.
    const orgC = (await createOrganisation(db())).id;
    async function named(displayName: string, role: Role): Promise<Session> {
      const person = await createPerson(db(), { displayName, passkey: true });
      const m = await createMember(db(), { role, organisationId: orgC, personId: person.id });
      const { cookie, sessionId } = await signIn(db(), m.personId, { membershipId: m.membership.id });
      return { cookie, sessionId, personId: m.personId, membershipId: m.membership.id, organisationId: orgC };
    }
    const zawadi = await named('Zawadi', 'caseworker');
    const amina = await named('Amina', 'caseworker');
    const boss = await named('Baraka', 'case_supervisor');
    const deputy = await named('Chausiku', 'case_supervisor');
    const files: CaseFile[] = [];
    for (let i = 0; i < 5; i++) files.push(await createCase(zawadi));
    // One case with three assignees, the primary last by name: the primary comes first, then by name.
    const shared = files[1]!;
    const assigned = await call(boss, 'PUT', `/api/cases/${shared.id}/assignments`, {
      membershipIds: [zawadi.membershipId, amina.membershipId, boss.membershipId],
      primaryMembershipId: zawadi.membershipId,
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    // One closure asked for by a supervisor: the other supervisor has it to approve, the asker does not.
    const closing = files[3]!;
    const asked = await call(boss, 'POST', `/api/cases/${closing.id}/closure-request`, {
      status: 'Closed',
      reason: 'reintegrated',
    });
    expect(asked.statusCode, asked.body).toBe(200);
    await call(zawadi, 'POST', `/api/cases/${files[0]!.id}/entries`, {
      kind: 'followUp',
      dueOn: '2020-03-01',
    });
    // The case file names the same staff, primary first, and each entry's author and assignee.
    const sharedFile = (await call(boss, 'GET', `/api/cases/${shared.id}`)).json<CaseFile>();
    expect(sharedFile.assignees.map((a) => [a.name, a.role, a.primary])).toEqual([
      ['Zawadi', 'caseworker', true],
      ['Amina', 'caseworker', false],
      ['Baraka', 'case_supervisor', false],
    ]);
    expect(sharedFile.restrictedTo).toEqual([]);
    const zawadiRef = { personId: zawadi.personId, name: 'Zawadi' };
    const followedUp = (await call(boss, 'GET', `/api/cases/${files[0]!.id}`)).json<CaseFile>();
    expect(
      followedUp.entries.filter((e) => e.kind === 'followUp').map((e) => [e.createdBy, e.assignee]),
    ).toEqual([[zawadiRef, zawadiRef]]);

    interface Summary {
      id: string;
      reference: string;
      updatedAt: string;
      closurePending: boolean;
      dueFollowUps: number;
      assignees: { personId: string; name: string }[];
    }
    const expected = async (id: string) => {
      const file = (await call(boss, 'GET', `/api/cases/${id}`)).json<CaseFile>();
      return {
        id,
        reference: file.reference,
        status: file.status,
        draft: file.draft,
        openedOn: file.openedOn,
      };
    };
    // Page by page, two at a time: every case once, newest change first.
    const seen: Summary[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        boss,
        'GET',
        `/api/cases?scope=organisation&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json<{ items: Summary[]; nextCursor: string | null }>();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.map((s) => s.id).sort()).toEqual(files.map((f) => f.id).sort());
    const times = seen.map((s) => s.updatedAt);
    expect(times).toEqual([...times].sort().reverse());
    for (const summary of seen) {
      expect(summary).toMatchObject(await expected(summary.id));
      expect(new Date(summary.updatedAt).toISOString()).toBe(summary.updatedAt);
    }
    const byId = new Map(seen.map((s) => [s.id, s]));
    expect(byId.get(shared.id)!.assignees.map((a) => a.name)).toEqual(['Zawadi', 'Amina', 'Baraka']);
    expect(byId.get(files[2]!.id)!.assignees).toEqual([{ personId: zawadi.personId, name: 'Zawadi' }]);
    expect(seen.filter((s) => s.closurePending).map((s) => s.id)).toEqual([closing.id]);
    expect(byId.get(files[0]!.id)!.dueFollowUps).toBe(1);
    expect(seen.filter((s) => s.dueFollowUps > 0).map((s) => s.id)).toEqual([files[0]!.id]);

    const dashboardOf = async (session: Session) => {
      const response = await call(session, 'GET', '/api/cases/dashboard');
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{
        myCases: Summary[];
        recentlyUpdated: Summary[];
        dueFollowUps: { caseId: string; reference: string; dueOn: string; overdue: boolean }[];
        closuresAwaitingApproval: number;
      }>();
    };
    const mine = await dashboardOf(zawadi);
    // The dashboard's summaries are the list's, in the same order.
    expect(mine.myCases).toEqual(seen);
    expect(mine.recentlyUpdated).toEqual(seen);
    expect(mine.dueFollowUps).toEqual([
      expect.objectContaining({
        caseId: files[0]!.id,
        reference: files[0]!.reference,
        dueOn: '2020-03-01',
        overdue: true,
      }),
    ]);
    expect(mine.closuresAwaitingApproval).toBe(0);
    const hers = await dashboardOf(amina);
    expect(hers.myCases.map((s) => s.id)).toEqual([shared.id]);
    expect(hers.recentlyUpdated.map((s) => s.id)).toEqual([shared.id]);
    expect(hers.dueFollowUps).toEqual([]);
    expect((await dashboardOf(deputy)).closuresAwaitingApproval).toBe(1);
    expect((await dashboardOf(boss)).closuresAwaitingApproval).toBe(0);
    expect((await dashboardOf(deputy)).myCases).toEqual([]);

    // Due follow-ups: on a case of mine, or assigned to me on a case I can see. One on the shared case for Zawadi;
    // one on a case of Zawadi's alone, for the deputy supervisor (hers only by the assignment).
    const followUp = async (caseId: string, dueOn: string, assignee: Session) => {
      const added = await call(boss, 'POST', `/api/cases/${caseId}/entries`, {
        kind: 'followUp',
        dueOn,
        assigneeMembershipId: assignee.membershipId,
      });
      expect(added.statusCode, added.body).toBe(201);
      return added.json<{ id: string }>().id;
    };
    const onShared = await followUp(shared.id, '2020-04-01', zawadi);
    const forDeputy = await followUp(files[4]!.id, '2020-05-01', deputy);
    const dueOf = async (session: Session) =>
      (await dashboardOf(session)).dueFollowUps.map((item) => item.caseId);
    expect(await dueOf(zawadi)).toEqual([files[0]!.id, shared.id, files[4]!.id]);
    expect(await dueOf(amina)).toEqual([shared.id]);
    expect(await dueOf(boss)).toEqual([shared.id]);
    expect(await dueOf(deputy)).toEqual([files[4]!.id]);
    expect([onShared, forDeputy].every((id) => typeof id === 'string')).toBe(true);
  });

  it('gives analysts de-identified counts with small cells hidden', async () => {
    const response = await call(analyst, 'GET', '/api/cases/statistics');
    expect(response.statusCode).toBe(200);
    const stats = response.json<{
      total: number;
      dimensions: Record<string, { value: string; count: number | null }[]>;
    }>();
    expect(stats.total).toBeGreaterThanOrEqual(10);
    const feminine = stats.dimensions.gender!.find((g) => g.value === 'Feminine');
    expect(feminine?.count).toBeGreaterThanOrEqual(5);
    const criminality = stats.dimensions.exploitationTypes!.find((e) => e.value === 'ForcedCriminality');
    expect(criminality?.count).toBeNull();
    expect((await call(worker, 'GET', '/api/cases/statistics')).statusCode).toBe(403);
  });

  it('keeps survivor data out of the logs', () => {
    expect(t.rawLogs().length).toBeGreaterThan(0);
    expect(t.rawLogs()).not.toContain(marker);
  });
});
