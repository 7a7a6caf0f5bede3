import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createSmtpMailer } from '../../kernel/mail/mail.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import { startSmtpServer, type Received } from '../../test/smtp.js';
import { spikeFloor } from './matching.notifications.js';

const phone = '+254 711 222 333';
const title = 'Operation Heron-Canary-4410';

describe('matching: mail (over real SMTP)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: TestApp;
  const db = () => t.database.db;
  const people: Record<string, { cookie: string; email: string; personId: string }> = {};
  let orgA: string;
  let adminEmail: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({
      env: { CAIRN_RATE_LIMIT_MAX: '100000' },
      mailer: createSmtpMailer(smtp.url, 'Cairn <no-reply@cairn.test>'),
    });
    orgA = (await createOrganisation(db(), { name: 'Police unit Heron' })).id;
    const orgB = (await createOrganisation(db(), { name: 'Shelter Heron' })).id;
    const person = async (key: string, organisationId: string, role: Role) => {
      const m = await createMember(db(), { role, organisationId });
      const { cookie } = await signIn(db(), m.personId, { membershipId: m.membership.id });
      const [row] = await queryRows<{ email: string }>(
        db(),
        sql`select email from identity_people where id = ${m.personId}`,
      );
      people[key] = { cookie, email: row!.email.toLowerCase(), personId: m.personId };
    };
    await person('investigatorA', orgA, 'investigator');
    await person('supervisorA', orgA, 'case_supervisor');
    await person('caseworkerA', orgA, 'caseworker');
    await person('supervisorB', orgB, 'case_supervisor');
    await person('adminB', orgB, 'org_admin');
    const admin = await createPerson(db(), { platformRole: 'platform_admin', passkey: true });
    adminEmail = admin.email.toLowerCase();
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const register = (who: string, selectors: unknown[]) =>
    t.app.inject({
      method: 'POST',
      url: '/api/matching/subjects',
      headers: { cookie: people[who]!.cookie },
      payload: { kind: 'investigation', title, selectors } as Record<string, unknown>,
    });

  async function deliver(): Promise<Received[]> {
    const before = smtp.received.length;
    await t.app.kernel.jobs.runDue();
    return smtp.received.slice(before);
  }

  it('tells the screeners of both organisations at once, naming nothing but the inbox', async () => {
    expect((await register('investigatorA', [{ type: 'phone', number: phone }])).statusCode).toBe(201);
    expect(await deliver()).toEqual([]);
    expect((await register('supervisorB', [{ type: 'phone', number: phone }])).statusCode).toBe(201);
    const mails = await deliver();
    expect(mails.flatMap((m) => m.to).sort()).toEqual(
      [people.investigatorA!.email, people.supervisorA!.email, people.supervisorB!.email].sort(),
    );
    expect(mails[0]!.subject).toBe('A possible overlap was found');
    expect(mails[0]!.body).toContain('/matching');
    const text = JSON.stringify(mails);
    // The phone's digits in full: a short piece such as '711' turns up by chance in a random Message-ID.
    for (const secret of [title, '711222333', '711 222 333', 'Heron', orgA])
      expect(text).not.toContain(secret);
  });

  it('reports a lookup spike once to the platform admins, audited', async () => {
    const lookups: number[] = [];
    for (let i = 0; i < spikeFloor + 2; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/matching/lookups',
        headers: { cookie: people.supervisorA!.cookie },
        payload: { selectors: [{ type: 'phone', number: `+254 722 000 ${String(100 + i)}` }] },
      });
      lookups.push(response.statusCode);
    }
    expect(lookups.every((status) => status === 200)).toBe(true);
    const mails = (await deliver()).filter((m) => m.to.includes(adminEmail));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Unusual number of overlap lookups');
    const audited = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ object_id: string; details: { lookups: number } }>(
        tx,
        sql`select object_id, details from kernel_audit where action = 'matching.lookup_spike'`,
      );
    });
    expect(audited).toEqual([
      { object_id: people.supervisorA!.personId, details: { lookups: spikeFloor, threshold: spikeFloor } },
    ]);
  });
});
