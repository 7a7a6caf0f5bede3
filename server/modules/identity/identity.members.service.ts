import { and, asc, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Actor } from '../../kernel/access/policy.js';
import type { Role } from '../../kernel/access/roles.js';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { hashToken, randomToken } from '../../kernel/crypto/crypto.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError, type FieldIssue } from '../../kernel/http/errors.js';
import { personOf } from './identity.auth.service.js';
import { sendIdentityMail } from './identity.mail.js';
import type { acceptedInvitationSchema, invitationSchema, memberSchema } from './identity.members.schemas.js';
import { hashPassword, passwordProblem } from './identity.passwords.js';
import {
  accessOf,
  canManageMembers,
  canViewMembers,
  canViewOrganisation,
  membershipAbilities,
  wouldRemoveLastAdmin,
} from './identity.policy.js';
import {
  identityInvitations,
  identityMemberships,
  identityOrganisations,
  identityPeople,
  identitySessions,
} from './identity.tables.js';
import './identity.audit.js';

type Member = z.infer<typeof memberSchema>;
type Invitation = z.infer<typeof invitationSchema>;
type OrganisationRow = typeof identityOrganisations.$inferSelect;
type MembershipRow = typeof identityMemberships.$inferSelect;

/** Invitations are valid this long. */
export const invitationValidityDays = 7;

const lowerEmail = (email: string) => sql`lower(${identityPeople.email}) = ${email.trim().toLowerCase()}`;

/**
 * The organisation behind a members route, or the right refusal: 404 when the caller may not see it (or it
 * does not exist), 403 when they may see it but not do this. `lock` serialises changes to its members, so
 * two admins cannot each demote the other and leave the organisation without one.
 */
async function organisationFor(
  ctx: Ctx,
  tx: Tx,
  organisationId: string,
  canDo: boolean,
  lock = false,
): Promise<OrganisationRow> {
  const access = accessOf(canViewOrganisation(ctx.actor, organisationId), canDo);
  // Refused before reading: whether the id exists stays unknown to those who may not see it.
  if (access === 'not_found') throw new AppError('not_found');
  const query = tx.select().from(identityOrganisations).where(eq(identityOrganisations.id, organisationId));
  const [org] = lock ? await query.for('update') : await query;
  if (!org) throw new AppError('not_found');
  if (access === 'forbidden') throw new AppError('forbidden');
  return org;
}

function presentMember(
  actor: Actor,
  row: { membership: MembershipRow; person: { displayName: string; email: string } },
  organisationAdmins: number,
): Member {
  return {
    id: row.membership.id,
    personId: row.membership.personId,
    displayName: row.person.displayName,
    email: row.person.email,
    role: row.membership.role as Role,
    joinedAt: row.membership.createdAt.toISOString(),
    abilities: membershipAbilities(
      actor,
      { organisationId: row.membership.organisationId, role: row.membership.role as Role },
      organisationAdmins,
    ),
  };
}

function presentInvitation(
  actor: Actor,
  invitation: typeof identityInvitations.$inferSelect,
  invitedBy: string | null,
): Invitation {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role as Role,
    expiresAt: invitation.expiresAt.toISOString(),
    createdAt: invitation.createdAt.toISOString(),
    invitedBy,
    abilities: { revoke: canManageMembers(actor, invitation.organisationId) },
  };
}

async function countAdmins(tx: Tx, organisationId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(identityMemberships)
    .where(
      and(eq(identityMemberships.organisationId, organisationId), eq(identityMemberships.role, 'org_admin')),
    );
  return row?.n ?? 0;
}

/** The members of an organisation, by name (its admins and platform admins). */
export async function listMembers(ctx: Ctx, organisationId: string): Promise<Member[]> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await organisationFor(ctx, tx, organisationId, canViewMembers(ctx.actor, organisationId));
    // Tenant scope: this organisation's memberships only.
    await setTenant(tx, organisationId);
    const rows = await tx
      .select({
        membership: identityMemberships,
        person: { displayName: identityPeople.displayName, email: identityPeople.email },
      })
      .from(identityMemberships)
      .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
      .where(eq(identityMemberships.organisationId, organisationId))
      .orderBy(asc(identityPeople.displayName), asc(identityMemberships.id));
    const admins = rows.filter((row) => row.membership.role === 'org_admin').length;
    return rows.map((row) => presentMember(ctx.actor, row, admins));
  });
}

