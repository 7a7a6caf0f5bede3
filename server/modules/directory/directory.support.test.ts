import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelAudit, kernelJobs } from '../../kernel/db/kernel.tables.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import type { Role } from '../../kernel/access/roles.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { testDatabaseKind } from '../../test/db.js';
import { createProfile } from '../../test/directory.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import { identityPeople } from '../identity/index.js';
import { searchPlaces } from './directory.gazetteer.js';
import { insertSupportRequest } from './directory.support.matrix.js';
import type {
  MatchResult,
  SupportRequest,
  SupportRequestPage,
  SupportStats,
  UnmetNeeds,
} from './directory.support.schemas.js';

const mombasa = searchPlaces('Mombasa', { country: 'KE' })[0]!;
const malindi = searchPlaces('Malindi', { country: 'KE' })[0]!;

/** A need described only by codes and a place: what a caseworker sends. */
const need = {
  placeId: mombasa.id,
  country: 'KE',
  services: ['shelter', 'psychosocial'],
  languages: ['sw'],
  gender: 'female',
  ageBand: '12_17',
  exploitationTypes: ['SexualExploitation'],
  urgency: 'emergency',
};

interface Session {
  cookie: string;
  personId: string;
  organisationId: string;
  email: string;
}

describe('find support: support requests', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  async function sessionIn(organisationId: string, role: Role = 'caseworker'): Promise<Session> {
    const m = await createMember(db(), { role, organisationId });
    const { cookie } = await signIn(db(), m.personId, { membershipId: m.membership.id });
    const [person] = await db()
      .select({ email: identityPeople.email })
      .from(identityPeople)
      .where(eq(identityPeople.id, m.personId));
    return { cookie, personId: m.personId, organisationId, email: person!.email };
  }

  /** An organisation offering what the need asks for, near Mombasa, with a caseworker signed in. */
  async function provider(name: string, placeId = mombasa.id) {
    const { organisationId } = await createProfile(db(), {
      organisation: { name, countries: ['KE'], tier: 'verified_frontline' },
      profile: {
        services: ['shelter', 'psychosocial', 'medical'],
        populations: ['girls'],
        languages: ['sw', 'en'],
        exploitationTypes: ['SexualExploitation'],
        offices: [{ label: 'Shelter', placeId }],
      },
    });
    return sessionIn(organisationId);
  }

  const call = (
    who: Session | null,
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method,
      url: `/api/directory/support${url}`,
      headers: { ...(who ? { cookie: who.cookie } : {}), ...headers },
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });

  async function mailsTo(email: string) {
    const jobs = await db()
      .select({ payload: kernelJobs.payload })
      .from(kernelJobs)
      .where(and(eq(kernelJobs.name, 'kernel.send_mail'), sql`${kernelJobs.payload}->>'to' = ${email}`));
    return jobs.map((j) => j.payload as { to: string; subject: string; text: string });
  }

  async function auditActions(requestId: string) {
    const rows = await db()
      .select({ action: kernelAudit.action, details: kernelAudit.details })
      .from(kernelAudit)
      .where(eq(kernelAudit.objectId, requestId))
      .orderBy(kernelAudit.id);
    return rows;
  }

  it('matches, sends to three, records a decline, closes on the first acceptance and refuses a late one', async () => {
    const requester = await sessionIn((await createProfile(db())).organisationId);
    const [x, y, z] = [
      await provider('Pwani Girls Shelter'),
      await provider('Coast Counselling Centre'),
      await provider('Malindi Safe House', malindi.id),
    ];
    const partner = await sessionIn(x.organisationId, 'case_supervisor');

    const matched = await call(requester, 'POST', '/match', { need });
    expect(matched.statusCode, matched.body).toBe(200);
    const result = matched.json<MatchResult>();
    expect(result.need).toMatchObject({ placeName: 'Mombasa', region: 'KE.37', country: 'KE' });
    const ids = result.candidates.map((c) => c.organisationId);
    expect(ids).toEqual(expect.arrayContaining([x.organisationId, y.organisationId, z.organisationId]));
    expect(ids).not.toContain(requester.organisationId);
    const first = result.candidates.find((c) => c.organisationId === x.organisationId)!;
    expect(first.score).toBe(100);
    expect(first.reasons).toEqual(
      expect.arrayContaining(['offers_all_services', 'serves_population', 'speaks_language:sw']),
    );
    // The one in Malindi (about 100 km away) ranks after the two in Mombasa.
    expect(ids.indexOf(z.organisationId)).toBeGreaterThan(ids.indexOf(x.organisationId));
    // Matching stores nothing.
    const stored = await t.database.asOwner((owner) =>
      queryRows<{ n: string }>(
        owner,
        sql`select count(*) as n from directory_support_requests where organisation_id = ${requester.organisationId}`,
      ),
    );
    expect(Number(stored[0]!.n)).toBe(0);

    const created = await call(requester, 'POST', '/requests', {
      need,
      recipientOrganisationIds: [x.organisationId, y.organisationId, z.organisationId],
    });
    expect(created.statusCode, created.body).toBe(201);
    const request = created.json<SupportRequest>();
    expect(request.status).toBe('open');
    expect(request.recipients?.map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    expect(request.recipients?.find((r) => r.organisationId === x.organisationId)?.score).toBe(100);
    expect(request.abilities).toEqual({ accept: false, decline: false, close: true });

    // Every case-role person of every recipient is told that a request arrived, and nothing more.
    for (const person of [x, y, z, partner]) {
      const mails = await mailsTo(person.email);
      expect(mails, person.email).toHaveLength(1);
      expect(mails[0]!.text).toContain('/directory/support/incoming');
      for (const detail of ['Mombasa', 'shelter', 'psychosocial', 'female', '12', 'Sexual'])
        expect(`${mails[0]!.subject} ${mails[0]!.text}`).not.toContain(detail);
    }
    expect(await mailsTo(requester.email)).toHaveLength(0);

    // A recipient sees the need, who asked and its own answer, never the other recipients.
    const incoming = await call(y, 'GET', '/incoming?status=pending');
    const seen = incoming.json<SupportRequestPage>().items.find((i) => i.id === request.id)!;
    expect(seen.requester.organisationId).toBe(requester.organisationId);
    expect(seen.recipients).toBeUndefined();
    expect(seen.myResponse?.status).toBe('pending');
    expect(seen.abilities).toEqual({ accept: true, decline: true, close: false });

    const declined = await call(y, 'POST', `/requests/${request.id}/decline`, {
      reason: 'no_capacity',
      note: 'All beds are taken until next month.',
    });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(declined.json<SupportRequest>().myResponse).toMatchObject({
      status: 'declined',
      declineReason: 'no_capacity',
    });
    // The requester sees the answer as it arrives; the request stays open for the others.
    const afterDecline = (await call(requester, 'GET', `/requests/${request.id}`)).json<SupportRequest>();
    expect(afterDecline.status).toBe('open');
    expect(afterDecline.recipients?.find((r) => r.organisationId === y.organisationId)).toMatchObject({
      status: 'declined',
      declineReason: 'no_capacity',
      declineNote: 'All beds are taken until next month.',
    });

    const accepted = await call(partner, 'POST', `/requests/${request.id}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json<SupportRequest>()).toMatchObject({
      status: 'accepted',
      acceptedBy: { organisationId: x.organisationId, name: 'Pwani Girls Shelter' },
      myResponse: { status: 'accepted' },
      abilities: { accept: false, decline: false, close: false },
    });

    const late = await call(z, 'POST', `/requests/${request.id}/accept`);
    expect(late.statusCode).toBe(409);
    expect(late.json<{ code: string }>().code).toBe('conflict');
    expect((await call(y, 'POST', `/requests/${request.id}/accept`)).statusCode).toBe(409);
    expect((await call(x, 'POST', `/requests/${request.id}/decline`, { reason: 'other' })).statusCode).toBe(
      409,
    );
    expect((await call(requester, 'POST', `/requests/${request.id}/close`)).statusCode).toBe(409);

    const final = (await call(requester, 'GET', `/requests/${request.id}`)).json<SupportRequest>();
    expect(final.status).toBe('accepted');
    expect(final.closedAt).not.toBeNull();
    expect(Object.fromEntries(final.recipients!.map((r) => [r.organisationId, r.status]))).toEqual({
      [x.organisationId]: 'accepted',
      [y.organisationId]: 'declined',
      [z.organisationId]: 'withdrawn',
    });
    const zView = (await call(z, 'GET', `/requests/${request.id}`)).json<SupportRequest>();
    expect(zView.myResponse?.status).toBe('withdrawn');
    expect(zView.abilities.accept).toBe(false);

    const sent = (await call(requester, 'GET', '/requests')).json<SupportRequestPage>();
    expect(sent.items.map((i) => i.id)).toEqual([request.id]);
    expect((await call(requester, 'GET', '/requests?status=open')).json<SupportRequestPage>().items).toEqual(
      [],
    );

    // The requester hears of the acceptance by email, again without details.
    const told = await mailsTo(requester.email);
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain(`/directory/support/requests/${request.id}`);
    expect(told[0]!.text).not.toContain('Mombasa');

    expect((await auditActions(request.id)).map((a) => a.action)).toEqual([
      'directory.support_requested',
      'directory.support_declined',
      'directory.support_accepted',
    ]);
  });

  it('lets exactly one of two simultaneous acceptances win', async () => {
    const requester = await sessionIn((await createOrganisation(db())).id);
    const a = await provider('Simultaneous A');
    const b = await provider('Simultaneous B');
    const created = await call(requester, 'POST', '/requests', {
      need,
      recipientOrganisationIds: [a.organisationId, b.organisationId],
    });
    const id = created.json<SupportRequest>().id;
    const answers = await Promise.all([
      call(a, 'POST', `/requests/${id}/accept`),
      call(b, 'POST', `/requests/${id}/accept`),
    ]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const final = (await call(requester, 'GET', `/requests/${id}`)).json<SupportRequest>();
    expect(final.recipients!.map((r) => r.status).sort()).toEqual(['accepted', 'withdrawn']);
  });

  // PGlite has one connection, so a transaction held open here would block the app itself: PostgreSQL only.
  it.runIf(testDatabaseKind() === 'postgresql')(
    'makes an acceptance wait for one in progress, then refuses it (row lock)',
    async () => {
      const requester = await sessionIn((await createOrganisation(db())).id);
      const a = await provider('Lock A');
      const b = await provider('Lock B');
      const id = (
        await call(requester, 'POST', '/requests', {
          need,
          recipientOrganisationIds: [a.organisationId, b.organisationId],
        })
      ).json<SupportRequest>().id;
      let locked!: () => void;
      let release!: () => void;
      const hasLock = new Promise<void>((resolve) => (locked = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      // A's acceptance, caught between taking the lock and committing.
      const holder = inTransaction(db(), async (tx) => {
        await setTenant(tx, a.organisationId);
        await tx.execute(sql`select id from directory_support_requests where id = ${id} for update`);
        await tx.execute(sql`update directory_support_requests set status = 'accepted',
          accepted_organisation_id = ${a.organisationId} where id = ${id}`);
        locked();
        await gate;
      });
      await hasLock;
      const late = call(b, 'POST', `/requests/${id}/accept`);
      const first = await Promise.race([
        late.then(() => 'answered'),
        new Promise((resolve) => setTimeout(() => resolve('waiting'), 400)),
      ]);
      expect(first).toBe('waiting');
      release();
      await holder;
      expect((await late).statusCode).toBe(409);
    },
  );

  it('hides a request from organisations that are neither its requester nor a recipient, in queries and by RLS', async () => {
    const requester = await sessionIn((await createOrganisation(db())).id);
    const recipient = await provider('Visible recipient');
    const other = await provider('Not a recipient');
    const created = await call(requester, 'POST', '/requests', {
      need,
      recipientOrganisationIds: [recipient.organisationId],
    });
    const id = created.json<SupportRequest>().id;

    expect((await call(other, 'GET', `/requests/${id}`)).statusCode).toBe(404);
    expect((await call(other, 'POST', `/requests/${id}/accept`)).statusCode).toBe(404);
    expect((await call(other, 'POST', `/requests/${id}/decline`, { reason: 'other' })).statusCode).toBe(404);
    expect((await call(other, 'POST', `/requests/${id}/close`)).statusCode).toBe(404);
    expect((await call(recipient, 'POST', `/requests/${id}/close`)).statusCode).toBe(404);
    // The requester cannot answer its own request.
    expect((await call(requester, 'POST', `/requests/${id}/accept`)).statusCode).toBe(404);
    const theirs = (await call(other, 'GET', '/incoming')).json<SupportRequestPage>();
    expect(theirs.items.map((i) => i.id)).not.toContain(id);
    const sentByOther = (await call(other, 'GET', '/requests')).json<SupportRequestPage>();
    expect(sentByOther.items.map((i) => i.id)).not.toContain(id);

    // The second wall: the application role, scoped to each tenant, sees exactly what the rules say.
    const asTenant = (organisationId: string | null) =>
      inTransaction(db(), async (tx) => {
        if (organisationId) await setTenant(tx, organisationId);
        const requests = await queryRows<{ id: string }>(
          tx,
          sql`select id from directory_support_requests where id = ${id}`,
        );
        const recipients = await queryRows<{ organisation_id: string }>(
          tx,
          sql`select organisation_id from directory_support_recipients where request_id = ${id}`,
        );
        return { requests: requests.length, recipients: recipients.map((r) => r.organisation_id) };
      });
    expect(await asTenant(null)).toEqual({ requests: 0, recipients: [] });
    expect(await asTenant(other.organisationId)).toEqual({ requests: 0, recipients: [] });
    expect(await asTenant(recipient.organisationId)).toEqual({
      requests: 1,
      recipients: [recipient.organisationId],
    });
    expect(await asTenant(requester.organisationId)).toEqual({
      requests: 1,
      recipients: [recipient.organisationId],
    });
    // RLS also refuses writes from outside: another tenant's update touches nothing.
    const touched = await inTransaction(db(), async (tx) => {
      await setTenant(tx, other.organisationId);
      return queryRows<{ id: string }>(
        tx,
        sql`update directory_support_requests set status = 'closed' where id = ${id} returning id`,
      );
    });
    expect(touched).toEqual([]);
  });

  it('refuses bad needs and recipients with localised field errors, and stores nothing', async () => {
    const requester = await sessionIn((await createOrganisation(db())).id);
    const recipient = await provider('Valid recipient');
    const send = (body: Record<string, unknown>, language = 'en') =>
      call(requester, 'POST', '/requests', body, { 'accept-language': language });
    const errorsOf = (res: Awaited<ReturnType<typeof send>>) =>
      res.json<{ errors: Array<{ path: string; code: string; message: string }> }>().errors;

    const self = await send({
      need,
      recipientOrganisationIds: [recipient.organisationId, requester.organisationId],
    });
    expect(self.statusCode).toBe(400);
    expect(errorsOf(self)).toMatchObject([
      { path: 'body.recipientOrganisationIds.1', code: 'directory.support_recipient_self' },
    ]);

    const pending = await createOrganisation(db(), { status: 'pending' });
    const unknown = await send(
      { need, recipientOrganisationIds: [pending.id, '00000000-0000-4000-8000-000000000000'] },
      'fr',
    );
    expect(unknown.statusCode).toBe(400);
    expect(errorsOf(unknown).map((e) => [e.path, e.code])).toEqual([
      ['body.recipientOrganisationIds.0', 'directory.support_recipient_unknown'],
      ['body.recipientOrganisationIds.1', 'directory.support_recipient_unknown'],
    ]);
    expect(errorsOf(unknown)[0]!.message).toContain('organisation');
    expect(errorsOf(unknown)[0]!.message).toMatch(/Cette organisation/);

    // SECURITY: no field may describe the person; unknown fields are refused, not ignored.
    const story = await send({
      need: { ...need, notes: 'Amina, 14, from Kilifi' },
      recipientOrganisationIds: [recipient.organisationId],
    });
    expect(story.statusCode).toBe(400);
    expect(story.body).not.toContain('Amina');

    const wrongCountry = await send({
      need: { ...need, country: 'UG' },
      recipientOrganisationIds: [recipient.organisationId],
    });
    expect(errorsOf(wrongCountry)).toMatchObject([
      { path: 'body.need.country', code: 'directory.support_place_country' },
    ]);
    const wrongRegion = await send({
      need: { ...need, placeId: undefined, region: 'UG.C' },
      recipientOrganisationIds: [recipient.organisationId],
    });
    expect(errorsOf(wrongRegion)).toMatchObject([
      { path: 'body.need.region', code: 'directory.support_region_country' },
    ]);
    const noPlace = await send({
      need: { ...need, placeId: 99_999_999 },
      recipientOrganisationIds: [recipient.organisationId],
    });
    expect(errorsOf(noPlace)).toMatchObject([
      { path: 'body.need.placeId', code: 'directory.support_place_unknown' },
    ]);
    const tooMany = await send({
      need,
      recipientOrganisationIds: Array.from(
        { length: 11 },
        (_, i) => `00000000-0000-4000-8000-0000000000${10 + i}`,
      ),
    });
    expect(tooMany.statusCode).toBe(400);
    const twice = await send({
      need: { ...need, services: ['shelter', 'shelter'] },
      recipientOrganisationIds: [recipient.organisationId, recipient.organisationId],
    });
    expect(errorsOf(twice).map((e) => e.code)).toEqual([
      'directory.support_duplicate_value',
      'directory.support_duplicate_value',
    ]);

    const stored = await t.database.asOwner((owner) =>
      queryRows<{ n: string }>(
        owner,
        sql`select count(*) as n from directory_support_requests where organisation_id = ${requester.organisationId}`,
      ),
    );
    expect(Number(stored[0]!.n)).toBe(0);

    // A decline note is about the organisation and short.
    const id = (
      await send({ need, recipientOrganisationIds: [recipient.organisationId] })
    ).json<SupportRequest>().id;
    const long = await call(recipient, 'POST', `/requests/${id}/decline`, {
      reason: 'no_capacity',
      note: 'x'.repeat(501),
    });
    expect(long.statusCode).toBe(400);
    const badReason = await call(recipient, 'POST', `/requests/${id}/decline`, { reason: 'busy' });
    expect(badReason.statusCode).toBe(400);

    // A member without a case role may neither match nor send.
    const member = await sessionIn(requester.organisationId, 'member');
    expect((await call(member, 'POST', '/match', { need })).statusCode).toBe(403);
  });

  it('lets the requester close a request: pending recipients are withdrawn, and it cannot be answered after', async () => {
    const requester = await sessionIn((await createOrganisation(db())).id);
    const a = await provider('Close A');
    const b = await provider('Close B');
    const id = (
      await call(requester, 'POST', '/requests', {
        need,
        recipientOrganisationIds: [a.organisationId, b.organisationId],
      })
    ).json<SupportRequest>().id;
    await call(a, 'POST', `/requests/${id}/decline`, { reason: 'outside_area' });
    const closed = await call(requester, 'POST', `/requests/${id}/close`);
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json<SupportRequest>().status).toBe('closed');
    expect(closed.json<SupportRequest>().recipients!.map((r) => [r.organisationId, r.status])).toEqual(
      expect.arrayContaining([
        [a.organisationId, 'declined'],
        [b.organisationId, 'withdrawn'],
      ]),
    );
    expect((await call(b, 'POST', `/requests/${id}/accept`)).statusCode).toBe(409);
    expect((await call(requester, 'POST', `/requests/${id}/close`)).statusCode).toBe(409);
    expect((await call(b, 'GET', '/incoming?status=pending')).json<SupportRequestPage>().items).toEqual([]);
    const answered = (await call(b, 'GET', '/incoming?status=answered')).json<SupportRequestPage>();
    expect(answered.items.map((i) => i.id)).toEqual([id]);
    expect((await auditActions(id)).map((r) => r.action)).toContain('directory.support_closed');
  });

  it('pages through sent requests newest first', async () => {
    const requester = await sessionIn((await createOrganisation(db())).id);
    const recipient = (await createOrganisation(db())).id;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(await insertSupportRequest(db(), requester.organisationId, [recipient]));
    const first = (await call(requester, 'GET', '/requests?limit=2')).json<SupportRequestPage>();
    expect(first.items.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    const second = (
      await call(requester, 'GET', `/requests?limit=2&cursor=${first.nextCursor}`)
    ).json<SupportRequestPage>();
    expect(second.items.map((i) => i.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
  });

  it('gives an organisation its response rate and median response time over the last 12 months', async () => {
    const recipient = await provider('Stats recipient');
    const colleague = await sessionIn(recipient.organisationId, 'member');
    const others = await Promise.all([1, 2, 3, 4, 5].map(() => createOrganisation(db())));
    const ids = await Promise.all(
      others.map((o) => insertSupportRequest(db(), o.id, [recipient.organisationId])),
    );
    await call(recipient, 'POST', `/requests/${ids[0]}/accept`);
    await call(recipient, 'POST', `/requests/${ids[1]}/decline`, { reason: 'population_not_served' });
    // ids[2] stays pending; ids[3] is closed by its requester before we answered; ids[4] is too old to count.
    await inTransaction(db(), async (tx) => {
      await setTenant(tx, others[3]!.id);
      await tx.execute(
        sql`update directory_support_recipients set status = 'withdrawn' where request_id = ${ids[3]}`,
      );
    });
    // Answers took 30 and 90 minutes: the median is 60.
    await inTransaction(db(), async (tx) => {
      await setTenant(tx, recipient.organisationId);
      await tx.execute(sql`update directory_support_recipients set created_at = responded_at - interval '30 minutes'
        where request_id = ${ids[0]} and organisation_id = ${recipient.organisationId}`);
      await tx.execute(sql`update directory_support_recipients set created_at = responded_at - interval '90 minutes'
        where request_id = ${ids[1]} and organisation_id = ${recipient.organisationId}`);
      await tx.execute(sql`update directory_support_recipients set created_at = now() - interval '13 months'
        where request_id = ${ids[4]} and organisation_id = ${recipient.organisationId}`);
    });

    const stats = (await call(colleague, 'GET', '/stats')).json<SupportStats>();
    expect(stats).toMatchObject({
      organisationId: recipient.organisationId,
      received: 4,
      accepted: 1,
      declined: 1,
      pending: 1,
      withdrawn: 1,
      // Two answered, one withdrawn before we answered; the pending one is not decided yet.
      responseRate: 2 / 3,
      medianResponseMinutes: 60,
      // A member sees the record but does not send or answer requests.
      abilities: { requestSupport: false, respond: false },
    });
    expect((await call(recipient, 'GET', '/stats')).json<SupportStats>().abilities).toEqual({
      requestSupport: true,
      respond: true,
    });
    const empty = (
      await call(await sessionIn((await createOrganisation(db())).id), 'GET', '/stats')
    ).json<SupportStats>();
    expect(empty).toMatchObject({ received: 0, responseRate: null, medianResponseMinutes: null });
  });

  it('shows platform staff what was asked and nobody could offer, by country and service', async () => {
    const requester = await sessionIn((await createOrganisation(db(), { countries: ['NP'] })).id);
    const r1 = await provider('Unmet one');
    const r2 = await provider('Unmet two');
    const nepal = { ...need, placeId: undefined, country: 'NP', region: undefined, languages: ['ne'] };
    const send = async (services: string[]) =>
      (
        await call(requester, 'POST', '/requests', {
          need: { ...nepal, services },
          recipientOrganisationIds: [r1.organisationId, r2.organisationId],
        })
      ).json<SupportRequest>().id;

    const allDeclined = await send(['shelter', 'legal_aid']);
    await call(r1, 'POST', `/requests/${allDeclined}/decline`, { reason: 'outside_area' });
    await call(r2, 'POST', `/requests/${allDeclined}/decline`, { reason: 'service_not_offered' });
    const closed = await send(['shelter']);
    await call(requester, 'POST', `/requests/${closed}/close`);
    const waiting = await send(['repatriation']);
    await send(['repatriation']); // open, but only just sent: not yet unmet
    const accepted = await send(['shelter']);
    await call(r1, 'POST', `/requests/${accepted}/accept`);
    await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      await tx.execute(
        sql`update directory_support_requests set created_at = now() - interval '8 days' where id = ${waiting}`,
      );
    });

    const moderator = await createPerson(db(), { platformRole: 'moderator', passkey: true });
    const staff = {
      ...(await signIn(db(), moderator.id)),
      personId: moderator.id,
      organisationId: '',
      email: '',
    };
    const res = await call(staff, 'GET', '/unmet-needs?country=NP');
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json<UnmetNeeds>().items;
    expect(items).toEqual([
      { country: 'NP', service: 'shelter', total: 2, allDeclined: 1, closedUnanswered: 1, waiting: 0 },
      { country: 'NP', service: 'legal_aid', total: 1, allDeclined: 1, closedUnanswered: 0, waiting: 0 },
      { country: 'NP', service: 'repatriation', total: 1, allDeclined: 0, closedUnanswered: 0, waiting: 1 },
    ]);
    // Counts only: nothing names an organisation or a request.
    expect(res.body).not.toContain(requester.organisationId);
    expect(res.body).not.toContain(allDeclined);

    expect((await call(requester, 'GET', '/unmet-needs')).statusCode).toBe(403);
    // The staff view lifted the tenant wall only inside its own transaction.
    const leaked = await inTransaction(db(), (tx) =>
      queryRows(tx, sql`select id from directory_support_requests where id in (${allDeclined}, ${closed})`),
    );
    expect(leaked).toEqual([]);
  });
});
