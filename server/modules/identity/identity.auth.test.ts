import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createPerson, factoryPassword, signIn } from '../../test/factories.js';
import { identityMemberships, identityOrganisations, identitySessions } from './identity.tables.js';

const cookieOf = (header: string | string[] | undefined) =>
  (Array.isArray(header) ? header[0] : header)?.split(';')[0] ?? '';

describe('signing in and out', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  const signInWith = (email: string, password: string, ip = '10.0.0.1') =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email, password },
      remoteAddress: ip,
    });

  it('signs in with a password and sets a hardened session cookie holding only a token', async () => {
    const person = await createPerson(db(), { email: 'Amina.Odhiambo@ngo.test' });
    const res = await signInWith('amina.odhiambo@NGO.test', factoryPassword);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'signed_in', factors: [] });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^__Host-cairn_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    const token = cookieOf(res.headers['set-cookie']).split('=')[1]!;
    const stored = await db().select().from(identitySessions).where(eq(identitySessions.personId, person.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).not.toContain(token);

    const me = await t.app.inject({
      url: '/api/auth/me',
      headers: { cookie: cookieOf(res.headers['set-cookie']) },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ person: { email: 'Amina.Odhiambo@ngo.test' }, level: 'full' });

    const out = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { cookie: cookieOf(res.headers['set-cookie']) },
    });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({
      url: '/api/auth/me',
      headers: { cookie: cookieOf(res.headers['set-cookie']) },
    });
    expect(after.statusCode).toBe(401);
  });

  it('answers a wrong password and an unknown account identically', async () => {
    await createPerson(db(), { email: 'known@ngo.test' });
    const wrong = await signInWith('known@ngo.test', 'not the right password at all', '10.0.1.1');
    const unknown = await signInWith('nobody@ngo.test', 'not the right password at all', '10.0.1.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    expect(wrong.json()).toMatchObject({ code: 'invalid_credentials' });
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('holds a session at partial until the second factor, when one is enrolled', async () => {
    const person = await createPerson(db(), { passkey: true });
    const res = await signInWith(person.email, factoryPassword, '10.0.2.1');
    expect(res.json()).toEqual({ status: 'second_factor_required', factors: ['passkey'] });
    const cookie = cookieOf(res.headers['set-cookie']);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie } })).json()).toMatchObject({
      level: 'partial',
    });
    const sessions = await t.app.inject({ url: '/api/auth/sessions', headers: { cookie } });
    expect(sessions.statusCode).toBe(401);
    expect(sessions.json()).toMatchObject({ code: 'second_factor_required' });
  });

  it('slows down repeated failures per account, without locking the account for good', async () => {
    const person = await createPerson(db());
    let last;
    for (let i = 0; i < 7; i++)
      last = await signInWith(person.email, 'wrong password number ' + i, `10.0.3.${i}`);
    expect(last?.statusCode).toBe(429);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(last?.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // Even the right password waits out the back-off; it is not refused for ever.
    const right = await signInWith(person.email, factoryPassword, '10.0.3.99');
    expect(right.statusCode).toBe(429);
    await t.database.asOwner((owner) =>
      owner.execute(sql`update identity_throttles set blocked_until = now() - interval '1 second'`),
    );
    expect((await signInWith(person.email, factoryPassword, '10.0.3.99')).statusCode).toBe(200);
  });

  it('refuses a state change from another site', async () => {
    const { personId } = await createMember(db());
    const { cookie } = await signIn(db(), personId);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { cookie, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'csrf_rejected' });
  });
});

