import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { verifyAuditChain } from '../../kernel/audit/audit.js';
import { kernelAudit } from '../../kernel/db/kernel.tables.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import {
  identityInvitations,
  identityOrganisations,
  identityPasskeys,
  identityPeople,
} from './identity.tables.js';

/** The text of the newest mail to an address, quoted-printable undone (soft breaks and =XX bytes). */
async function lastMailTo(t: TestApp, email: string): Promise<string> {
  await t.app.kernel.jobs.runDue();
  const dir = path.join(t.config.dataDir, 'outbox');
  for (const file of (await readdir(dir)).sort().reverse()) {
    const content = await readFile(path.join(dir, file), 'utf8');
    if (/^To: (.*)$/m.exec(content)?.[1]?.trim().toLowerCase() !== email.toLowerCase()) continue;
    const source = content.replace(/=\r?\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < source.length; i++) {
      const hex = source.slice(i + 1, i + 3);
      if (source[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else bytes.push(...Buffer.from(source[i]!, 'utf8'));
    }
    return Buffer.from(bytes).toString('utf8');
  }
  throw new Error(`no mail to ${email}`);
}

const tokenIn = (mail: string) => /\/invitations\/accept#token=([A-Za-z0-9_-]{43})/.exec(mail)?.[1];

describe('members: from application to removal', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    options: { cookie?: string; payload?: unknown; ip?: string } = {},
  ) =>
    t.app.inject({
      method,
      url,
      payload: options.payload as Record<string, unknown> | undefined,
      remoteAddress: options.ip ?? '10.3.0.1',
      headers: options.cookie ? { cookie: options.cookie } : {},
    });

  const cookieOf = (header: string | string[] | undefined) =>
    (Array.isArray(header) ? header[0] : header)?.split(';')[0] ?? '';

  async function memberOf(organisationId: string | undefined, role: Role) {
    // Everyone gets a passkey, so a promotion to a sensitive role is not held up by enrolment.
    const member = await createMember(db(), { role, organisationId, passkey: true });
    return { ...member, ...(await signIn(db(), member.personId, { membershipId: member.membership.id })) };
  }

  async function invite(cookie: string, organisationId: string, email: string, role: Role = 'caseworker') {
    const res = await call('POST', `/api/identity/organisations/${organisationId}/invitations`, {
      cookie,
      payload: { email, role },
    });
    expect(res.statusCode).toBe(201);
    const token = tokenIn(await lastMailTo(t, email));
    expect(token).toBeTruthy();
    return { invitation: res.json<{ id: string }>(), token: token! };
  }

  it('runs apply → approve → invite → accept → role change → removal, audited and with nothing secret in logs', async () => {
    // 1. Apply without an account.
    const applicantEmail = 'leila.haddad@shelter.test';
    const applicantPassword = 'olive grove under evening rain';
    const applied = await call('POST', '/api/identity/applications', {
      payload: {
        organisation: {
          name: 'Shelter of the Cedars',
          type: 'ngo',
          countries: ['LB', 'SY'],
          referee: 'Regional coalition against trafficking',
        },
        account: { displayName: 'Leila Haddad', email: applicantEmail, password: applicantPassword },
      },
    });
    expect(applied.statusCode).toBe(202);
    expect(await lastMailTo(t, applicantEmail)).toContain('We received your application');
    const [org] = await db()
      .select()
      .from(identityOrganisations)
      .where(eq(identityOrganisations.name, 'Shelter of the Cedars'));

    // 2. A moderator approves.
    const moderator = await createPerson(db(), { platformRole: 'moderator', passkey: true });
    const moderatorSession = await signIn(db(), moderator.id);
    const approved = await call('POST', `/api/identity/organisations/${org!.id}/approve`, {
      cookie: moderatorSession.cookie,
      payload: { tier: 'verified' },
    });
    expect(approved.statusCode).toBe(200);
    expect(await lastMailTo(t, applicantEmail)).toContain('approved Shelter of the Cedars');

    // 3. The applicant signs in; as org_admin (a sensitive role) she must hold a passkey to administer.
    const signedIn = await call('POST', '/api/auth/sign-in', {
      payload: { email: applicantEmail, password: applicantPassword },
    });
    const adminCookie = cookieOf(signedIn.headers['set-cookie']);
    const me = await call('GET', '/api/auth/me', { cookie: adminCookie });
    expect(me.json()).toMatchObject({
      memberships: [{ role: 'org_admin', organisation: { id: org!.id, status: 'active' } }],
      hasRequiredFactor: false,
      abilities: { administerOrganisation: true },
    });
    const blocked = await call('GET', `/api/identity/organisations/${org!.id}/members`, {
      cookie: adminCookie,
    });
    expect(blocked.json()).toMatchObject({ code: 'factor_enrolment_required' });
    const adminId = me.json<{ person: { id: string } }>().person.id;
    await db()
      .insert(identityPasskeys)
      .values({
        personId: adminId,
        credentialId: `flow-${adminId}`,
        publicKey: 'test-public-key',
        name: 'Laptop',
      });
    const orgView = await call('GET', `/api/identity/organisations/${org!.id}`, { cookie: adminCookie });
    expect(orgView.json()).toMatchObject({ abilities: { manageMembers: true, viewAudit: true } });

    // 4. She invites a caseworker who has no account yet.
    const inviteeEmail = 'samir.khoury@shelter.test';
    const { invitation, token } = await invite(adminCookie, org!.id, inviteeEmail);
    const pending = await call('GET', `/api/identity/organisations/${org!.id}/invitations`, {
      cookie: adminCookie,
    });
    expect(pending.json()).toEqual([
      expect.objectContaining({
        id: invitation.id,
        email: inviteeEmail,
        role: 'caseworker',
        invitedBy: 'Leila Haddad',
        abilities: { revoke: true },
      }),
    ]);
    // SECURITY: only the token's hash is stored.
    const stored = await inTransaction(db(), async (tx) => {
      await setTenant(tx, org!.id);
      return tx.select().from(identityInvitations).where(eq(identityInvitations.id, invitation.id));
    });
    expect(stored[0]!.tokenHash).not.toContain(token);
    expect(JSON.stringify(pending.json())).not.toContain(token);

    // 5. The invitee accepts, creating an account; the link works once.
    const inviteePassword = 'harbour lights across still water';
    const accept = () =>
      call('POST', '/api/identity/invitations/accept', {
        payload: { token, displayName: 'Samir Khoury', password: inviteePassword },
      });
    const accepted = await accept();
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ organisation: { id: org!.id }, accountCreated: true });
    expect((await accept()).statusCode).toBe(404);
    const inviteeSignIn = await call('POST', '/api/auth/sign-in', {
      payload: { email: inviteeEmail, password: inviteePassword },
    });
    expect(inviteeSignIn.statusCode).toBe(200);
    const inviteeCookie = cookieOf(inviteeSignIn.headers['set-cookie']);
    const membershipId = accepted.json<{ membershipId: string }>().membershipId;
    expect((await call('GET', '/api/auth/me', { cookie: inviteeCookie })).json()).toMatchObject({
      activeMembershipId: membershipId,
      memberships: [{ id: membershipId, role: 'caseworker' }],
    });

    const members = await call('GET', `/api/identity/organisations/${org!.id}/members`, {
      cookie: adminCookie,
    });
    expect(members.json()).toEqual([
      expect.objectContaining({
        displayName: 'Leila Haddad',
        role: 'org_admin',
        abilities: { changeRole: false, remove: false },
      }),
      expect.objectContaining({
        id: membershipId,
        role: 'caseworker',
        abilities: { changeRole: true, remove: true },
      }),
    ]);

    // 6. A lowered role applies on the caseworker's very next request.
    const lowered = await call('PATCH', `/api/identity/memberships/${membershipId}`, {
      cookie: adminCookie,
      payload: { role: 'member' },
    });
    expect(lowered.json()).toMatchObject({ id: membershipId, role: 'member' });
    expect((await call('GET', '/api/auth/me', { cookie: inviteeCookie })).json()).toMatchObject({
      memberships: [{ role: 'member' }],
    });

    // 7. Removal applies on the very next request too.
    expect(
      (await call('DELETE', `/api/identity/memberships/${membershipId}`, { cookie: adminCookie })).statusCode,
    ).toBe(204);
    expect((await call('GET', '/api/auth/me', { cookie: inviteeCookie })).json()).toMatchObject({
      activeMembershipId: null,
      memberships: [],
    });

    // Every step is in the organisation's trail, in order, and the chain still verifies.
    const trail = await db()
      .select({ action: kernelAudit.action })
      .from(kernelAudit)
      .where(eq(kernelAudit.organisationId, org!.id))
      .orderBy(asc(kernelAudit.id));
    expect(trail.map((row) => row.action)).toEqual([
      'identity.organisation_applied',
      'identity.organisation_approved',
      'identity.member_invited',
      'identity.invitation_accepted',
      'identity.member_role_changed',
      'identity.member_removed',
    ]);
    const shown = await call('GET', `/api/identity/organisations/${org!.id}/audit`, { cookie: adminCookie });
    expect(shown.json<{ items: { action: string }[] }>().items[0]).toMatchObject({
      action: 'identity.member_removed',
      actor: { displayName: 'Leila Haddad' },
    });
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });

    // SECURITY: passwords and tokens never reach a log line or an audit entry.
    const logs = t.rawLogs();
    for (const secret of [applicantPassword, inviteePassword, token]) {
      expect(logs).not.toContain(secret);
      expect(JSON.stringify(await db().select().from(kernelAudit))).not.toContain(secret);
    }
  });

  it('makes an invitation work once, never after expiry or revocation, and only for its own address', async () => {
    const admin = await memberOf(undefined, 'org_admin');
    const org = admin.organisationId;

    // Expired.
    const late = await invite(admin.cookie, org, 'late@shelter.test');
    await inTransaction(db(), async (tx) => {
      await setTenant(tx, org);
      await tx
        .update(identityInvitations)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(identityInvitations.id, late.invitation.id));
    });
    const expired = await call('POST', '/api/identity/invitations/accept', {
      payload: { token: late.token, displayName: 'Late', password: 'bright comet over the dunes' },
    });
    expect(expired.statusCode).toBe(404);

    // Revoked.
    const withdrawn = await invite(admin.cookie, org, 'withdrawn@shelter.test');
    expect(
      (
        await call('DELETE', `/api/identity/organisations/${org}/invitations/${withdrawn.invitation.id}`, {
          cookie: admin.cookie,
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (
        await call('DELETE', `/api/identity/organisations/${org}/invitations/${withdrawn.invitation.id}`, {
          cookie: admin.cookie,
        })
      ).statusCode,
    ).toBe(409);
    const revoked = await call('POST', '/api/identity/invitations/accept', {
      payload: { token: withdrawn.token, displayName: 'Withdrawn', password: 'bright comet over the dunes' },
    });
    expect(revoked.statusCode).toBe(404);
    expect(
      (await call('GET', `/api/identity/organisations/${org}/invitations`, { cookie: admin.cookie })).json(),
    ).toEqual([]);

    // An address that already has an account must sign in first; then it joins with that account.
    const existing = await createPerson(db(), { email: 'existing@shelter.test' });
    const forExisting = await invite(admin.cookie, org, 'Existing@Shelter.test', 'member');
    const anonymous = await call('POST', '/api/identity/invitations/accept', {
      payload: { token: forExisting.token, displayName: 'Someone', password: 'bright comet over the dunes' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'unauthenticated' });
    // A partial session (second factor still due) is not signed in yet.
    const partial = await signIn(db(), existing.id, { level: 'partial' });
    expect(
      (
        await call('POST', '/api/identity/invitations/accept', {
          cookie: partial.cookie,
          payload: { token: forExisting.token },
        })
      ).statusCode,
    ).toBe(401);
    // Someone else's account cannot use it.
    const stranger = await createPerson(db());
    const strangerSession = await signIn(db(), stranger.id);
    const wrong = await call('POST', '/api/identity/invitations/accept', {
      cookie: strangerSession.cookie,
      payload: { token: forExisting.token },
    });
    expect(wrong.statusCode).toBe(403);
    const session = await signIn(db(), existing.id);
    const joined = await call('POST', '/api/identity/invitations/accept', {
      cookie: session.cookie,
      payload: { token: forExisting.token },
    });
    expect(joined.statusCode).toBe(200);
    expect(joined.json()).toMatchObject({ accountCreated: false });
    // The session had no organisation to act for: it now acts for this one.
    expect((await call('GET', '/api/auth/me', { cookie: session.cookie })).json()).toMatchObject({
      activeMembershipId: joined.json<{ membershipId: string }>().membershipId,
    });

    // Already a member, already invited: conflicts.
    expect(
      (
        await call('POST', `/api/identity/organisations/${org}/invitations`, {
          cookie: admin.cookie,
          payload: { email: 'existing@shelter.test', role: 'analyst' },
        })
      ).statusCode,
    ).toBe(409);
    await invite(admin.cookie, org, 'twice@shelter.test');
    expect(
      (
        await call('POST', `/api/identity/organisations/${org}/invitations`, {
          cookie: admin.cookie,
          payload: { email: 'twice@shelter.test', role: 'analyst' },
        })
      ).statusCode,
    ).toBe(409);

    // A new account needs a name and an acceptable password; the refusal does not use up the link.
    const fresh = await invite(admin.cookie, org, 'fresh@shelter.test');
    const missing = await call('POST', '/api/identity/invitations/accept', {
      payload: { token: fresh.token },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({
      errors: [
        { path: 'body.displayName', code: 'identity.required_for_new_account' },
        { path: 'body.password', code: 'identity.required_for_new_account' },
      ],
    });
    const weak = await call('POST', '/api/identity/invitations/accept', {
      payload: { token: fresh.token, displayName: 'Fresh', password: 'fresh@shelter.test is me' },
    });
    expect(weak.json()).toMatchObject({
      errors: [{ path: 'body.password', code: 'identity.password_contains_identity' }],
    });
    const ok = await call('POST', '/api/identity/invitations/accept', {
      payload: { token: fresh.token, displayName: 'Fresh', password: 'bright comet over the dunes' },
    });
    expect(ok.statusCode).toBe(200);
    expect(
      (await call('POST', '/api/identity/invitations/accept', { payload: { token: 'x'.repeat(43) } }))
        .statusCode,
    ).toBe(404);
  });

  it('keeps members, invitations and audit out of sight of other organisations and out of reach of members', async () => {
    const org = await createOrganisation(db());
    const admin = await memberOf(org.id, 'org_admin');
    const caseworker = await memberOf(org.id, 'caseworker');
    const otherAdmin = await memberOf(undefined, 'org_admin');
    const platformAdmin = await createPerson(db(), { platformRole: 'platform_admin', passkey: true });
    const platform = await signIn(db(), platformAdmin.id);
    const moderator = await createPerson(db(), { platformRole: 'moderator', passkey: true });
    const moderation = await signIn(db(), moderator.id);
    const { invitation } = await invite(admin.cookie, org.id, 'hidden@shelter.test');

    const reads = [
      `/api/identity/organisations/${org.id}`,
      `/api/identity/organisations/${org.id}/members`,
      `/api/identity/organisations/${org.id}/invitations`,
      `/api/identity/organisations/${org.id}/audit`,
    ];
    for (const url of reads) {
      expect((await call('GET', url, { cookie: otherAdmin.cookie })).statusCode, url).toBe(404);
      expect((await call('GET', url, { cookie: admin.cookie })).statusCode, url).toBe(200);
    }
    const writes = [
      {
        method: 'POST' as const,
        url: `/api/identity/organisations/${org.id}/invitations`,
        payload: { email: 'a@b.test', role: 'member' },
      },
      {
        method: 'DELETE' as const,
        url: `/api/identity/organisations/${org.id}/invitations/${invitation.id}`,
      },
      {
        method: 'PATCH' as const,
        url: `/api/identity/memberships/${caseworker.membership.id}`,
        payload: { role: 'member' },
      },
      { method: 'DELETE' as const, url: `/api/identity/memberships/${caseworker.membership.id}` },
    ];
    for (const { method, url, payload } of writes) {
      expect((await call(method, url, { cookie: otherAdmin.cookie, payload })).statusCode, url).toBe(404);
      expect((await call(method, url, { cookie: caseworker.cookie, payload })).statusCode, url).toBe(403);
      expect((await call(method, url, { cookie: platform.cookie, payload })).statusCode, url).toBe(403);
    }
    // A member sees the organisation but not its member management.
    for (const url of reads.slice(1)) {
      expect((await call('GET', url, { cookie: caseworker.cookie })).statusCode, url).toBe(403);
      expect((await call('GET', url, { cookie: moderation.cookie })).statusCode, url).toBe(403);
    }
    // Platform admins may look.
    const listed = await call('GET', `/api/identity/organisations/${org.id}/members`, {
      cookie: platform.cookie,
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json<{ abilities: { remove: boolean } }[]>().every((m) => !m.abilities.remove)).toBe(true);
    // Nothing changed.
    const [still] = await inTransaction(db(), async (tx) => {
      await setTenant(tx, org.id);
      return tx.select().from(identityInvitations).where(eq(identityInvitations.id, invitation.id));
    });
    expect(still!.revokedAt).toBeNull();
    expect((await call('GET', '/api/auth/me', { cookie: caseworker.cookie })).json()).toMatchObject({
      memberships: [{ role: 'caseworker' }],
    });
  });

  it('never removes or demotes the last org admin', async () => {
    const admin = await memberOf(undefined, 'org_admin');
    const org = admin.organisationId;
    const demoteSelf = () =>
      call('PATCH', `/api/identity/memberships/${admin.membership.id}`, {
        cookie: admin.cookie,
        payload: { role: 'member' },
      });
    const removeSelf = () =>
      call('DELETE', `/api/identity/memberships/${admin.membership.id}`, { cookie: admin.cookie });
    expect((await demoteSelf()).statusCode).toBe(409);
    expect((await removeSelf()).statusCode).toBe(409);
    // Keeping the role is not a change.
    expect(
      (
        await call('PATCH', `/api/identity/memberships/${admin.membership.id}`, {
          cookie: admin.cookie,
          payload: { role: 'org_admin' },
        })
      ).statusCode,
    ).toBe(200);

    const second = await memberOf(org, 'member');
    const promoted = await call('PATCH', `/api/identity/memberships/${second.membership.id}`, {
      cookie: admin.cookie,
      payload: { role: 'org_admin' },
    });
    expect(promoted.json()).toMatchObject({ role: 'org_admin', abilities: { remove: true } });
    expect((await demoteSelf()).statusCode).toBe(200);
    // The demotion applied at once: the former admin can no longer manage members.
    expect((await removeSelf()).statusCode).toBe(403);
    const removeFormer = await call('DELETE', `/api/identity/memberships/${admin.membership.id}`, {
      cookie: second.cookie,
    });
    expect(removeFormer.statusCode).toBe(204);
    // Now the second admin is the last one.
    expect(
      (await call('DELETE', `/api/identity/memberships/${second.membership.id}`, { cookie: second.cookie }))
        .statusCode,
    ).toBe(409);
    const roles = await db()
      .select({ action: kernelAudit.action, details: kernelAudit.details })
      .from(kernelAudit)
      .where(
        and(
          eq(kernelAudit.organisationId, org),
          inArray(kernelAudit.action, ['identity.member_role_changed', 'identity.member_removed']),
        ),
      )
      .orderBy(asc(kernelAudit.id));
    expect(roles).toEqual([
      {
        action: 'identity.member_role_changed',
        details: { membershipId: second.membership.id, from: 'member', to: 'org_admin' },
      },
      {
        action: 'identity.member_role_changed',
        details: { membershipId: admin.membership.id, from: 'org_admin', to: 'member' },
      },
      { action: 'identity.member_removed', details: { membershipId: admin.membership.id } },
    ]);
    // Removing a membership keeps the person's account (they may belong elsewhere).
    const [person] = await db().select().from(identityPeople).where(eq(identityPeople.id, admin.personId));
    expect(person?.id).toBe(admin.personId);
  });
});
