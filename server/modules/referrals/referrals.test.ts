import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { stepUp } from '../../test/cases.js';
import { createMember, createOrganisation, signIn } from '../../test/factories.js';
import type { Tier } from '../identity/index.js';
import { directorySupportRequests } from '../directory/index.js';
import type { Ctx } from '../../kernel/context.js';
import { referralThreadSubject } from './referrals.access.js';
import { transitionAllowed } from './referrals.policy.js';
import type { Referral } from './referrals.schemas.js';
import { referralSides, referralStates, type ReferralState } from './referrals.vocabulary.js';

interface Session {
  role: Role;
  cookie: string;
  sessionId: string;
  personId: string;
  membershipId: string;
  organisationId: string;
}

/** A unique marker per run: if it shows up anywhere but an authorised read of the case, something leaked. */
const marker = `Canary${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const today = () => new Date().toISOString().slice(0, 10);

const caseBody = {
  identity: { firstName: `${marker}First`, secondName: `${marker}Family`, birthYear: 2001 },
  contact: { mobilePhone: `+880 ${marker}`, country: 'BD' },
  narrative: { account: `${marker} recruited through a travel agent` },
  profile: { gender: 'Feminine', citizenships: ['BD'] },
  victim: { traffickingStatus: 'PossibleVictimOfTrafficking', exploitationTypes: ['ForcedLabour'] },
};

describe('referrals: the API', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let orgC: string;
  let worker: Session;
  let otherWorker: Session;
  let supervisor: Session;
  let admin: Session;
  let bWorker: Session;
  let bSupervisor: Session;
  let bAdmin: Session;
  let outsider: Session;
  let platformAdmin: { cookie: string };

  const db = () => t.database.db;

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    orgA = (await createOrganisation(db(), { countries: ['MY'], tier: 'verified' })).id;
    orgB = (await createOrganisation(db(), { countries: ['BD'], tier: 'verified_frontline' })).id;
    orgC = (await createOrganisation(db(), { countries: ['BD'] })).id;
    worker = await sessionIn(orgA, 'caseworker');
    otherWorker = await sessionIn(orgA, 'caseworker');
    supervisor = await sessionIn(orgA, 'case_supervisor');
    admin = await sessionIn(orgA, 'org_admin');
    bWorker = await sessionIn(orgB, 'caseworker');
    bSupervisor = await sessionIn(orgB, 'case_supervisor');
    bAdmin = await sessionIn(orgB, 'org_admin');
    outsider = await sessionIn(orgC, 'case_supervisor');
    const { createPerson } = await import('../../test/factories.js');
    const staff = await createPerson(db(), { platformRole: 'platform_admin', passkey: true });
    platformAdmin = await signIn(db(), staff.id);
  });
  afterAll(() => t.close());

  async function sessionIn(organisationId: string, role: Role): Promise<Session> {
    const m = await createMember(db(), { role, organisationId });
    const { cookie, sessionId } = await signIn(db(), m.personId, { membershipId: m.membership.id });
    return { role, cookie, sessionId, personId: m.personId, membershipId: m.membership.id, organisationId };
  }

  function call(
    session: { cookie: string } | null,
    method: 'GET' | 'POST' | 'PATCH',
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

  async function createCase(session: Session): Promise<string> {
    const response = await call(session, 'POST', '/api/cases', caseBody);
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  }

  async function consent(
    session: Session,
    caseId: string,
    recipientOrganisationId: string,
    sections: string[],
  ): Promise<string> {
    const response = await call(session, 'POST', `/api/cases/${caseId}/consents`, {
      purpose: 'Referral',
      recipientOrganisationId,
      sections,
      givenOn: today(),
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  }

  async function refer(session: Session, body: Record<string, unknown>): Promise<Referral> {
    const response = await call(session, 'POST', '/api/referrals', {
      recipientOrganisationId: orgB,
      services: ['shelter'],
      ...body,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<Referral>();
  }

  async function step(
    session: Session,
    referral: { id: string; version: number },
    body: Record<string, unknown>,
  ) {
    return call(session, 'POST', `/api/referrals/${referral.id}/transitions`, {
      version: referral.version,
      ...body,
    });
  }

  async function stepOk(
    session: Session,
    referral: { id: string; version: number },
    body: Record<string, unknown>,
  ) {
    const response = await step(session, referral, body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Referral>();
  }

  /** Sends, then the recipient acknowledges: the state in which the case can be read. */
  async function sentAndAcknowledged(referral: Referral): Promise<Referral> {
    const sent = await stepOk(worker, referral, { to: 'sent', confirmNewPartner: true });
    return stepOk(bWorker, sent, { to: 'acknowledged' });
  }

  async function readState(id: string): Promise<{ state: string; version: number }> {
    return inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      const [row] = await queryRows<{ state: string; version: number }>(
        tx,
        sql`select state, version from referrals_referrals where id = ${id}`,
      );
      return row!;
    });
  }

  async function forceState(id: string, state: ReferralState): Promise<void> {
    await inTransaction(db(), async (tx) => {
      await setTenant(tx, orgA);
      await tx.execute(
        sql`update referrals_referrals set state = ${state},
              sent_at = case when ${state} = 'draft' then null else now() end,
              acknowledge_due_at = case when ${state} = 'draft' then null else now() + interval '48 hours' end
            where id = ${id}`,
      );
    });
  }

  async function auditOf(action: string, objectId: string) {
    return inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{
        organisation_id: string;
        actor_person_id: string;
        details: Record<string, unknown>;
      }>(
        tx,
        sql`select organisation_id, actor_person_id, details from kernel_audit
            where action = ${action} and object_id = ${objectId} order by id`,
      );
    });
  }

  it('refers a case; the recipient acknowledges, reads the shared sections, accepts, starts, completes — the sender sees the outcome', async () => {
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile', 'victim', 'identity']);
    const draft = await refer(worker, {
      caseId,
      services: ['shelter', 'legal_aid'],
      sections: ['profile', 'identity'],
      note: 'Needs a safe place near Dhaka on arrival',
      urgency: 'urgent',
    });
    expect(draft).toMatchObject({ state: 'draft', side: 'sender', caseId, urgency: 'urgent', version: 1 });
    expect(draft.caseReference).toMatch(/^\d{4}-\d{4}$/);
    // First referral between A and B: the draft shows both tiers, and sending must confirm.
    expect(draft.newPartner).toEqual({ senderTier: 'verified', recipientTier: 'verified_frontline' });
    expect(draft.abilities).toMatchObject({ send: true, cancel: true, acknowledge: false, readCase: false });

    // A draft is the sender's alone.
    expect((await call(bWorker, 'GET', `/api/referrals/${draft.id}`)).statusCode).toBe(404);

    const unconfirmed = await step(worker, draft, { to: 'sent' });
    expect(unconfirmed.statusCode).toBe(409);
    expect(unconfirmed.json()).toMatchObject({
      code: 'new_partner_unconfirmed',
      newPartner: { senderTier: 'verified', recipientTier: 'verified_frontline' },
    });
    expect(unconfirmed.body).not.toContain(worker.personId);
    expect((await readState(draft.id)).state).toBe('draft');

    const sent = await stepOk(worker, draft, { to: 'sent', confirmNewPartner: true });
    expect(sent.state).toBe('sent');
    const due = new Date(sent.acknowledgeDueAt!).getTime() - new Date(sent.sentAt!).getTime();
    expect(due).toBe(48 * 3_600_000);

    // In `sent`, the recipient sees the referral (services, urgency, note, sender, section names), not the case.
    const received = await call(bWorker, 'GET', `/api/referrals/${draft.id}`);
    expect(received.statusCode, received.body).toBe(200);
    const seen = received.json<Referral>();
    expect(seen).toMatchObject({
      side: 'recipient',
      caseId: null,
      caseReference: null,
      note: 'Needs a safe place near Dhaka on arrival',
      services: ['shelter', 'legal_aid'],
      sections: ['profile', 'identity'],
      sender: { id: orgA },
      newPartner: null,
    });
    expect(seen.abilities).toMatchObject({ acknowledge: true, accept: false, cancel: true, readCase: false });
    expect(received.body).not.toContain(marker);
    expect((await call(bWorker, 'GET', `/api/referrals/${draft.id}/case`)).statusCode).toBe(403);

    const acknowledged = await stepOk(bWorker, sent, { to: 'acknowledged' });
    expect(acknowledged.abilities.readCase).toBe(true);
    const plain = await call(bWorker, 'GET', `/api/referrals/${draft.id}/case`);
    expect(plain.statusCode, plain.body).toBe(200);
    expect(plain.json()).toMatchObject({
      referralId: draft.id,
      sections: ['profile'],
      needsReveal: ['identity'],
      revealed: false,
      identity: null,
      contact: null,
      narrative: null,
      victim: null,
      profile: { gender: 'Feminine', citizenships: ['BD'] },
    });
    expect(plain.body).not.toContain(marker);
    // Neither the owner's case id nor its reference reaches the recipient.
    expect(plain.body).not.toContain(caseId);
    expect(plain.body).not.toContain(draft.caseReference!);
    expect(received.body).not.toContain(caseId);
    // Identifying sections need a recent step-up, as they do for the owner.
    const early = await call(bWorker, 'GET', `/api/referrals/${draft.id}/case?reveal=true`);
    expect(early.statusCode).toBe(403);
    expect(early.json<{ code: string }>().code).toBe('step_up_required');
    await stepUp(db(), bWorker.sessionId);
    const revealed = await call(bWorker, 'GET', `/api/referrals/${draft.id}/case?reveal=true`);
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.json()).toMatchObject({
      sections: ['identity', 'profile'],
      needsReveal: [],
      identity: { firstName: `${marker}First` },
      // Consented, but not shared: never shown.
      victim: null,
      contact: null,
    });
    // Each read is in the OWNER's trail, with exactly the sections shown.
    const reads = await auditOf('cases.case_read_shared', caseId);
    expect(reads.map((read) => [read.organisation_id, read.actor_person_id, read.details])).toEqual([
      [orgA, bWorker.personId, { referralId: draft.id, sections: ['profile'], revealed: false }],
      [orgA, bWorker.personId, { referralId: draft.id, sections: ['identity', 'profile'], revealed: true }],
    ]);
    // The owner's supervisors see those reads in the case's access history.
    const history = await call(supervisor, 'GET', `/api/cases/${caseId}/history?kind=reads`);
    expect(history.json<{ items: { action: string }[] }>().items.map((i) => i.action)).toContain(
      'cases.case_read_shared',
    );

    const accepted = await stepOk(bSupervisor, acknowledged, { to: 'accepted' });
    expect(accepted.recipientPerson?.personId).toBe(bSupervisor.personId);
    const started = await stepOk(bWorker, accepted, { to: 'in_progress' });
    const completed = await stepOk(bWorker, started, {
      to: 'completed',
      outcome: 'services_delivered',
      outcomeNote: 'Shelter place and legal aid arranged',
    });
    expect(completed.state).toBe('completed');

    // The loop closes: the sender sees the outcome and the whole timeline.
    const closed = (await call(worker, 'GET', `/api/referrals/${draft.id}`)).json<Referral>();
    expect(closed).toMatchObject({
      state: 'completed',
      outcome: 'services_delivered',
      outcomeNote: 'Shelter place and legal aid arranged',
    });
    expect(closed.timeline.map((s) => [s.from, s.to, s.side])).toEqual([
      [null, 'draft', 'sender'],
      ['draft', 'sent', 'sender'],
      ['sent', 'acknowledged', 'recipient'],
      ['acknowledged', 'accepted', 'recipient'],
      ['accepted', 'in_progress', 'recipient'],
      ['in_progress', 'completed', 'recipient'],
    ]);
    expect(Object.values(closed.abilities).every((ability) => ability === false)).toBe(true);
    // Access ends with the referral.
    expect((await call(bWorker, 'GET', `/api/referrals/${draft.id}/case`)).statusCode).toBe(403);
    // The audit trail says who did what, with codes only.
    const steps = await auditOf('referrals.referral_transitioned', draft.id);
    expect(steps.map((s) => s.details.to)).toEqual(['acknowledged', 'accepted', 'in_progress', 'completed']);
    expect(JSON.stringify(steps)).not.toContain('Shelter place');
  });

  it('refuses every transition the state machine does not allow, through the API, and leaves the state as it was', async () => {
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile']);
    const sessions = { sender: worker, recipient: bWorker };
    const failures: string[] = [];
    let refused = 0;
    let taken = 0;
    const payloadFor = (from: ReferralState, to: ReferralState) => ({
      to,
      ...(to === 'declined' || to === 'closed' || (to === 'cancelled' && from !== 'draft')
        ? { reason: 'r' }
        : {}),
      ...(to === 'completed' ? { outcome: 'could_not_contact' } : {}),
      ...(to === 'sent' ? { confirmNewPartner: true } : {}),
    });
    for (const from of referralStates) {
      for (const to of referralStates) {
        for (const side of referralSides) {
          const referral = await refer(worker, { caseId, sections: ['profile'] });
          await forceState(referral.id, from);
          const response = await step(sessions[side], referral, payloadFor(from, to));
          const after = await readState(referral.id);
          const label = `${from} → ${to} by ${side}`;
          if (transitionAllowed(from, to, side)) {
            taken++;
            if (response.statusCode !== 200 || after.state !== to || after.version !== 2)
              failures.push(`${label}: ${response.statusCode} ${after.state} ${response.body.slice(0, 160)}`);
            continue;
          }
          refused++;
          // A draft does not exist for the recipient; the other side's step is 403; an impossible step 409.
          const anySide = referralSides.some((s) => transitionAllowed(from, to, s));
          const expected = side === 'recipient' && from === 'draft' ? 404 : anySide ? 403 : 409;
          if (response.statusCode !== expected || after.state !== from || after.version !== 1)
            failures.push(`${label}: expected ${expected}, got ${response.statusCode} (${after.state})`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(taken).toBe(17);
    expect(refused).toBe(162 - 17);
  }, 120_000);

  it('asks for a reason or an outcome where a step needs one, refuses one where it does not, and refuses a stale version', async () => {
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile']);
    const acknowledged = await sentAndAcknowledged(await refer(worker, { caseId, sections: ['profile'] }));
    const noReason = await step(bWorker, acknowledged, { to: 'declined' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json<{ errors: { path: string; code: string }[] }>().errors).toEqual([
      expect.objectContaining({ path: 'body.reason', code: 'referrals.reason_required' }),
    ]);
    const extra = await step(bWorker, acknowledged, { to: 'accepted', reason: 'no need' });
    expect(extra.statusCode).toBe(400);
    const stale = await step(
      bWorker,
      { id: acknowledged.id, version: acknowledged.version - 1 },
      { to: 'accepted' },
    );
    expect(stale.statusCode).toBe(409);
    const started = await stepOk(bWorker, await stepOk(bWorker, acknowledged, { to: 'accepted' }), {
      to: 'in_progress',
    });
    const noOutcome = await step(bWorker, started, { to: 'completed' });
    expect(noOutcome.statusCode).toBe(400);
    expect(noOutcome.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'referrals.outcome_required',
    );
    const closedWithOutcome = await step(worker, started, {
      to: 'closed',
      reason: 'Moved',
      outcome: 'other',
    });
    expect(closedWithOutcome.statusCode).toBe(400);
    const closed = await stepOk(worker, started, { to: 'closed', reason: 'The survivor moved away' });
    expect(closed.ended).toEqual({ by: 'sender', reason: 'The survivor moved away' });
    const seenByRecipient = (await call(bWorker, 'GET', `/api/referrals/${closed.id}`)).json<Referral>();
    expect(seenByRecipient.ended).toEqual({ by: 'sender', reason: 'The survivor moved away' });
    expect((await readState(closed.id)).state).toBe('closed');
  });

  it('shares only consented sections: others are refused; a supervisor may override with a reason, a caseworker may not', async () => {
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile']);
    // Consent naming another organisation covers nothing for B.
    await consent(worker, caseId, orgC, ['narrative', 'contact']);
    const without = await call(worker, 'POST', '/api/referrals', {
      caseId,
      recipientOrganisationId: orgB,
      services: ['shelter'],
      sections: ['profile', 'narrative', 'contact'],
    });
    expect(without.statusCode).toBe(400);
    expect(without.json<{ errors: { path: string; code: string }[] }>().errors).toEqual([
      expect.objectContaining({ path: 'body.sections.1', code: 'referrals.section_without_consent' }),
      expect.objectContaining({ path: 'body.sections.2', code: 'referrals.section_without_consent' }),
    ]);
    const overrideBody = {
      caseId,
      recipientOrganisationId: orgB,
      services: ['shelter'],
      sections: ['profile', 'narrative'],
      overrideSections: ['narrative'],
      overrideReason: 'The survivor cannot be reached and faces imminent danger',
    };
    const byWorker = await call(worker, 'POST', '/api/referrals', overrideBody);
    expect(byWorker.statusCode).toBe(403);
    const noReason = await call(supervisor, 'POST', '/api/referrals', {
      ...overrideBody,
      overrideReason: undefined,
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'referrals.override_reason_required',
    );
    const notShared = await call(supervisor, 'POST', '/api/referrals', {
      ...overrideBody,
      sections: ['profile'],
    });
    expect(notShared.statusCode).toBe(400);

    const overridden = await refer(supervisor, overrideBody);
    expect(overridden.override).toMatchObject({
      by: { personId: supervisor.personId },
      reason: 'The survivor cannot be reached and faces imminent danger',
    });
    const [audit] = await auditOf('referrals.consent_overridden', overridden.id);
    expect(audit!.details).toEqual({ caseId, sections: ['narrative'] });
    expect(JSON.stringify(audit)).not.toContain('imminent');

    const acknowledged = await sentAndAcknowledged(overridden);
    const seen = (await call(bWorker, 'GET', `/api/referrals/${acknowledged.id}`)).json<Referral>();
    expect(seen.overrideSections).toEqual(['narrative']);
    expect(seen.override?.reason).toBeNull();
    await stepUp(db(), bWorker.sessionId);
    const read = await call(bWorker, 'GET', `/api/referrals/${acknowledged.id}/case?reveal=true`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({
      sections: ['profile', 'narrative'],
      narrative: { account: `${marker} recruited through a travel agent` },
      // Consented to C, never to B, and not shared: it cannot reach B.
      contact: null,
      identity: null,
    });
  });

  it('edits a draft under the same consent rules, audited; never past draft, from another organisation or by the recipient', async () => {
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile', 'victim']);
    const draft = await refer(worker, { caseId, sections: ['profile'], note: 'First note' });
    expect(draft.abilities.edit).toBe(true);
    const edit = (session: Session, body: Record<string, unknown>, referral = draft) =>
      call(session, 'PATCH', `/api/referrals/${referral.id}`, { version: referral.version, ...body });

    const edited = await edit(worker, {
      sections: ['profile', 'victim'],
      services: ['legal_aid'],
      urgency: 'urgent',
      acknowledgeWithinHours: 24,
      note: `${marker} second note`,
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const after = edited.json<Referral>();
    expect(after).toMatchObject({
      state: 'draft',
      version: 2,
      sections: ['profile', 'victim'],
      services: ['legal_aid'],
      urgency: 'urgent',
      acknowledgeWithinHours: 24,
      note: `${marker} second note`,
    });
    const [audit] = await auditOf('referrals.referral_edited', draft.id);
    expect(audit).toMatchObject({
      organisation_id: orgA,
      actor_person_id: worker.personId,
      details: {
        caseId,
        fields: ['acknowledgeWithinHours', 'note', 'sections', 'services', 'urgency'],
        sections: ['profile', 'victim'],
      },
    });
    expect(JSON.stringify(audit)).not.toContain(marker);

    // A stale version, a section without consent (the draft stays as it was), a caseworker's override.
    expect((await edit(worker, { urgency: 'normal' })).statusCode).toBe(409);
    const noConsent = await edit(worker, { sections: ['profile', 'narrative'] }, after);
    expect(noConsent.statusCode).toBe(400);
    expect(noConsent.headers['content-type']).toContain('application/problem+json');
    expect(noConsent.json<{ errors: { path: string; code: string; message: string }[] }>().errors).toEqual([
      expect.objectContaining({ path: 'body.sections.1', code: 'referrals.section_without_consent' }),
    ]);
    const spanish = await t.app.inject({
      method: 'PATCH',
      url: `/api/referrals/${draft.id}`,
      headers: { cookie: worker.cookie, 'accept-language': 'es' },
      payload: { version: after.version, sections: ['narrative'] },
    });
    expect(spanish.json<{ errors: { message: string }[] }>().errors[0]!.message).toMatch(/consent/i);
    expect(spanish.json<{ errors: { message: string }[] }>().errors[0]!.message).not.toBe(
      noConsent.json<{ errors: { message: string }[] }>().errors[0]!.message,
    );
    const override = {
      sections: ['profile', 'narrative'],
      overrideSections: ['narrative'],
      overrideReason: 'No contact possible before the flight',
    };
    expect((await edit(worker, override, after)).statusCode).toBe(403);
    expect((await edit(worker, { overrideSections: ['narrative'] }, after)).statusCode).toBe(400);
    expect(await readState(draft.id)).toEqual({ state: 'draft', version: 2 });

    // A supervisor overrides with a reason; a caseworker may keep that override, not add to it.
    const noReason = await edit(supervisor, { ...override, overrideReason: undefined }, after);
    expect(noReason.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'referrals.override_reason_required',
    );
    const overridden = await edit(supervisor, override, after);
    expect(overridden.statusCode, overridden.body).toBe(200);
    const withOverride = overridden.json<Referral>();
    expect(withOverride.override).toMatchObject({
      by: { personId: supervisor.personId },
      reason: 'No contact possible before the flight',
    });
    const overrideAudit = await auditOf('referrals.consent_overridden', draft.id);
    expect(overrideAudit.at(-1)!.details).toEqual({ caseId, sections: ['narrative'] });
    const kept = await edit(
      worker,
      { sections: ['profile', 'narrative'], overrideSections: ['narrative'] },
      withOverride,
    );
    expect(kept.statusCode, kept.body).toBe(200);
    expect(kept.json<Referral>().override?.reason).toBe('No contact possible before the flight');
    const cleared = await edit(worker, { sections: ['profile'], note: null }, kept.json<Referral>());
    expect(cleared.json<Referral>()).toMatchObject({ overrideSections: [], override: null, note: null });

    // Other organisations do not see the draft; the sender's admin is refused at the gate.
    expect((await edit(outsider, { urgency: 'normal' }, cleared.json<Referral>())).statusCode).toBe(404);
    expect((await edit(bWorker, { urgency: 'normal' }, cleared.json<Referral>())).statusCode).toBe(404);
    expect((await edit(admin, { urgency: 'normal' }, cleared.json<Referral>())).statusCode).toBe(403);

    // Once sent: no side may edit (409 for the sender, 403 for the recipient).
    const sent = await stepOk(worker, cleared.json<Referral>(), { to: 'sent', confirmNewPartner: true });
    expect(sent.abilities.edit).toBe(false);
    expect((await edit(worker, { urgency: 'normal' }, sent)).statusCode).toBe(409);
    expect((await edit(bWorker, { urgency: 'normal' }, sent)).statusCode).toBe(403);
    expect(await readState(draft.id)).toEqual({ state: 'sent', version: sent.version });
  });

  it('drops a section on the very next request once its consent is revoked or expires, and re-checks consent at send time', async () => {
    const caseId = await createCase(worker);
    const profileConsent = await consent(worker, caseId, orgB, ['profile']);
    const victimConsent = await consent(worker, caseId, orgB, ['victim']);
    const referral = await sentAndAcknowledged(
      await refer(worker, { caseId, sections: ['profile', 'victim'] }),
    );
    const url = `/api/referrals/${referral.id}/case`;
    expect((await call(bWorker, 'GET', url)).json<{ sections: string[] }>().sections).toEqual([
      'profile',
      'victim',
    ]);

    const revoked = await call(worker, 'POST', `/api/cases/${caseId}/consents/${victimConsent}/revoke`);
    expect(revoked.statusCode).toBe(200);
    const afterRevoke = await call(bWorker, 'GET', url);
    expect(afterRevoke.json()).toMatchObject({ sections: ['profile'], victim: null });
    expect(afterRevoke.json<{ profile: unknown }>().profile).not.toBeNull();

    // The remaining consent expires: nothing is left to read.
    await inTransaction(db(), async (tx) => {
      await setTenant(tx, orgA);
      await tx.execute(
        sql`update cases_consents set given_on = current_date - 10, expires_on = current_date where id = ${profileConsent}`,
      );
    });
    const afterExpiry = await call(bWorker, 'GET', url);
    expect(afterExpiry.statusCode).toBe(403);
    expect(afterExpiry.body).not.toContain(marker);
    // The referral itself is still there for both sides.
    expect((await call(bWorker, 'GET', `/api/referrals/${referral.id}`)).statusCode).toBe(200);
    const reads = await auditOf('cases.case_read_shared', caseId);
    expect(reads.map((r) => r.details.sections)).toEqual([['profile', 'victim'], ['profile']]);

    // A draft whose consent was revoked cannot be sent.
    const fresh = await createCase(worker);
    const freshConsent = await consent(worker, fresh, orgB, ['profile']);
    const draft = await refer(worker, { caseId: fresh, sections: ['profile'] });
    await call(worker, 'POST', `/api/cases/${fresh}/consents/${freshConsent}/revoke`);
    const send = await step(worker, draft, { to: 'sent', confirmNewPartner: true });
    expect(send.statusCode).toBe(400);
    expect(send.json<{ errors: { path: string; code: string }[] }>().errors).toEqual([
      expect.objectContaining({ path: 'referral.sections.0', code: 'referrals.section_without_consent' }),
    ]);
    expect((await readState(draft.id)).state).toBe('draft');
  });

  it('ends the recipient’s access exactly when the referral ends: declined, closed, cancelled by either side', async () => {
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile']);
    const endings: [Session, ReferralState, Record<string, unknown>, ReferralState[]][] = [
      [bWorker, 'declined', { reason: 'No capacity this month' }, []],
      [bWorker, 'closed', { reason: 'Survivor moved on' }, ['accepted', 'in_progress']],
      [worker, 'closed', { reason: 'Survivor moved on' }, ['accepted', 'in_progress']],
      [worker, 'cancelled', { reason: 'Sent by mistake' }, []],
      [bWorker, 'cancelled', { reason: 'Wrong organisation' }, ['accepted']],
    ];
    for (const [session, to, body, before] of endings) {
      let referral = await sentAndAcknowledged(await refer(worker, { caseId, sections: ['profile'] }));
      for (const state of before) referral = await stepOk(bWorker, referral, { to: state });
      const url = `/api/referrals/${referral.id}/case`;
      expect((await call(bWorker, 'GET', url)).statusCode, `${to} before`).toBe(200);
      await stepOk(session, referral, { to, ...body });
      const after = await call(bWorker, 'GET', url);
      expect(after.statusCode, `${to} by ${session === worker ? 'sender' : 'recipient'}`).toBe(403);
      expect(after.body).not.toContain(marker);
    }
  });

  it('hides a referral from organisations that are neither party, and from sender staff who cannot reach the case', async () => {
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile']);
    const referral = await sentAndAcknowledged(await refer(worker, { caseId, sections: ['profile'] }));
    for (const path of ['', '/case']) {
      const response = await call(outsider, 'GET', `/api/referrals/${referral.id}${path}`);
      expect(response.statusCode, path).toBe(404);
    }
    const move = await step(outsider, referral, { to: 'cancelled', reason: 'x' });
    expect(move.statusCode).toBe(404);
    const outsiderList = await call(outsider, 'GET', '/api/referrals?box=received');
    expect(outsiderList.json<{ items: unknown[] }>().items).toEqual([]);
    // A caseworker of A who is not on the case does not see its referrals; a supervisor does.
    expect((await call(otherWorker, 'GET', `/api/referrals/${referral.id}`)).statusCode).toBe(404);
    expect((await step(otherWorker, referral, { to: 'cancelled', reason: 'x' })).statusCode).toBe(404);
    expect((await call(supervisor, 'GET', `/api/referrals/${referral.id}`)).statusCode).toBe(200);
    const otherList = await call(otherWorker, 'GET', '/api/referrals?box=sent');
    expect(otherList.json<{ items: { id: string }[] }>().items.map((i) => i.id)).not.toContain(referral.id);
    // The sender may not read through the referral (its own case is read in cases).
    expect((await call(worker, 'GET', `/api/referrals/${referral.id}/case`)).statusCode).toBe(403);
    // Org admins see statistics only.
    expect((await call(admin, 'GET', `/api/referrals/${referral.id}`)).statusCode).toBe(403);
    expect((await call(bAdmin, 'GET', '/api/referrals?box=received')).statusCode).toBe(403);
    expect((await call(admin, 'GET', '/api/referrals/statistics')).statusCode).toBe(200);
    expect((await state(referral.id)).state).toBe('acknowledged');
  });

  const state = (id: string) => readState(id);

  it('lists sent and received referrals with due dates and overdue flags; the case reference only on the sender side', async () => {
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile']);
    const first = await stepOk(worker, await refer(worker, { caseId, sections: ['profile'] }), {
      to: 'sent',
      confirmNewPartner: true,
    });
    const second = await stepOk(worker, await refer(worker, { caseId, sections: ['profile'] }), {
      to: 'sent',
      confirmNewPartner: true,
    });
    await inTransaction(db(), async (tx) => {
      await setTenant(tx, orgA);
      await tx.execute(
        sql`update referrals_referrals set acknowledge_due_at = now() - interval '1 hour' where id = ${first.id}`,
      );
    });
    const sentBox = await call(worker, 'GET', '/api/referrals?box=sent&state=sent');
    expect(sentBox.statusCode, sentBox.body).toBe(200);
    const mine = sentBox.json<{
      items: {
        id: string;
        caseReference: string;
        overdue: boolean;
        counterpart: { id: string; countries: string[] };
      }[];
    }>().items;
    const firstItem = mine.find((item) => item.id === first.id)!;
    expect(firstItem).toMatchObject({
      overdue: true,
      caseReference: first.caseReference,
      counterpart: { id: orgB, countries: ['BD'] },
    });
    expect(mine.find((item) => item.id === second.id)!.overdue).toBe(false);

    const overdue = await call(bSupervisor, 'GET', '/api/referrals?box=received&overdue=true');
    const overdueItems = overdue.json<{
      items: { id: string; caseReference: string | null; counterpart: { id: string } }[];
    }>().items;
    expect(overdueItems.map((item) => item.id)).toContain(first.id);
    expect(overdueItems.map((item) => item.id)).not.toContain(second.id);
    expect(overdueItems.every((item) => item.caseReference === null && item.counterpart.id === orgA)).toBe(
      true,
    );
    expect(overdue.body).not.toContain(first.caseReference!);

    // Pages follow the cursor without repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await call(bWorker, 'GET', `/api/referrals?box=received&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([first.id, second.id]));
    // Drafts never reach the received box.
    const draft = await refer(worker, { caseId, sections: ['profile'] });
    expect(seen).not.toContain(draft.id);
    const bad = await call(bWorker, 'GET', '/api/referrals?box=received&cursor=nonsense');
    expect(bad.statusCode).toBe(400);

    // One case's referrals, on the sender's side: this case's, and no other case's.
    const otherCase = await createCase(worker);
    await consent(worker, otherCase, orgB, ['profile']);
    const elsewhere = await refer(worker, { caseId: otherCase, sections: ['profile'] });
    const byCase = await call(worker, 'GET', `/api/referrals?box=sent&caseId=${caseId}`);
    expect(byCase.statusCode, byCase.body).toBe(200);
    const caseItems = byCase.json<{ items: { id: string }[] }>().items.map((item) => item.id);
    expect(caseItems).toEqual(expect.arrayContaining([first.id, second.id, draft.id]));
    expect(caseItems).toHaveLength(3);
    expect(caseItems).not.toContain(elsewhere.id);
    // The recipient never learns a case id: a case filter on the received box is refused.
    const received = await call(bWorker, 'GET', `/api/referrals?box=received&caseId=${caseId}`);
    expect(received.statusCode).toBe(400);
    expect(received.json<{ errors: { path: string; code: string }[] }>().errors).toEqual([
      expect.objectContaining({ path: 'query.caseId', code: 'referrals.case_filter_sent_only' }),
    ]);
  });

  it('asks to confirm a new partner until the two organisations have had a referral past draft, in either direction', async () => {
    const orgD = (await createOrganisation(db(), { tier: 'law_enforcement_verified' as Tier })).id;
    const orgE = (await createOrganisation(db(), { tier: null })).id;
    const dWorker = await sessionIn(orgD, 'caseworker');
    const eWorker = await sessionIn(orgE, 'caseworker');
    const dCase = await createCase(dWorker);
    await consent(dWorker, dCase, orgE, ['profile']);
    // A discarded draft is no history.
    const discarded = await refer(dWorker, {
      caseId: dCase,
      recipientOrganisationId: orgE,
      sections: ['profile'],
    });
    expect(discarded.newPartner).toEqual({ senderTier: 'law_enforcement_verified', recipientTier: null });
    await stepOk(dWorker, discarded, { to: 'cancelled' });
    const first = await refer(dWorker, {
      caseId: dCase,
      recipientOrganisationId: orgE,
      sections: ['profile'],
    });
    expect(first.newPartner).not.toBeNull();
    const refused = await step(dWorker, first, { to: 'sent' });
    expect(refused.json()).toMatchObject({
      code: 'new_partner_unconfirmed',
      newPartner: { senderTier: 'law_enforcement_verified', recipientTier: null },
    });
    const sent = await stepOk(dWorker, first, { to: 'sent', confirmNewPartner: true });
    const [audit] = await auditOf('referrals.referral_sent', sent.id);
    expect(audit!.details.newPartner).toBe(true);
    // From now on, either way, nobody is asked.
    const second = await refer(dWorker, {
      caseId: dCase,
      recipientOrganisationId: orgE,
      sections: ['profile'],
    });
    expect(second.newPartner).toBeNull();
    await stepOk(dWorker, second, { to: 'sent' });
    const eCase = await createCase(eWorker);
    await consent(eWorker, eCase, orgD, ['profile']);
    const back = await refer(eWorker, {
      caseId: eCase,
      recipientOrganisationId: orgD,
      sections: ['profile'],
    });
    expect(back.newPartner).toBeNull();
    const backSent = await stepOk(eWorker, back, { to: 'sent' });
    expect((await auditOf('referrals.referral_sent', backSent.id))[0]!.details.newPartner).toBe(false);
  });

  it('turns an accepted support request into a referral in one step, for the requesting organisation only', async () => {
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile']);
    const request = async (organisationId: string, status: string, accepted: string | null) => {
      const id = randomUUID();
      await inTransaction(db(), async (tx) => {
        await setTenant(tx, organisationId);
        await tx.insert(directorySupportRequests).values({
          id,
          organisationId,
          country: 'BD',
          services: ['shelter', 'medical'],
          gender: 'female',
          ageBand: '18_24',
          urgency: 'emergency',
          status,
          acceptedOrganisationId: accepted,
        });
      });
      return id;
    };
    const accepted = await request(orgA, 'accepted', orgB);
    const referral = await call(worker, 'POST', '/api/referrals', {
      caseId,
      supportRequestId: accepted,
      sections: ['profile'],
    });
    expect(referral.statusCode, referral.body).toBe(201);
    expect(referral.json()).toMatchObject({
      recipient: { id: orgB },
      services: ['shelter', 'medical'],
      urgency: 'emergency',
      supportRequestId: accepted,
      state: 'draft',
    });
    const open = await request(orgA, 'open', null);
    const notAccepted = await call(worker, 'POST', '/api/referrals', {
      caseId,
      supportRequestId: open,
      sections: ['profile'],
    });
    expect(notAccepted.statusCode).toBe(409);
    const someoneElses = await request(orgC, 'accepted', orgB);
    const foreign = await call(worker, 'POST', '/api/referrals', {
      caseId,
      supportRequestId: someoneElses,
      sections: ['profile'],
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'referrals.support_request_unknown',
    );
    const mismatch = await call(worker, 'POST', '/api/referrals', {
      caseId,
      supportRequestId: accepted,
      recipientOrganisationId: orgC,
      sections: ['profile'],
    });
    expect(mismatch.statusCode).toBe(400);
    // Without a support request, a recipient and services are required.
    const bare = await call(worker, 'POST', '/api/referrals', { caseId, sections: ['profile'] });
    expect(bare.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toEqual([
      'body.recipientOrganisationId',
      'body.services',
    ]);
  });

  it('refuses to refer to oneself or to an organisation that is not active', async () => {
    const caseId = await createCase(worker);
    const self = await call(worker, 'POST', '/api/referrals', {
      caseId,
      recipientOrganisationId: orgA,
      services: ['shelter'],
      sections: ['profile'],
    });
    expect(self.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe('referrals.recipient_is_sender');
    const suspended = (await createOrganisation(db(), { status: 'suspended' })).id;
    const inactive = await call(worker, 'POST', '/api/referrals', {
      caseId,
      recipientOrganisationId: suspended,
      services: ['shelter'],
      sections: ['profile'],
    });
    expect(inactive.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'referrals.recipient_unknown',
    );
    // Suspended after the draft was made: the draft cannot be sent.
    const later = (await createOrganisation(db())).id;
    await consent(worker, caseId, later, ['profile']);
    const draft = await refer(worker, { caseId, recipientOrganisationId: later, sections: ['profile'] });
    await db().execute(sql`update identity_organisations set status = 'suspended' where id = ${later}`);
    const send = await step(worker, draft, { to: 'sent', confirmNewPartner: true });
    expect(send.statusCode).toBe(400);
    expect(send.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe('referrals.recipient_unknown');
    expect((await readState(draft.id)).state).toBe('draft');
    // A case the caller does not reach does not exist for them.
    const notMine = await call(otherWorker, 'POST', '/api/referrals', {
      caseId,
      recipientOrganisationId: orgB,
      services: ['shelter'],
      sections: ['profile'],
    });
    expect(notMine.statusCode).toBe(404);
  });

  it('creates and sends once however often a client retries with the same Idempotency-Key', async () => {
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile']);
    const key = randomUUID();
    const body = { caseId, recipientOrganisationId: orgB, services: ['shelter'], sections: ['profile'] };
    const send = (url: string, payload: unknown, k: string) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: worker.cookie, 'idempotency-key': k },
        payload: payload as Record<string, unknown>,
      });
    const first = await send('/api/referrals', body, key);
    const again = await send('/api/referrals', body, key);
    expect(first.statusCode, first.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json<Referral>().id).toBe(first.json<Referral>().id);
    const sendKey = randomUUID();
    const url = `/api/referrals/${first.json<Referral>().id}/transitions`;
    const sent = await send(url, { to: 'sent', version: 1, confirmNewPartner: true }, sendKey);
    const sentAgain = await send(url, { to: 'sent', version: 1, confirmNewPartner: true }, sendKey);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sentAgain.headers['idempotent-replayed']).toBe('true');
    expect(await auditOf('referrals.referral_sent', first.json<Referral>().id)).toHaveLength(1);
  });

  it('gives an organisation its statistics, and platform staff counts with small cells suppressed', async () => {
    const orgS = (await createOrganisation(db(), { countries: ['VN'] })).id;
    const orgR = (await createOrganisation(db(), { countries: ['CN'] })).id;
    const sWorker = await sessionIn(orgS, 'caseworker');
    const sAdmin = await sessionIn(orgS, 'org_admin');
    const rWorker = await sessionIn(orgR, 'caseworker');
    const rSupervisor = await sessionIn(orgR, 'case_supervisor');
    const sCase = await createCase(sWorker);
    await consent(sWorker, sCase, orgR, ['profile']);
    const make = async () => {
      const draft = await refer(sWorker, {
        caseId: sCase,
        recipientOrganisationId: orgR,
        sections: ['profile'],
      });
      const sent = await stepOk(sWorker, draft, { to: 'sent', confirmNewPartner: true });
      return stepOk(rWorker, sent, { to: 'acknowledged' });
    };
    const one = await make();
    const started = await stepOk(rWorker, await stepOk(rWorker, one, { to: 'accepted' }), {
      to: 'in_progress',
    });
    await stepOk(rWorker, started, { to: 'completed', outcome: 'survivor_declined' });
    await stepOk(rWorker, await make(), { to: 'declined', reason: 'Full' });
    await refer(sWorker, { caseId: sCase, recipientOrganisationId: orgR, sections: ['profile'] });

    const own = await call(sAdmin, 'GET', '/api/referrals/statistics');
    expect(own.statusCode, own.body).toBe(200);
    const sent = own.json<{ sent: Record<string, unknown>; received: { total: number } }>();
    expect(sent.sent).toMatchObject({ total: 2, acceptanceRate: 0.5 });
    expect(sent.sent.medianHoursToAcknowledge).toEqual(expect.any(Number));
    expect(sent.sent.outcomes).toContainEqual({ value: 'survivor_declined', count: 1 });
    expect(sent.sent.byState).toContainEqual({ value: 'declined', count: 1 });
    expect(sent.received.total).toBe(0);
    const theirs = (await call(rSupervisor, 'GET', '/api/referrals/statistics')).json<{
      received: { total: number };
    }>();
    expect(theirs.received.total).toBe(2);
    expect((await call(rWorker, 'GET', '/api/referrals/statistics')).statusCode).toBe(403);

    const platform = await call(platformAdmin, 'GET', '/api/referrals/platform-statistics');
    expect(platform.statusCode, platform.body).toBe(200);
    const counts = platform.json<{
      threshold: number;
      total: number | null;
      byState: { count: number | null }[];
      byOutcome: { value: string; count: number | null }[];
      byReach: { value: string; count: number | null }[];
    }>();
    expect(counts.threshold).toBe(5);
    const cells = [...counts.byState, ...counts.byOutcome, ...counts.byReach];
    expect(cells.every((cell) => cell.count === null || cell.count >= 5)).toBe(true);
    // One survivor_declined outcome in the whole database: suppressed, never 1.
    expect(counts.byOutcome.find((cell) => cell.value === 'survivor_declined')!.count).toBeNull();
    expect(counts.total).toBeGreaterThanOrEqual(5);
    expect(counts.byReach.find((cell) => cell.value === 'cross_border')!.count).toBeGreaterThanOrEqual(5);
    expect((await call(supervisor, 'GET', '/api/referrals/platform-statistics')).statusCode).toBe(403);
  });
  it('tells message threads who a referral’s parties are, and whether it takes new messages', async () => {
    const ctxOf = (session: Session): Ctx => ({
      kernel: t.app.kernel,
      actor: {
        kind: 'person',
        personId: session.personId,
        sessionId: session.sessionId,
        level: 'full',
        platformRole: null,
        membership: { id: session.membershipId, organisationId: session.organisationId, role: session.role },
        hasRequiredFactor: true,
        stepUpAt: null,
      },
      audit: {},
      language: 'en',
      ip: '127.0.0.1',
      userAgent: null,
    });
    const resolve = (session: Session, id: string) =>
      inTransaction(db(), (tx) => referralThreadSubject(ctxOf(session), tx, id));
    const caseId = await createCase(worker);
    await consent(worker, caseId, orgB, ['profile']);
    const draft = await refer(worker, { caseId, sections: ['profile'] });
    const parties = { organisationIds: [orgA, orgB], path: `/referrals/${draft.id}` };
    expect(await resolve(worker, draft.id)).toEqual({ ...parties, open: false });
    expect(await resolve(bWorker, draft.id)).toBeNull();
    const acknowledged = await sentAndAcknowledged(draft);
    expect(await resolve(bWorker, draft.id)).toEqual({ ...parties, open: true });
    expect(await resolve(outsider, draft.id)).toBeNull();
    expect(await resolve(otherWorker, draft.id)).toBeNull();
    await stepOk(bWorker, acknowledged, { to: 'declined', reason: 'No capacity' });
    expect(await resolve(worker, draft.id)).toEqual({ ...parties, open: false });
  });
  it('seals its free text under the sender’s key, and a rotation of that key re-seals it (the old key can go)', async () => {
    const orgS = (await createOrganisation(db())).id;
    const sWorker = await sessionIn(orgS, 'caseworker');
    const sSupervisor = await sessionIn(orgS, 'case_supervisor');
    const caseId = await createCase(sWorker);
    await consent(sWorker, caseId, orgB, ['profile']);
    const draft = await refer(sSupervisor, {
      caseId,
      sections: ['profile', 'victim'],
      overrideSections: ['victim'],
      overrideReason: `${marker} reason`,
      note: `${marker} note`,
    });
    const sealedOf = () =>
      inTransaction(db(), async (tx) => {
        await setTenant(tx, orgS);
        const [row] = await queryRows<{ note_sealed: string; override_reason_sealed: string }>(
          tx,
          sql`select note_sealed, override_reason_sealed from referrals_referrals where id = ${draft.id}`,
        );
        return row!;
      });
    const before = await sealedOf();
    expect(JSON.stringify(before)).not.toContain(marker);
    const rotation = await t.app.kernel.keys.rotateOrganisationKey(orgS);
    let progress = await t.app.kernel.keys.runRotation(rotation.rotationId);
    while (progress.state === 'running') progress = await t.app.kernel.keys.runRotation(rotation.rotationId);
    expect(progress.state).toBe('done');
    const after = await sealedOf();
    expect(after.note_sealed).not.toBe(before.note_sealed);
    expect(after.override_reason_sealed).not.toBe(before.override_reason_sealed);
    const report = await t.app.kernel.keys.destroyRetiredKeys({ organisationId: orgS });
    expect(report.destroyed).toContainEqual(
      expect.objectContaining({ scope: orgS, version: rotation.fromVersion }),
    );
    const read = (await call(sSupervisor, 'GET', `/api/referrals/${draft.id}`)).json<Referral>();
    expect(read.note).toBe(`${marker} note`);
    expect(read.override?.reason).toBe(`${marker} reason`);
  });
});