/** Pending invitations (not accepted, revoked or expired), newest first. */
export async function listInvitations(ctx: Ctx, organisationId: string): Promise<Invitation[]> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await organisationFor(ctx, tx, organisationId, canViewMembers(ctx.actor, organisationId));
    // Tenant scope: this organisation's invitations only.
    await setTenant(tx, organisationId);
    const rows = await tx
      .select({ invitation: identityInvitations, invitedBy: identityPeople.displayName })
      .from(identityInvitations)
      .leftJoin(identityPeople, eq(identityPeople.id, identityInvitations.invitedByPersonId))
      .where(
        and(
          eq(identityInvitations.organisationId, organisationId),
          isNull(identityInvitations.acceptedAt),
          isNull(identityInvitations.revokedAt),
          gt(identityInvitations.expiresAt, new Date()),
        ),
      )
      .orderBy(desc(identityInvitations.createdAt));
    return rows.map((row) => presentInvitation(ctx.actor, row.invitation, row.invitedBy));
  });
}

/**
 * Invites someone by email to a role. SECURITY: the link holds a 256-bit token; only its hash is stored,
 * and it travels in the URL fragment, which browsers never send to servers or write to logs.
 */
export async function inviteMember(
  ctx: Ctx,
  organisationId: string,
  input: { email: string; role: Role },
): Promise<Invitation> {
  const actor = personOf(ctx);
  const token = randomToken();
  const email = input.email.trim();
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const org = await organisationFor(ctx, tx, organisationId, canManageMembers(actor, organisationId), true);
    // Tenant scope: this organisation's memberships and invitations only.
    await setTenant(tx, organisationId);
    // One round trip for both: already a member, or already invited (revoke that invitation to send a new one).
    const memberQuery = tx
      .select({ id: identityMemberships.id })
      .from(identityMemberships)
      .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
      .where(and(eq(identityMemberships.organisationId, organisationId), lowerEmail(email)));
    const pendingQuery = tx
      .select({ id: identityInvitations.id })
      .from(identityInvitations)
      .where(
        and(
          eq(identityInvitations.organisationId, organisationId),
          sql`lower(${identityInvitations.email}) = ${email.toLowerCase()}`,
          isNull(identityInvitations.acceptedAt),
          isNull(identityInvitations.revokedAt),
          gt(identityInvitations.expiresAt, new Date()),
        ),
      );
    const [taken] = await queryRows<{ member: boolean; pending: boolean }>(
      tx,
      sql`select exists ${memberQuery} as member, exists ${pendingQuery} as pending`,
    );
    if (taken?.member || taken?.pending) throw new AppError('conflict');
    const [invitation] = await tx
      .insert(identityInvitations)
      .values({
        organisationId,
        email,
        role: input.role,
        tokenHash: hashToken(token),
        invitedByPersonId: actor.personId,
        expiresAt: new Date(Date.now() + invitationValidityDays * 86_400_000),
      })
      .returning();
    await recordAudit(
      tx,
      {
        action: 'identity.member_invited',
        objectType: 'invitation',
        objectId: invitation!.id,
        organisationId,
        details: { role: input.role, invitationId: invitation!.id },
      },
      ctx.audit,
    );
    // The invitee's language (if they already have an account) and the inviter's name, in one round trip.
    const [names] = await queryRows<{ language: string | null; inviter: string | null }>(
      tx,
      sql`select ${tx.select({ language: identityPeople.language }).from(identityPeople).where(lowerEmail(email))} as language,
                 ${tx
                   .select({ displayName: identityPeople.displayName })
                   .from(identityPeople)
                   .where(eq(identityPeople.id, actor.personId))} as inviter`,
    );
    await sendIdentityMail(
      ctx.kernel,
      tx,
      { email, language: names?.language ?? ctx.language },
      'invitation',
      {
        organisation: org.name,
        role: input.role,
        days: invitationValidityDays,
        link: `${ctx.kernel.config.publicUrl}/invitations/accept#token=${token}`,
      },
    );
    return presentInvitation(ctx.actor, invitation!, names?.inviter ?? null);
  });
}

