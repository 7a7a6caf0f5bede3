import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { stepUp } from '../../test/cases.js';
import { createOrganisation } from '../../test/factories.js';
import { buildFullCase, call, carriedContent, sessionIn, type Session } from '../../test/transfers.js';
import type { CaseFile } from '../cases/index.js';
import { identityPeople } from '../identity/index.js';
import { parseThreadEvent, threadEventChannel } from './referrals.messages.events.js';
import { referralsReferrals, referralsTransfers } from './referrals.tables.js';
import { transferThreadSubject } from './referrals.transfers.access.js';
import {
  decideTransferTransition,
  transferSides,
  transferStates,
  transferTransitionAllowed,
  type TransferFacts,
  type TransferState,
} from './referrals.transfers.policy.js';
import type { Transfer, TransferRecord, TransferSummary } from './referrals.transfers.schemas.js';

/** The only three steps a transfer can take. */
const allowed = new Set([
  'requested>accepted>recipient',
  'requested>rejected>recipient',
  'requested>revoked>sender',
]);

describe('transfers: the state machine', () => {
  it('allows requested → accepted | rejected (recipient) and requested → revoked (sender), and nothing else', () => {
    let checked = 0;
    for (const from of transferStates)
      for (const to of transferStates)
        for (const side of transferSides) {
          expect(transferTransitionAllowed(from, to, side), `${from} → ${to} by ${side}`).toBe(
            allowed.has(`${from}>${to}>${side}`),
          );
          checked++;
        }
    expect(checked).toBe(32);
  });

  it('answers every step from every state: allowed, forbidden (other side or role), conflict (state), not found', () => {
    const facts = (over: Partial<TransferFacts>): TransferFacts => ({
      side: 'recipient',
      role: 'case_supervisor',
      requester: false,
      reachesCase: false,
      state: 'requested',
      hasRecord: false,
      ...over,
    });
    const recipientSupervisor = facts({});
    const requester = facts({ side: 'sender', role: 'caseworker', requester: true, reachesCase: true });
    const senderSupervisor = facts({ side: 'sender', reachesCase: true });
    const otherCaseworker = facts({ side: 'sender', role: 'caseworker', reachesCase: true });
    const recipientCaseworker = facts({ role: 'caseworker' });
    const admin = facts({ role: 'org_admin' });
    for (const from of transferStates)
      for (const to of transferStates) {
        const at = (who: TransferFacts) => decideTransferTransition({ ...who, state: from }, to);
        const recipientMay = allowed.has(`${from}>${to}>recipient`);
        const senderMay = allowed.has(`${from}>${to}>sender`);
        const label = `${from} → ${to}`;
        // The side a step belongs to meets a conflict when the state is wrong; the other side is forbidden.
        const onlySender = to === 'revoked';
        const onlyRecipient = to === 'accepted' || to === 'rejected';
        expect(at(recipientSupervisor), label).toBe(
          recipientMay ? 'allowed' : onlySender ? 'forbidden' : 'conflict',
        );
        for (const sender of [requester, senderSupervisor])
          expect(at(sender), label).toBe(senderMay ? 'allowed' : onlyRecipient ? 'forbidden' : 'conflict');
        // Seen but not theirs to take: a caseworker of the sender who did not ask.
        expect(at(otherCaseworker), label).toBe(to === 'requested' ? 'conflict' : 'forbidden');
        // Never seen at all: the recipient's caseworkers, an admin.
        expect(at(recipientCaseworker), label).toBe('not_found');
        expect(at(admin), label).toBe('not_found');
      }
  });
});

