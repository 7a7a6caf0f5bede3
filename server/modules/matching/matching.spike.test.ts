import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createSmtpMailer } from '../../kernel/mail/mail.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createOrganisation, createPerson } from '../../test/factories.js';
import { matchingCall, matchingSessionIn, type MatchingSession } from '../../test/matching.js';
import { startSmtpServer, type Received } from '../../test/smtp.js';
import { spikeFactor, spikeFloor } from './matching.notifications.js';

/**
 * The lookup spike alert against a person's usual level (docs/matching.md, "Mail"): reported once, when the
 * lookups and registrations of the last 24 hours reach max(spikeFloor, spikeFactor × the daily average of the
 * 30 days before). The history is written straight into matching_lookups, backdated; only the lookups near
 * the threshold go through the API.
 */

/** The person's history: 300 lookups over days 2–30, an average of 10 a day, so the threshold is 30. */
const usualLookups = 300;
const threshold = Math.max(spikeFloor, Math.ceil((spikeFactor * usualLookups) / 30));

describe('matching: lookup spike against the usual level (over real SMTP)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: TestApp;
  let orgA: string;
  let screener: MatchingSession;
  let colleague: MatchingSession;
  let adminEmail: string;
  const db = () => t.database.db;

  const spikes = () =>
    inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ object_id: string; organisation_id: string; details: unknown }>(
        tx,
        sql`select object_id, organisation_id, details from kernel_audit
            where action = 'matching.lookup_spike' order by id`,
      );
    });

  async function deliver(): Promise<Received[]> {
    const before = smtp.received.length;
    await t.app.kernel.jobs.runDue();
    return smtp.received.slice(before);
  }

  let serial = 100;
  async function lookUp(session: MatchingSession): Promise<void> {
    const response = await matchingCall(t, session, 'POST', '/api/matching/lookups', {
      selectors: [{ type: 'phone', number: `+254 720 400 ${String(serial++)}` }],
    });
    expect(response.statusCode, response.body).toBe(200);
  }

  async function register(session: MatchingSession): Promise<void> {
    const response = await matchingCall(t, session, 'POST', '/api/matching/subjects', {
      kind: 'investigation',
      title: 'Spike probe',
      selectors: [{ type: 'phone', number: `+254 720 500 ${String(serial++)}` }],
    });
    expect(response.statusCode, response.body).toBe(201);
  }

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({
      env: {
        CAIRN_RATE_LIMIT_MAX: '100000',
        // Far above what the test spends: the quotas must not refuse a lookup before the spike.
        CAIRN_MATCHING_LOOKUPS_PER_PERSON: '100000',
        CAIRN_MATCHING_LOOKUPS_PER_ORGANISATION: '1000000',
      },
      mailer: createSmtpMailer(smtp.url, 'Cairn <no-reply@cairn.test>'),
    });
    orgA = (await createOrganisation(db())).id;
    screener = await matchingSessionIn(t, orgA, 'investigator');
    colleague = await matchingSessionIn(t, orgA, 'case_supervisor');
    adminEmail = (await createPerson(db(), { platformRole: 'platform_admin', passkey: true })).email;

    // Fixture rows, in platform scope like the screening's own writes: the screener's usual level (300 over
    // days 2–30); older lookups outside the 30 days (they would raise the threshold to 40 if counted); and a
    // busy colleague in the last 30 days (who would raise it to 90 if counted).
    await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      const history = (personId: string, count: number, base: string) =>
        tx.execute(sql`insert into matching_lookups
            (organisation_id, person_id, purpose, selector_types, hits, created_at)
          select ${orgA}, ${personId}, 'lookup', array['phone'], 0,
                 now() - ${base}::interval - ((g % 29) * interval '1 day') - ((g % 7) * interval '1 hour')
          from generate_series(0, ${count - 1}) g`);
      await history(screener.personId, usualLookups, '1 day 1 hour');
      await tx.execute(sql`insert into matching_lookups
          (organisation_id, person_id, purpose, selector_types, hits, created_at)
        select ${orgA}, ${screener.personId}, 'lookup', array['phone'], 0,
               now() - interval '32 days' - (g * interval '1 hour')
        from generate_series(1, 100) g`);
      await history(colleague.personId, 600, '1 day 1 hour');
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('starts from a usual level of 10 a day over the 30 days before the last 24 hours (threshold 30)', async () => {
    expect(threshold).toBe(30);
    const [counts] = await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ usual: number; older: number; day: number }>(
        tx,
        sql`select count(*) filter (where created_at > now() - interval '31 days'
                                      and created_at <= now() - interval '24 hours')::int as usual,
                   count(*) filter (where created_at <= now() - interval '31 days')::int as older,
                   count(*) filter (where created_at > now() - interval '24 hours')::int as day
            from matching_lookups where person_id = ${screener.personId}`,
      );
    });
    expect(counts).toEqual({ usual: usualLookups, older: 100, day: 0 });
  });

  it('raises no spike at the floor for a person whose usual level is higher, then exactly once at 3 × usual', async () => {
    // Lookups and registrations both count; the floor alone (10) would have reported the tenth.
    for (let i = 1; i <= spikeFloor; i++) await (i === 5 ? register(screener) : lookUp(screener));
    expect(await spikes()).toEqual([]);
    for (let i = spikeFloor + 1; i < threshold; i++) await lookUp(screener);
    expect(await spikes()).toEqual([]);
    expect((await deliver()).filter((mail) => mail.to.includes(adminEmail))).toEqual([]);

    // The 30th of the day, a registration, reaches the threshold.
    await register(screener);
    const reported = [
      {
        object_id: screener.personId,
        organisation_id: orgA,
        details: { lookups: threshold, threshold },
      },
    ];
    expect(await spikes()).toEqual(reported);
    // Once: the 31st and 32nd are not reported again.
    await lookUp(screener);
    await lookUp(screener);
    expect(await spikes()).toEqual(reported);

    const mails = await deliver();
    const toAdmins = mails.filter((mail) => mail.to.includes(adminEmail));
    expect(toAdmins).toHaveLength(1);
    expect(toAdmins[0]!.to).toEqual([adminEmail]);
    expect(toAdmins[0]!.subject).toBe('Unusual number of overlap lookups');
    expect(toAdmins[0]!.body).toContain(`/organisations/${orgA}/audit`);
    // Nobody else is told of the spike (the registrations matched nothing, so no overlap mail either).
    expect(mails).toHaveLength(1);
  });

  it('judges each person against their own usual level: ten lookups of a busy colleague raise nothing', async () => {
    // The colleague's 600 lookups of the 30 days give a threshold of 60: ten today raise nothing.
    for (let i = 0; i < spikeFloor; i++) await lookUp(colleague);
    expect((await spikes()).filter((row) => row.object_id === colleague.personId)).toEqual([]);
  });
});