/** Withdraws a pending invitation: its link stops working at once. */
export async function revokeInvitation(
  ctx: Ctx,
  organisationId: string,
  invitationId: string,
): Promise<void> {
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    await organisationFor(ctx, tx, organisationId, canManageMembers(ctx.actor, organisationId));
    // Tenant scope: this organisation's invitations only.
    await setTenant(tx, organisationId);
    const [invitation] = await tx
      .select()
      .from(identityInvitations)
      .where(
        and(eq(identityInvitations.id, invitationId), eq(identityInvitations.organisationId, organisationId)),
      )
      .for('update');
    if (!invitation) throw new AppError('not_found');
    if (invitation.acceptedAt || invitation.revokedAt) throw new AppError('conflict');
    await tx
      .update(identityInvitations)
      .set({ revokedAt: new Date(), updatedAt: new Date() })
      .where(eq(identityInvitations.id, invitationId));
    await recordAudit(
      tx,
      {
        action: 'identity.invitation_revoked',
        objectType: 'invitation',
        objectId: invitationId,
        organisationId,
        details: { invitationId },
      },
      ctx.audit,
    );
  });
}

/**
 * Accepts an invitation with its token. A caller signed in (full session) as the invited address joins with
 * that account; a caller not signed in creates the account, unless the address already has one, in which
 * case they must sign in first (the holder of the link learns nothing more than that).
 */
export async function acceptInvitation(
  ctx: Ctx,
  input: { token: string; displayName?: string; password?: string },
): Promise<z.infer<typeof acceptedInvitationSchema>> {
  const signedIn = ctx.actor.kind === 'person' && ctx.actor.level === 'full' ? ctx.actor : null;
  // argon2 is slow by design: hash before the transaction opens, and only when an account may be created.
  const passwordHash = !signedIn && input.password ? await hashPassword(input.password) : null;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    // Platform scope: the token is all an invitee has, and which organisation it belongs to is known only
    // once it is found. Only the invitation matching the token's hash is read or changed.
    await setPlatformScope(tx);
    const now = new Date();
    // SECURITY: consumed in one statement, so of two requests racing with one token only one wins; a used,
    // revoked, expired or unknown token all answer the same 404. Any refusal below rolls this back.
    const [invitation] = await tx
      .update(identityInvitations)
      .set({ acceptedAt: now, updatedAt: now })
      .where(
        and(
          eq(identityInvitations.tokenHash, hashToken(input.token)),
          isNull(identityInvitations.acceptedAt),
          isNull(identityInvitations.revokedAt),
          gt(identityInvitations.expiresAt, now),
        ),
      )
      .returning();
    if (!invitation) throw new AppError('not_found');
    const [org] = await tx
      .select()
      .from(identityOrganisations)
      .where(
        and(
          eq(identityOrganisations.id, invitation.organisationId),
          eq(identityOrganisations.status, 'active'),
        ),
      );
    if (!org) throw new AppError('not_found');

    let personId: string;
    let accountCreated = false;
    if (signedIn) {
      const [me] = await tx
        .select({ email: identityPeople.email })
        .from(identityPeople)
        .where(eq(identityPeople.id, signedIn.personId));
      // SECURITY: an invitation is for one address; a link forwarded to someone else's account does not work.
      if (!me || me.email.toLowerCase() !== invitation.email.toLowerCase()) throw new AppError('forbidden');
      personId = signedIn.personId;
    } else {
      const [existing] = await tx
        .select({ id: identityPeople.id })
        .from(identityPeople)
        .where(lowerEmail(invitation.email));
      if (existing) throw new AppError('unauthenticated');
      const fields: FieldIssue[] = [];
      if (!input.displayName)
        fields.push({ path: 'body.displayName', code: 'identity.required_for_new_account' });
      if (!input.password) fields.push({ path: 'body.password', code: 'identity.required_for_new_account' });
      else {
        const problem = passwordProblem(input.password, {
          email: invitation.email,
          displayName: input.displayName,
        });
        if (problem) fields.push({ path: 'body.password', code: problem });
      }
      if (fields.length > 0 || !passwordHash || !input.displayName)
        throw new AppError('validation_failed', { fields });
      const [person] = await tx
        .insert(identityPeople)
        .values({
          email: invitation.email,
          displayName: input.displayName,
          passwordHash,
          language: ctx.language,
        })
        .onConflictDoNothing()
        .returning({ id: identityPeople.id });
      // Created by someone else a moment ago: the same answer as an existing account.
      if (!person) throw new AppError('unauthenticated');
      personId = person.id;
      accountCreated = true;
    }

    const [membership] = await tx
      .insert(identityMemberships)
      .values({ personId, organisationId: org.id, role: invitation.role })
      .onConflictDoNothing()
      .returning({ id: identityMemberships.id });
    // Already a member of this organisation.
    if (!membership) throw new AppError('conflict');
    if (signedIn && !signedIn.membership) {
      // A session that acted for no organisation now acts for this one.
      await tx
        .update(identitySessions)
        .set({ activeMembershipId: membership.id })
        .where(eq(identitySessions.id, signedIn.sessionId));
    }
    await recordAudit(
      tx,
      {
        action: 'identity.invitation_accepted',
        objectType: 'invitation',
        objectId: invitation.id,
        organisationId: org.id,
        details: { invitationId: invitation.id, membershipId: membership.id },
      },
      { ...ctx.audit, actorPersonId: personId },
    );
    return { membershipId: membership.id, organisation: { id: org.id, name: org.name }, accountCreated };
  });
}