describe('transfers: handing a case over to another organisation', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let orgC: string;
  let workerA: Session;
  let otherWorkerA: Session;
  let supervisorA: Session;
  let adminA: Session;
  let supervisorB: Session;
  let workerB: Session;
  let supervisorC: Session;

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    const db = t.database.db;
    orgA = (await createOrganisation(db, { tier: 'verified_frontline' })).id;
    orgB = (await createOrganisation(db, { tier: 'verified' })).id;
    orgC = (await createOrganisation(db)).id;
    workerA = await sessionIn(t, orgA, 'caseworker');
    otherWorkerA = await sessionIn(t, orgA, 'caseworker');
    supervisorA = await sessionIn(t, orgA, 'case_supervisor');
    adminA = await sessionIn(t, orgA, 'org_admin');
    supervisorB = await sessionIn(t, orgB, 'case_supervisor');
    workerB = await sessionIn(t, orgB, 'caseworker');
    supervisorC = await sessionIn(t, orgC, 'case_supervisor');
    // A and B have worked together once already (so most tests need no new-partner confirmation).
    const first = await buildFullCase(t, workerA, { transferTo: orgB });
    const made = await request(workerA, {
      caseId: first.file.id,
      recipientOrganisationId: orgB,
      confirmNewPartner: true,
    });
    expect(made.statusCode, made.body).toBe(201);
  });
  afterAll(() => t.close());

  const request = (session: Session, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/transfers',
      headers: { cookie: session.cookie, ...headers },
      payload: body,
    });
  const step = (session: Session, id: string, action: 'accept' | 'reject' | 'revoke', reason?: string) =>
    call(
      t,
      session,
      'POST',
      `/api/transfers/${id}/${action}`,
      action === 'accept' ? undefined : { reason: reason ?? 'A reason.' },
    );
  const get = (session: Session, id: string) => call(t, session, 'GET', `/api/transfers/${id}`);
  const stateOf = async (id: string) =>
    (
      await t.database.asOwner((owner) =>
        owner.select().from(referralsTransfers).where(eq(referralsTransfers.id, id)),
      )
    )[0]!.state;

  /** A case of A's caseworker with a Transfer consent naming B, and a transfer of it to B. */
  async function requested(options: { keepRecord?: boolean; note?: string } = {}) {
    const full = await buildFullCase(t, workerA, { transferTo: orgB });
    const made = await request(workerA, { caseId: full.file.id, recipientOrganisationId: orgB, ...options });
    expect(made.statusCode, made.body).toBe(201);
    return { full, transfer: made.json<Transfer>() };
  }

  const emailOf = async (session: Session) =>
    (await t.database.db.select().from(identityPeople).where(eq(identityPeople.id, session.personId)))[0]!
      .email;

  /** The mails queued about a transfer (each links to it), with their recipients. */
  const mailsAbout = (transferId: string) =>
    inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      return (
        await queryRows<{ payload: { to: string; subject: string; text: string } }>(
          tx,
          sql`select payload from kernel_jobs where name = 'kernel.send_mail'
              and payload->>'text' like ${`%/transfers/${transferId}%`} order by id`,
        )
      ).map((row) => row.payload);
    });

  const auditOf = (transferId: string) =>
    t.database.asOwner((owner) =>
      queryRows<{ action: string; organisation_id: string; details: unknown }>(
        owner,
        sql`select action, organisation_id, details from kernel_audit where object_id = ${transferId} order by id`,
      ),
    );

  it('asks for confirmation between organisations that never worked together, naming both tiers', async () => {
    const full = await buildFullCase(t, workerA, { transferTo: orgC });
    const body = { caseId: full.file.id, recipientOrganisationId: orgC };
    const refused = await request(workerA, body);
    expect(refused.statusCode, refused.body).toBe(409);
    // The same answer as a referral's first sending: the problem code and both tiers, for the same dialog.
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({
      code: 'new_partner_unconfirmed',
      newPartner: { senderTier: 'verified_frontline', recipientTier: 'verified' },
    });
    const confirmed = await request(workerA, { ...body, confirmNewPartner: true });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    expect(confirmed.json<Transfer>()).toMatchObject({ state: 'requested', newPartnerConfirmed: true });
    // Now they have: the next transfer between them asks nothing.
    const again = await buildFullCase(t, workerA, { transferTo: orgC });
    const second = await request(workerA, { caseId: again.file.id, recipientOrganisationId: orgC });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json<Transfer>().newPartnerConfirmed).toBe(false);
  });

  it('asks for a transfer once, with the survivor’s consent, from someone who works on the case', async () => {
    const key = randomUUID();
    const full = await buildFullCase(t, workerA, { transferTo: orgB });
    const body = {
      caseId: full.file.id,
      recipientOrganisationId: orgB,
      note: `${full.marker} please call first`,
    };
    const first = await request(workerA, body, { 'idempotency-key': key });
    const replay = await request(workerA, body, { 'idempotency-key': key });
    expect(first.statusCode, first.body).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(first.body);
    const transfer = first.json<Transfer>();
    expect(transfer).toMatchObject({
      caseId: full.file.id,
      state: 'requested',
      sender: { id: orgA, tier: 'verified_frontline' },
      recipient: { id: orgB, tier: 'verified' },
      senderReference: full.file.reference,
      note: `${full.marker} please call first`,
      requestedBy: { personId: workerA.personId },
      keepRecord: false,
      hasRecord: false,
      abilities: { accept: false, reject: false, revoke: true, viewRecord: false },
    });
    expect(transfer.transitions).toEqual([
      expect.objectContaining({ from: null, to: 'requested', byOrganisationId: orgA }),
    ]);
    // One open transfer per case.
    const twice = await request(workerA, { caseId: full.file.id, recipientOrganisationId: orgB });
    expect(twice.statusCode).toBe(409);
    expect(twice.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'referrals.transfer_already_open',
    );
    // B's case supervisors are told, with a link and nothing else.
    const mails = await mailsAbout(transfer.id);
    expect(mails.map((mail) => mail.to)).toEqual([await emailOf(supervisorB)]);
    expect(mails[0]!.text).toContain(`/transfers/${transfer.id}`);
    expect(JSON.stringify(mails)).not.toContain(full.marker);
    expect(JSON.stringify(mails)).not.toContain(full.file.reference);
    // The note is sealed at rest.
    const [raw] = await t.database.asOwner((owner) =>
      owner.select().from(referralsTransfers).where(eq(referralsTransfers.id, transfer.id)),
    );
    expect(raw!.noteSealed).not.toContain(full.marker);
    const audit = await auditOf(transfer.id);
    expect(audit.map((row) => [row.action, row.organisation_id])).toEqual([
      ['referrals.transfer_requested', orgA],
    ]);
    expect(JSON.stringify(audit)).not.toContain(full.marker);

    // Refusals.
    const noConsent = await buildFullCase(t, workerA);
    const missing = await request(workerA, { caseId: noConsent.file.id, recipientOrganisationId: orgB });
    expect(missing.statusCode).toBe(409);
    expect(missing.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'referrals.transfer_consent_required',
    );
    const toSelf = await request(workerA, { caseId: noConsent.file.id, recipientOrganisationId: orgA });
    expect(toSelf.statusCode).toBe(400);
    const toNobody = await request(workerA, {
      caseId: noConsent.file.id,
      recipientOrganisationId: randomUUID(),
    });
    expect(toNobody.statusCode).toBe(400);
    // A caseworker not on the case, and another organisation, do not find it.
    const other = await buildFullCase(t, workerA, { transferTo: orgB });
    const body2 = { caseId: other.file.id, recipientOrganisationId: orgB };
    expect((await request(otherWorkerA, body2)).statusCode).toBe(404);
    expect((await request(supervisorC, body2)).statusCode).toBe(404);
    expect((await request(adminA, body2)).statusCode).toBe(403);
    // A referral still running, or a closure waiting, keeps the case where it is.
    const referralId = randomUUID();
    await inTransaction(t.database.db, async (tx) => {
      await setTenant(tx, orgA);
      await tx.insert(referralsReferrals).values({
        id: referralId,
        caseId: other.file.id,
        senderOrganisationId: orgA,
        recipientOrganisationId: orgC,
        state: 'sent',
        services: ['shelter'],
        sections: ['profile'],
      });
    });
    const running = await request(supervisorA, body2);
    expect(running.statusCode).toBe(409);
    expect(running.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'referrals.transfer_open_referral',
    );
    await inTransaction(t.database.db, async (tx) => {
      await setTenant(tx, orgA);
      await tx
        .update(referralsReferrals)
        .set({ state: 'completed' })
        .where(eq(referralsReferrals.id, referralId));
    });
    const closing = await call(t, workerA, 'POST', `/api/cases/${other.file.id}/closure-request`, {
      status: 'Closed',
      reason: 'Services delivered.',
    });
    expect(closing.statusCode, closing.body).toBe(200);
    const waiting = await request(supervisorA, body2);
    expect(waiting.statusCode).toBe(409);
    expect(waiting.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'cases.transfer_closure_pending',
    );
    // A case supervisor of the owner may ask (the supervisor, not only the assigned caseworker).
    const bySupervisor = await buildFullCase(t, workerA, { transferTo: orgB });
    const made = await request(supervisorA, { caseId: bySupervisor.file.id, recipientOrganisationId: orgB });
    expect(made.statusCode, made.body).toBe(201);
  });

  it('moves the case on acceptance: B opens it as A held it, A keeps only its record', async () => {
    const { full, transfer } = await requested({ keepRecord: true });
    const caseId = full.file.id;
    // Who sees the request: B's case supervisors; not B's caseworkers, not a third organisation.
    const seen = await get(supervisorB, transfer.id);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json<Transfer>().abilities).toEqual({
      accept: true,
      reject: true,
      revoke: false,
      viewRecord: false,
    });
    expect((await get(workerB, transfer.id)).statusCode).toBe(404);
    expect((await get(supervisorC, transfer.id)).statusCode).toBe(404);
    expect((await get(otherWorkerA, transfer.id)).statusCode).toBe(404);
    expect((await get(adminA, transfer.id)).statusCode).toBe(403);
    expect(
      await inTransaction(t.database.db, (tx) => transferThreadSubject(ctxOf(supervisorC), tx, transfer.id)),
    ).toBeNull();

    const accepted = await step(supervisorB, transfer.id, 'accept');
    expect(accepted.statusCode, accepted.body).toBe(200);
    const after = accepted.json<Transfer>();
    expect(after).toMatchObject({
      state: 'accepted',
      decidedBy: { personId: supervisorB.personId },
      hasRecord: true,
    });
    expect(after.transitions.map((transition) => [transition.from, transition.to])).toEqual([
      [null, 'requested'],
      ['requested', 'accepted'],
    ]);

    // B's supervisor opens the case through the cases API, exactly as A held it, and its attachment.
    await stepUp(t.database.db, supervisorB.sessionId);
    const opened = await call(t, supervisorB, 'GET', `/api/cases/${caseId}?reveal=true`);
    expect(opened.statusCode, opened.body).toBe(200);
    expect(carriedContent(opened.json<CaseFile>())).toEqual(carriedContent(full.file));
    const download = await call(
      t,
      supervisorB,
      'GET',
      `/api/cases/${caseId}/attachments/${full.attachmentId}/content`,
    );
    expect(download.rawPayload.equals(full.attachmentBytes)).toBe(true);
    // A no longer opens it, and its duplicate check no longer finds it; B's does.
    expect((await call(t, workerA, 'GET', `/api/cases/${caseId}`)).statusCode).toBe(404);
    expect((await call(t, supervisorA, 'GET', `/api/cases/${caseId}`)).statusCode).toBe(404);
    const check = { documentNumbers: [full.documentNumber] };
    expect((await call(t, supervisorA, 'POST', '/api/cases/duplicate-checks', check)).json()).toEqual({
      matches: [],
    });
    expect(
      (await call(t, supervisorB, 'POST', '/api/cases/duplicate-checks', check))
        .json<{ matches: { caseId: string }[] }>()
        .matches.map((match) => match.caseId),
    ).toEqual([caseId]);

    // The record: A's case supervisors only, after a step-up.
    const url = `/api/transfers/${transfer.id}/record`;
    const notStepped = await call(t, supervisorA, 'GET', url);
    expect(notStepped.statusCode).toBe(403);
    expect(notStepped.json<{ code: string }>().code).toBe('step_up_required');
    await stepUp(t.database.db, supervisorA.sessionId);
    const record = await call(t, supervisorA, 'GET', url);
    expect(record.statusCode, record.body).toBe(200);
    const held = record.json<TransferRecord>().record;
    expect(held.identity).toEqual(full.file.identity);
    expect(held.documents).toEqual(full.file.documents);
    expect(held.reference).toBe(full.file.reference);
    expect(held.entries.map((entry) => entry.fields)).toEqual(full.file.entries.map((entry) => entry.fields));
    expect(held.attachments.map((attachment) => attachment.name)).toEqual([full.attachmentName]);
    expect(record.body).not.toContain(full.attachmentBytes.toString('base64').slice(0, 40));
    await stepUp(t.database.db, workerA.sessionId);
    await stepUp(t.database.db, supervisorB.sessionId);
    expect((await call(t, workerA, 'GET', url)).statusCode).toBe(403);
    expect((await call(t, supervisorB, 'GET', url)).statusCode).toBe(403);
    expect((await call(t, supervisorC, 'GET', url)).statusCode).toBe(404);
    // The requester still sees the transfer (not the case), with nothing left to do.
    const requester = await get(workerA, transfer.id);
    expect(requester.statusCode).toBe(200);
    expect(requester.json<Transfer>().abilities).toEqual({
      accept: false,
      reject: false,
      revoke: false,
      viewRecord: false,
    });
    // The record sits sealed under A's key.
    const [raw] = await t.database.asOwner((owner) =>
      owner.select().from(referralsTransfers).where(eq(referralsTransfers.id, transfer.id)),
    );
    expect(raw!.recordSealed).not.toContain(full.marker);
    await expect(
      t.app.kernel.keys.openField(
        t.database.db,
        { organisationId: orgB, table: 'referrals_transfers', column: 'record_sealed', rowId: transfer.id },
        raw!.recordSealed!,
      ),
    ).rejects.toThrow();

    // Both trails; A's supervisors were told, with a link only.
    const audit = await auditOf(transfer.id);
    expect(audit.map((row) => [row.action, row.organisation_id])).toEqual([
      ['referrals.transfer_requested', orgA],
      ['referrals.transfer_accepted', orgB],
      ['referrals.transfer_record_read', orgA],
    ]);
    const moves = await t.database.asOwner((owner) =>
      queryRows<{ action: string; organisation_id: string }>(
        owner,
        sql`select action, organisation_id from kernel_audit where object_id = ${caseId}
            and action like 'cases.case_transferred_%' order by id`,
      ),
    );
    expect(moves.map((row) => [row.action, row.organisation_id])).toEqual([
      ['cases.case_transferred_out', orgA],
      ['cases.case_transferred_in', orgB],
    ]);
    const mails = await mailsAbout(transfer.id);
    expect(mails.map((mail) => mail.to)).toEqual([await emailOf(supervisorB), await emailOf(supervisorA)]);
    expect(JSON.stringify(mails)).not.toContain(full.marker);
    expect(JSON.stringify([audit, mails])).not.toContain(full.file.reference);
    // The thread: both organisations, still open just after the decision.
    expect(
      await inTransaction(t.database.db, (tx) => transferThreadSubject(ctxOf(supervisorB), tx, transfer.id)),
    ).toEqual({
      organisationIds: [orgA, orgB],
      open: true,
      path: `/transfers/${transfer.id}`,
    });
    expect(t.rawLogs()).not.toContain(full.marker);
  });

  it('re-seals the note and the record when the sender’s key rotates (the keyring knows the table)', async () => {
    const { full, transfer } = await requested({ keepRecord: true, note: 'Call before noon.' });
    expect((await step(supervisorB, transfer.id, 'accept')).statusCode).toBe(200);
    const started = await t.app.kernel.keys.rotateOrganisationKey(orgA);
    expect((await t.app.kernel.keys.runRotation(started.rotationId)).state).toBe('done');
    const [raw] = await t.database.asOwner((owner) =>
      owner.select().from(referralsTransfers).where(eq(referralsTransfers.id, transfer.id)),
    );
    expect(raw!.recordSealed!.startsWith(`k${started.toVersion}.`)).toBe(true);
    expect(raw!.noteSealed!.startsWith(`k${started.toVersion}.`)).toBe(true);
    await stepUp(t.database.db, supervisorA.sessionId);
    const record = await call(t, supervisorA, 'GET', `/api/transfers/${transfer.id}/record`);
    expect(record.statusCode, record.body).toBe(200);
    expect(record.json<TransferRecord>().record.identity).toEqual(full.file.identity);
    expect((await get(supervisorB, transfer.id)).json<Transfer>().note).toBe('Call before noon.');
  });

  it('answers 404 for a record that was not kept', async () => {
    const { transfer } = await requested();
    expect((await step(supervisorB, transfer.id, 'accept')).statusCode).toBe(200);
    await stepUp(t.database.db, supervisorA.sessionId);
    expect((await call(t, supervisorA, 'GET', `/api/transfers/${transfer.id}/record`)).statusCode).toBe(404);
  });

  it('refuses acceptance once the survivor’s consent was revoked; the transfer stays requested until the sender revokes it', async () => {
    const { full, transfer } = await requested();
    const consent = full.file.consents.find((item) => item.purpose === 'Transfer')!;
    const revoked = await call(
      t,
      workerA,
      'POST',
      `/api/cases/${full.file.id}/consents/${consent.id}/revoke`,
    );
    expect(revoked.statusCode, revoked.body).toBe(200);
    const refused = await step(supervisorB, transfer.id, 'accept');
    expect(refused.statusCode).toBe(409);
    const problem = refused.json<{ errors: { code: string; message: string }[] }>();
    expect(problem.errors[0]!.code).toBe('referrals.transfer_consent_revoked');
    expect(problem.errors[0]!.message).toMatch(/consent/i);
    expect(await stateOf(transfer.id)).toBe('requested');
    expect((await call(t, workerA, 'GET', `/api/cases/${full.file.id}`)).statusCode).toBe(200);
    expect((await call(t, supervisorB, 'GET', `/api/cases/${full.file.id}`)).statusCode).toBe(404);
    const withdrawn = await step(workerA, transfer.id, 'revoke', 'The survivor changed her mind.');
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json<Transfer>()).toMatchObject({
      state: 'revoked',
      reason: 'The survivor changed her mind.',
    });
    // B sees why; B's supervisors were told.
    expect((await get(supervisorB, transfer.id)).json<Transfer>().reason).toBe(
      'The survivor changed her mind.',
    );
    expect((await mailsAbout(transfer.id)).map((mail) => mail.to)).toEqual([
      await emailOf(supervisorB),
      await emailOf(supervisorB),
    ]);
  });

  it('lets the recipient reject with a reason; the case stays with the sender', async () => {
    const { full, transfer } = await requested();
    const rejected = await step(supervisorB, transfer.id, 'reject', 'We have no bed for her this month.');
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json<Transfer>()).toMatchObject({
      state: 'rejected',
      reason: 'We have no bed for her this month.',
    });
    expect((await get(workerA, transfer.id)).json<Transfer>().reason).toBe(
      'We have no bed for her this month.',
    );
    expect((await call(t, workerA, 'GET', `/api/cases/${full.file.id}`)).statusCode).toBe(200);
    // The case may be offered again.
    const again = await request(workerA, { caseId: full.file.id, recipientOrganisationId: orgB });
    expect(again.statusCode, again.body).toBe(201);
    const [raw] = await t.database.asOwner((owner) =>
      owner.select().from(referralsTransfers).where(eq(referralsTransfers.id, transfer.id)),
    );
    expect(raw!.reasonSealed).not.toContain('no bed');
  });

  it('refuses every step the state machine does not allow, and every caller it is not for, leaving the state as it was', async () => {
    // One transfer in each final state, and one still requested.
    const make = async () => (await requested()).transfer.id;
    const accepted = await make();
    expect((await step(supervisorB, accepted, 'accept')).statusCode).toBe(200);
    const rejected = await make();
    expect((await step(supervisorB, rejected, 'reject')).statusCode).toBe(200);
    const revoked = await make();
    expect((await step(workerA, revoked, 'revoke')).statusCode).toBe(200);
    const open = await make();
    const ids: Record<TransferState, string> = { requested: open, accepted, rejected, revoked };
    const actions = [
      ['accept', supervisorB],
      ['reject', supervisorB],
      ['revoke', supervisorA],
    ] as const;
    for (const from of ['accepted', 'rejected', 'revoked'] as const)
      for (const [action, who] of actions) {
        const answer = await step(who, ids[from], action);
        expect(answer.statusCode, `${action} from ${from}`).toBe(409);
        expect(answer.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
          'referrals.transfer_not_requested',
        );
        expect(await stateOf(ids[from])).toBe(from);
      }
    // The wrong side (403), the wrong role at the gate (403), strangers (404) — and the open one stays open.
    const refusals: [Session, 'accept' | 'reject' | 'revoke', number][] = [
      [supervisorA, 'accept', 403],
      [supervisorA, 'reject', 403],
      [supervisorB, 'revoke', 403],
      [workerA, 'accept', 403],
      [workerB, 'accept', 403],
      [workerB, 'revoke', 404],
      [otherWorkerA, 'revoke', 404],
      [supervisorC, 'accept', 404],
      [supervisorC, 'reject', 404],
      [supervisorC, 'revoke', 404],
      [adminA, 'revoke', 403],
    ];
    for (const [who, action, status] of refusals) {
      const answer = await step(who, open, action);
      expect(answer.statusCode, `${action} by ${who.personId}`).toBe(status);
      expect(await stateOf(open)).toBe('requested');
    }
    // A caseworker of A who works on the case sees it but did not ask: not theirs to withdraw.
    const full = await buildFullCase(t, otherWorkerA, { transferTo: orgB });
    const asked = await request(supervisorA, { caseId: full.file.id, recipientOrganisationId: orgB });
    expect(asked.statusCode, asked.body).toBe(201);
    const id = asked.json<Transfer>().id;
    expect((await get(otherWorkerA, id)).statusCode).toBe(200);
    expect((await step(otherWorkerA, id, 'revoke')).statusCode).toBe(403);
    expect(await stateOf(id)).toBe('requested');
    // The record of a stranger's transfer does not exist for them.
    await stepUp(t.database.db, supervisorC.sessionId);
    expect((await call(t, supervisorC, 'GET', `/api/transfers/${accepted}/record`)).statusCode).toBe(404);
  });

  it('lists what was sent and received, page by page, as each person may see it', async () => {
    const made = [await requested(), await requested(), await requested()].map(({ transfer }) => transfer.id);
    const list = async (session: Session, query: string) => {
      const answer = await call(t, session, 'GET', `/api/transfers?${query}`);
      expect(answer.statusCode, answer.body).toBe(200);
      return answer.json<{ items: TransferSummary[]; nextCursor: string | null }>();
    };
    const all = async (session: Session, query: string) => {
      const items: TransferSummary[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(session, `${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(2);
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    };
    const sentByWorker = (await all(workerA, 'box=sent')).map((item) => item.id);
    expect(sentByWorker).toEqual(expect.arrayContaining(made));
    expect(new Set(sentByWorker).size).toBe(sentByWorker.length);
    const sentBySupervisor = (await all(supervisorA, 'box=sent')).map((item) => item.id);
    expect(sentBySupervisor).toEqual(expect.arrayContaining(sentByWorker));
    expect((await all(otherWorkerA, 'box=sent')).filter((item) => made.includes(item.id))).toEqual([]);
    const received = await all(supervisorB, 'box=received');
    expect(received.map((item) => item.id)).toEqual(expect.arrayContaining(made));
    expect(received.every((item) => item.recipient.id === orgB)).toBe(true);
    expect((await list(workerB, 'box=received')).items).toEqual([]);
    expect((await list(supervisorC, 'box=received')).items.map((item) => item.id)).not.toContain(made[0]);
    // Newest change first; a state filter.
    const stamps = received.map((item) => item.updatedAt);
    expect([...stamps].sort().reverse()).toEqual(stamps);
    expect((await step(supervisorB, made[0]!, 'reject')).statusCode).toBe(200);
    const rejected = (await all(supervisorB, 'box=received&state=rejected')).map((item) => item.id);
    expect(rejected).toContain(made[0]);
    expect(rejected).not.toContain(made[1]);
    expect((await call(t, supervisorB, 'GET', '/api/transfers?box=elsewhere')).statusCode).toBe(400);
  });

  it('filters the sent list by case, and refuses a case filter on the received list (the recipient knows no case id)', async () => {
    const first = await requested();
    const second = await requested();
    const byCase = await call(t, workerA, 'GET', `/api/transfers?box=sent&caseId=${first.full.file.id}`);
    expect(byCase.statusCode, byCase.body).toBe(200);
    expect(byCase.json<{ items: TransferSummary[] }>().items.map((item) => item.id)).toEqual([
      first.transfer.id,
    ]);
    const other = await call(t, workerA, 'GET', `/api/transfers?box=sent&caseId=${second.full.file.id}`);
    expect(other.json<{ items: TransferSummary[] }>().items.map((item) => item.id)).toEqual([
      second.transfer.id,
    ]);
    // A colleague who does not work on the case finds nothing by its id either.
    const colleague = await call(
      t,
      otherWorkerA,
      'GET',
      `/api/transfers?box=sent&caseId=${first.full.file.id}`,
    );
    expect(colleague.json<{ items: TransferSummary[] }>().items).toEqual([]);
    const received = await call(
      t,
      supervisorB,
      'GET',
      `/api/transfers?box=received&caseId=${first.full.file.id}`,
    );
    expect(received.statusCode).toBe(400);
    expect(received.json<{ errors: { path: string; code: string }[] }>().errors).toEqual([
      expect.objectContaining({ path: 'query.caseId', code: 'referrals.case_filter_sent_only' }),
    ]);
  });

  it('announces each new state to the live streams’ channel: the kind, id, state and parties only', async () => {
    const heard: string[] = [];
    const listener = await t.app.kernel.database.listen(threadEventChannel, (payload) => heard.push(payload));
    try {
      const { transfer } = await requested({ note: 'Not for the channel' });
      expect((await step(supervisorB, transfer.id, 'reject')).statusCode).toBe(200);
      const mine = () =>
        heard.map(parseThreadEvent).filter((event) => JSON.stringify(event).includes(transfer.id));
      await vi.waitFor(() => expect(mine()).toHaveLength(2));
      expect(mine()).toEqual(
        ['requested', 'rejected'].map((state) => ({
          kind: 'state',
          subjectKind: 'transfer',
          subjectId: transfer.id,
          state,
          parties: [orgA, orgB],
        })),
      );
      expect(heard.join()).not.toContain('Not for the channel');
    } finally {
      await listener.unlisten();
    }
  });

  /** A use-case context for a session's person (for the thread resolver, called as the messages part would). */
  function ctxOf(session: Session): Ctx {
    return {
      kernel: t.app.kernel,
      actor: {
        kind: 'person',
        personId: session.personId,
        sessionId: session.sessionId,
        level: 'full',
        platformRole: null,
        membership: {
          id: session.membershipId,
          organisationId: session.organisationId,
          role:
            session === supervisorB || session === supervisorA || session === supervisorC
              ? 'case_supervisor'
              : 'caseworker',
        },
        hasRequiredFactor: true,
        stepUpAt: null,
      },
      audit: {},
      language: 'en',
      ip: '127.0.0.1',
      userAgent: null,
    };
  }
});
