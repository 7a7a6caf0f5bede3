import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createSmtpMailer } from '../../kernel/mail/mail.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, signIn } from '../../test/factories.js';
import { startSmtpServer, type Received } from '../../test/smtp.js';
import { sweepReferralDeadlines } from './referrals.notifications.js';
import type { Referral } from './referrals.schemas.js';

const marker = `Canary${randomUUID().replaceAll('-', '').slice(0, 12)}`;

describe('referrals: mail (over real SMTP)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: TestApp;
  const db = () => t.database.db;
  const people: Record<string, { cookie: string; email: string; personId: string }> = {};
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({
      env: { CAIRN_RATE_LIMIT_MAX: '100000' },
      mailer: createSmtpMailer(smtp.url, 'Cairn <no-reply@cairn.test>'),
    });
    orgA = (await createOrganisation(db(), { name: `Sender ${marker}` })).id;
    orgB = (await createOrganisation(db(), { name: `Recipient ${marker}` })).id;
    const person = async (key: string, organisationId: string, role: Role) => {
      const m = await createMember(db(), { role, organisationId });
      const { cookie } = await signIn(db(), m.personId, { membershipId: m.membership.id });
      const [row] = await queryRows<{ email: string }>(
        db(),
        sql`select email from identity_people where id = ${m.personId}`,
      );
      people[key] = { cookie, email: row!.email, personId: m.personId };
    };
    await person('worker', orgA, 'caseworker');
    await person('supervisor', orgA, 'case_supervisor');
    await person('bWorker', orgB, 'caseworker');
    await person('bSupervisor', orgB, 'case_supervisor');
    await person('bAdmin', orgB, 'org_admin');
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { cookie: people[who]!.cookie },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  /** Delivers every queued mail over SMTP and returns what arrived. */
  async function deliver(): Promise<Received[]> {
    const before = smtp.received.length;
    await t.app.kernel.jobs.runDue();
    return smtp.received.slice(before);
  }

  const recipientsOf = (mails: Received[]) => mails.flatMap((mail) => mail.to).sort();
  const emails = (...keys: string[]) => keys.map((key) => people[key]!.email.toLowerCase()).sort();

  function expectNothingIdentifying(mails: Received[], reference: string) {
    const text = JSON.stringify(mails);
    expect(text).not.toContain(marker);
    expect(text).not.toContain(reference);
    for (const person of Object.values(people)) expect(text).not.toContain(person.personId);
  }

  it('queues the deadline sweep every 15 minutes', async () => {
    const jobs = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ dedupe_key: string }>(
        tx,
        sql`select dedupe_key from kernel_jobs where name = 'referrals.deadline_sweep'`,
      );
    });
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    expect(jobs[0]!.dedupe_key).toMatch(/T\d{2}:(00|15|30|45):00\.000Z$/);
  });

  it('mails arrival, a reminder before the deadline, an escalation after it, and news back to the sender — each once, each only a link', async () => {
    const created = await call('worker', 'POST', '/api/cases', {
      identity: { firstName: `${marker}First`, secondName: `${marker}Family` },
      narrative: { account: `${marker} story` },
      profile: { gender: 'Masculine', citizenships: ['KE'] },
      victim: { traffickingStatus: 'ActualVictimOfTrafficking' },
    });
    const caseId = created.json<{ id: string }>().id;
    await call('worker', 'POST', `/api/cases/${caseId}/consents`, {
      purpose: 'Referral',
      recipientOrganisationId: orgB,
      sections: ['profile', 'narrative'],
      givenOn: new Date().toISOString().slice(0, 10),
    });
    const draft = await call('worker', 'POST', '/api/referrals', {
      caseId,
      recipientOrganisationId: orgB,
      services: ['shelter'],
      sections: ['profile', 'narrative'],
      note: `${marker} note for the recipient`,
      acknowledgeWithinHours: 8,
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const referral = draft.json<Referral>();
    const reference = referral.caseReference!;
    await deliver();
    const sent = (
      await call('worker', 'POST', `/api/referrals/${referral.id}/transitions`, {
        to: 'sent',
        version: 1,
        confirmNewPartner: true,
      })
    ).json<Referral>();
    const link = `${t.config.publicUrl}/referrals/${referral.id}`;

    const arrival = await deliver();
    // The recipient's case staff, not its admin.
    expect(recipientsOf(arrival)).toEqual(emails('bWorker', 'bSupervisor'));
    expect(arrival[0]!.subject).toBe('A referral needs your attention');
    expect(arrival[0]!.body).toContain(link);
    expectNothingIdentifying(arrival, reference);

    const due = new Date(sent.acknowledgeDueAt!);
    // Eight hours: the reminder comes in the last two.
    expect(await sweepReferralDeadlines(t.app.kernel, new Date(due.getTime() - 3 * 3_600_000))).toEqual({
      reminded: 0,
      escalated: 0,
    });
    expect(await sweepReferralDeadlines(t.app.kernel, new Date(due.getTime() - 90 * 60_000))).toEqual({
      reminded: 1,
      escalated: 0,
    });
    const reminders = await deliver();
    expect(recipientsOf(reminders)).toEqual(emails('bWorker', 'bSupervisor'));
    expect(reminders[0]!.subject).toBe('A referral is waiting for acknowledgement');
    expect(reminders[0]!.body).toContain(link);
    expectNothingIdentifying(reminders, reference);
    expect(await sweepReferralDeadlines(t.app.kernel, new Date(due.getTime() - 60 * 60_000))).toEqual({
      reminded: 0,
      escalated: 0,
    });

    expect(await sweepReferralDeadlines(t.app.kernel, new Date(due.getTime() + 60_000))).toEqual({
      reminded: 0,
      escalated: 1,
    });
    const escalations = await deliver();
    expect(recipientsOf(escalations)).toEqual(emails('bSupervisor'));
    expect(escalations[0]!.subject).toBe('A referral was not acknowledged in time');
    expect(escalations[0]!.body).toContain(link);
    expectNothingIdentifying(escalations, reference);
    expect(await sweepReferralDeadlines(t.app.kernel, new Date(due.getTime() + 30 * 60_000))).toEqual({
      reminded: 0,
      escalated: 0,
    });
    const waiting = (await call('bWorker', 'GET', `/api/referrals/${referral.id}`)).json<Referral>();
    expect(waiting.state).toBe('sent');

    // The recipient acts: the sender's creator hears of each step.
    let current = waiting;
    for (const [to, word] of [
      ['acknowledged', 'acknowledged'],
      ['accepted', 'accepted'],
      ['in_progress', null],
      ['completed', 'completed'],
    ] as const) {
      const response = await call('bSupervisor', 'POST', `/api/referrals/${referral.id}/transitions`, {
        to,
        version: current.version,
        ...(to === 'completed' ? { outcome: 'services_delivered', outcomeNote: `${marker} outcome` } : {}),
      });
      expect(response.statusCode, response.body).toBe(200);
      current = response.json<Referral>();
      const news = await deliver();
      expect(recipientsOf(news)).toEqual(emails('worker'));
      expect(news[0]!.subject).toBe('News on a referral you sent');
      if (word) expect(news[0]!.body).toContain(`has ${word} the referral`);
      expect(news[0]!.body).toContain(link);
      expectNothingIdentifying(news, reference);
    }
    // Nothing queued mentions the case either.
    const queued = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ payload: unknown }>(
        tx,
        sql`select payload from kernel_jobs where name = 'kernel.send_mail'`,
      );
    });
    expect(JSON.stringify(queued)).not.toContain(marker);
  });
});