describe('matching: a spike the moving threshold falls under is still reported, once', () => {
  let t: TestApp;
  let org: string;
  let person: MatchingSession;
  let n = 100;

  beforeAll(async () => {
    t = await createTestApp({
      env: { CAIRN_RATE_LIMIT_MAX: '100000', CAIRN_MATCHING_LOOKUPS_PER_PERSON: '100000' },
    });
    org = (await createOrganisation(t.database.db)).id;
    person = await matchingSessionIn(t, org, 'investigator');
    await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      // 120 lookups in the 30 days before the last 24 hours: threshold max(10, ceil(3 × 120 / 30)) = 12. Thirty
      // of them are 30 days and 20 hours old, so they leave the 31-day window within the next few hours.
      await tx.execute(
        sql`insert into matching_lookups (organisation_id, person_id, purpose, selector_types, hits, created_at)
            select ${org}, ${person.personId}, 'lookup', array['phone'], 0,
                   case when g < 30 then now() - interval '30 days 20 hours'
                        else now() - interval '2 days' - (g % 25) * interval '1 day' end
            from generate_series(0, 119) g`,
      );
    });
  });
  afterAll(() => t.close());

  const look = async () => {
    const response = await matchingCall(t, person, 'POST', '/api/matching/lookups', {
      selectors: [{ type: 'phone', number: `+254 720 400 ${n++}` }],
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const spikes = () =>
    inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ details: unknown }>(
        tx,
        sql`select details from kernel_audit where action = 'matching.lookup_spike' order by id`,
      );
    });

  it('reports a count already past the threshold when old history leaves the window, and not again that day', async () => {
    for (let i = 0; i < 11; i++) await look();
    expect(await spikes()).toEqual([]); // 11 < 12
    // Five hours later (every row made five hours older), the 30 oldest rows of history left the window: the usual
    // level is now 90, the threshold max(10, 9) = 10, and the person is already at 11.
    await t.database.asOwner((db) =>
      db.execute(sql`update matching_lookups set created_at = created_at - interval '5 hours'`),
    );
    await look();
    expect(await spikes()).toEqual([{ details: { lookups: 12, threshold: 10 } }]);
    for (let i = 0; i < 4; i++) await look();
    expect(await spikes()).toHaveLength(1);
  });
});