/**
 * Loads a membership of the organisation the caller administers, with the organisation locked (see
 * organisationFor). Another organisation's membership does not exist for the caller.
 */
async function administeredMembership(ctx: Ctx, tx: Tx, membershipId: string) {
  const actor = personOf(ctx);
  const organisationId = actor.membership?.organisationId;
  if (!organisationId || !canManageMembers(actor, organisationId)) throw new AppError('forbidden');
  await organisationFor(ctx, tx, organisationId, true, true);
  // Tenant scope: only the caller's organisation's memberships are visible (RLS), whatever id was asked.
  await setTenant(tx, organisationId);
  const [row] = await tx
    .select({
      membership: identityMemberships,
      person: { displayName: identityPeople.displayName, email: identityPeople.email },
    })
    .from(identityMemberships)
    .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
    .where(
      and(eq(identityMemberships.id, membershipId), eq(identityMemberships.organisationId, organisationId)),
    );
  if (!row) throw new AppError('not_found');
  return { row, organisationId, admins: await countAdmins(tx, organisationId) };
}

/**
 * Changes a member's role; it applies from the member's very next request (roles are read per request).
 * The last org_admin cannot be demoted (409).
 */
export async function changeMemberRole(ctx: Ctx, membershipId: string, role: Role): Promise<Member> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const { row, organisationId, admins } = await administeredMembership(ctx, tx, membershipId);
    const from = row.membership.role as Role;
    if (from === role) return presentMember(ctx.actor, row, admins);
    if (wouldRemoveLastAdmin({ currentRole: from, newRole: role, organisationAdmins: admins }))
      throw new AppError('conflict');
    const [updated] = await tx
      .update(identityMemberships)
      .set({ role, updatedAt: new Date() })
      .where(eq(identityMemberships.id, membershipId))
      .returning();
    await recordAudit(
      tx,
      {
        action: 'identity.member_role_changed',
        objectType: 'membership',
        objectId: membershipId,
        organisationId,
        details: { membershipId, from, to: role },
      },
      ctx.audit,
    );
    const adminsNow = admins + (role === 'org_admin' ? 1 : 0) - (from === 'org_admin' ? 1 : 0);
    return presentMember(ctx.actor, { membership: updated!, person: row.person }, adminsNow);
  });
}

/** Removes a member; it applies from their very next request. The last org_admin cannot be removed (409). */
export async function removeMember(ctx: Ctx, membershipId: string): Promise<void> {
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    const { row, organisationId, admins } = await administeredMembership(ctx, tx, membershipId);
    if (
      wouldRemoveLastAdmin({
        currentRole: row.membership.role as Role,
        newRole: null,
        organisationAdmins: admins,
      })
    )
      throw new AppError('conflict');
    await tx.delete(identityMemberships).where(eq(identityMemberships.id, membershipId));
    await recordAudit(
      tx,
      {
        action: 'identity.member_removed',
        objectType: 'membership',
        objectId: membershipId,
        organisationId,
        details: { membershipId },
      },
      ctx.audit,
    );
  });
}