describe('what a session can do, request by request', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  it('acts for an active membership and sees a removal on the very next request', async () => {
    const { membership, personId } = await createMember(db(), { role: 'caseworker' });
    const { cookie } = await signIn(db(), personId, { membershipId: membership.id });
    const me = await t.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ activeMembershipId: membership.id, hasRequiredFactor: true });
    await t.database.asOwner((owner) =>
      owner.delete(identityMemberships).where(eq(identityMemberships.id, membership.id)),
    );
    const after = await t.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(after.json()).toMatchObject({ activeMembershipId: null, memberships: [] });
  });

  it('stops acting for an organisation the moment it is suspended', async () => {
    const { membership, personId, organisationId } = await createMember(db(), { role: 'member' });
    const { cookie } = await signIn(db(), personId, { membershipId: membership.id });
    await db()
      .update(identityOrganisations)
      .set({ status: 'suspended' })
      .where(eq(identityOrganisations.id, organisationId));
    const me = await t.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ activeMembershipId: null });
  });

  it('switches between my own memberships only', async () => {
    const first = await createMember(db(), { role: 'member' });
    const second = await createMember(db(), { role: 'analyst', personId: first.personId });
    const stranger = await createMember(db(), { role: 'org_admin' });
    const { cookie } = await signIn(db(), first.personId, { membershipId: first.membership.id });
    const switched = await t.app.inject({
      method: 'PUT',
      url: '/api/auth/active-membership',
      headers: { cookie },
      payload: { membershipId: second.membership.id },
    });
    expect(switched.statusCode).toBe(200);
    expect(switched.json()).toMatchObject({ activeMembershipId: second.membership.id });
    const theirs = await t.app.inject({
      method: 'PUT',
      url: '/api/auth/active-membership',
      headers: { cookie },
      payload: { membershipId: stranger.membership.id },
    });
    expect(theirs.statusCode).toBe(404);
  });

  it('holds a sensitive role without a passkey to enrolment', async () => {
    const { membership, personId } = await createMember(db(), { role: 'case_supervisor', passkey: false });
    const { cookie } = await signIn(db(), personId, { membershipId: membership.id });
    const me = await t.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ hasRequiredFactor: false, requiredFactor: 'passkey' });
    // Enrolment routes stay open (sessions list is one of them).
    expect((await t.app.inject({ url: '/api/auth/sessions', headers: { cookie } })).statusCode).toBe(200);
  });

  it('ends a sensitive role’s session after 15 idle minutes, a community member’s after 8 hours', async () => {
    const sensitive = await createMember(db(), { role: 'caseworker' });
    const community = await createMember(db(), { role: 'member' });
    const a = await signIn(db(), sensitive.personId, { membershipId: sensitive.membership.id });
    const b = await signIn(db(), community.personId, { membershipId: community.membership.id });
    const age = (id: string, minutes: number) =>
      db()
        .update(identitySessions)
        .set({ lastSeenAt: new Date(Date.now() - minutes * 60_000) })
        .where(eq(identitySessions.id, id));
    await age(a.sessionId, 16);
    await age(b.sessionId, 16);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: a.cookie } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: b.cookie } })).statusCode).toBe(200);
    await age(b.sessionId, 8 * 60 + 1);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: b.cookie } })).statusCode).toBe(401);
  });

  it('slides the idle timeout on requests, but not on a re-check of an open stream (touch: false)', async () => {
    const worker = await createMember(db(), { role: 'caseworker' });
    const session = await signIn(db(), worker.personId, { membershipId: worker.membership.id });
    const lastSeen = async () =>
      (await db().select().from(identitySessions).where(eq(identitySessions.id, session.sessionId)))[0]!
        .lastSeenAt;
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await db()
      .update(identitySessions)
      .set({ lastSeenAt: tenMinutesAgo })
      .where(eq(identitySessions.id, session.sessionId));
    // The request a stream was opened with, as the stream re-checks it later.
    const [name, token] = session.cookie.split('=') as [string, string];
    const streamRequest = { cookies: { [name]: token } } as unknown as FastifyRequest;
    const actor = await t.app.kernel.resolveActor(streamRequest, { touch: false });
    expect(actor.kind).toBe('person');
    expect((await lastSeen()).getTime()).toBe(tenMinutesAgo.getTime());
    // An ordinary request is activity: it moves the idle timer forward.
    expect(
      (await t.app.inject({ url: '/api/auth/me', headers: { cookie: session.cookie } })).statusCode,
    ).toBe(200);
    expect((await lastSeen()).getTime()).toBeGreaterThan(tenMinutesAgo.getTime() + 9 * 60_000);
  });

  it('lists my sessions and signs out the others', async () => {
    const person = await createPerson(db());
    const one = await signIn(db(), person.id);
    const two = await signIn(db(), person.id);
    const list = await t.app.inject({ url: '/api/auth/sessions', headers: { cookie: one.cookie } });
    expect(list.json<{ current: boolean }[]>().filter((s) => s.current)).toHaveLength(1);
    expect(list.json<unknown[]>()).toHaveLength(2);
    await t.app.inject({
      method: 'POST',
      url: '/api/auth/sessions/revoke-others',
      headers: { cookie: one.cookie },
    });
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: two.cookie } })).statusCode).toBe(
      401,
    );
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: one.cookie } })).statusCode).toBe(
      200,
    );
  });
});

describe('passwords', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  async function lastMailTo(email: string): Promise<string> {
    await t.app.kernel.jobs.runDue();
    const dir = path.join(t.config.dataDir, 'outbox');
    const files = (await readdir(dir)).sort();
    for (const file of files.reverse()) {
      const content = await readFile(path.join(dir, file), 'utf8');
      if (content.includes(`To: ${email}`)) return content;
    }
    throw new Error(`no mail to ${email}`);
  }

  it('changes a password with the current one, refuses weak ones in the caller’s language, and emails', async () => {
    const person = await createPerson(db());
    const { cookie } = await signIn(db(), person.id);
    const other = await signIn(db(), person.id);
    const weak = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie, 'accept-language': 'fr' },
      payload: { currentPassword: factoryPassword, newPassword: 'password12345678' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({
      errors: [
        {
          path: 'body.newPassword',
          code: 'identity.password_too_common',
          message: expect.stringContaining('trop courant') as string,
        },
      ],
    });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie },
      payload: { currentPassword: 'not my password at all', newPassword: 'river stones under a quiet moon' },
    });
    expect(wrong.statusCode).toBe(401);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie },
      payload: { currentPassword: factoryPassword, newPassword: 'river stones under a quiet moon' },
    });
    expect(ok.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: other.cookie } })).statusCode).toBe(
      401,
    );
    expect(await lastMailTo(person.email)).toContain('password was changed');
  });

  it('resets a password by a single-use emailed link, without revealing who has an account', async () => {
    const person = await createPerson(db());
    const session = await signIn(db(), person.id);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset',
      payload: { email: 'ghost@ngo.test' },
    });
    const known = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset',
      payload: { email: person.email },
    });
    expect(unknown.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(unknown.json()).toEqual(known.json());
    const mail = await lastMailTo(person.email);
    // The mail body is quoted-printable: undo soft line breaks and =XX escapes before reading the link.
    const decoded = mail
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const token = /reset-password#token=([A-Za-z0-9_-]+)/.exec(decoded)?.[1];
    expect(token).toBeTruthy();
    const complete = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/password-reset/complete',
        payload: { token, newPassword: 'lanterns along the mekong at dusk' },
      });
    expect((await complete()).statusCode).toBe(204);
    expect((await complete()).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/api/auth/me', headers: { cookie: session.cookie } })).statusCode,
    ).toBe(401);
    const signedIn = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: person.email, password: 'lanterns along the mekong at dusk' },
    });
    expect(signedIn.statusCode).toBe(200);
  });
});

describe('row-level security on tenant tables', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('shows the application nothing without a tenant, and only the tenant’s rows with one', async () => {
    const a = await createMember(t.database.db);
    const b = await createMember(t.database.db);
    const visible = await inTransaction(t.database.db, (tx) =>
      queryRows<{ organisation_id: string }>(tx, sql`select organisation_id from identity_memberships`),
    );
    expect(visible).toEqual([]);
    const scoped = await inTransaction(t.database.db, async (tx) => {
      await setTenant(tx, a.organisationId);
      return queryRows<{ organisation_id: string }>(
        tx,
        sql`select organisation_id from identity_memberships`,
      );
    });
    expect(scoped.map((r) => r.organisation_id)).toEqual([a.organisationId]);
    expect(scoped.map((r) => r.organisation_id)).not.toContain(b.organisationId);
    const owner = await t.database.asOwner((db) => db.select().from(identityMemberships));
    expect(owner.length).toBeGreaterThanOrEqual(2);
  });
});
