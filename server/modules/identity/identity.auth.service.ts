import { and, asc, count, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { PersonActor } from '../../kernel/access/policy.js';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { hashToken, randomToken } from '../../kernel/crypto/crypto.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import type { meSchema, sessionSchema } from './identity.auth.schemas.js';
import { sendIdentityMail } from './identity.mail.js';
import { hashPassword, verifyPassword } from './identity.passwords.js';
import { createSession, revokeSessions, type RequiredFactor } from './identity.sessions.js';
import {
  identityMemberships,
  identityOrganisations,
  identityPasskeys,
  identityPasswordResets,
  identityPeople,
  identityRecoveryCodes,
  identitySessions,
  identitySettings,
  identityTotpFactors,
} from './identity.tables.js';
import { accountKey, addressKey, clearFailures, recordFailure, throttleWait } from './identity.throttle.js';
import './identity.audit.js';

type FactorKind = 'passkey' | 'totp' | 'recovery_code';

/** Asserts the caller is a signed-in person (the route gate already made sure; this narrows the type). */
export function personOf(ctx: Ctx): PersonActor {
  if (ctx.actor.kind !== 'person') throw new AppError('unauthenticated');
  return ctx.actor;
}

/** The person's enrolled second factors. */
export async function factorsOf(tx: Tx, personId: string): Promise<FactorKind[]> {
  const [passkeys] = await tx
    .select({ n: count() })
    .from(identityPasskeys)
    .where(eq(identityPasskeys.personId, personId));
  const [totp] = await tx
    .select({ confirmedAt: identityTotpFactors.confirmedAt })
    .from(identityTotpFactors)
    .where(eq(identityTotpFactors.personId, personId));
  const [codes] = await tx
    .select({ n: count() })
    .from(identityRecoveryCodes)
    .where(and(eq(identityRecoveryCodes.personId, personId), isNull(identityRecoveryCodes.usedAt)));
  const factors: FactorKind[] = [];
  if (Number(passkeys?.n) > 0) factors.push('passkey');
  if (totp?.confirmedAt) factors.push('totp');
  if (factors.length > 0 && Number(codes?.n) > 0) factors.push('recovery_code');
  return factors;
}

/** The membership a new session acts for: the person's oldest membership in an active organisation. */
export async function defaultMembership(tx: Tx, personId: string): Promise<string | null> {
  // Platform scope: choosing among the person's own memberships across organisations.
  await setPlatformScope(tx);
  const [row] = await tx
    .select({ id: identityMemberships.id })
    .from(identityMemberships)
    .innerJoin(identityOrganisations, eq(identityOrganisations.id, identityMemberships.organisationId))
    .where(and(eq(identityMemberships.personId, personId), eq(identityOrganisations.status, 'active')))
    .orderBy(asc(identityMemberships.createdAt))
    .limit(1);
  return row?.id ?? null;
}

/**
 * Signs in with email and password. The answer is the same, and takes as long, whether or not the account
 * exists. Repeated failures slow down per account and per address, never locking anyone out for good.
 * With a second factor enrolled, the session stays `partial` until that factor is passed.
 */
export async function signInWithPassword(
  ctx: Ctx,
  input: { email: string; password: string },
): Promise<{ token: string; status: 'signed_in' | 'second_factor_required'; factors: FactorKind[] }> {
  const { db } = ctx.kernel.database;
  const account = accountKey(input.email);
  const address = addressKey(ctx.ip);
  const wait = await inTransaction(db, async (tx) =>
    Math.max(await throttleWait(tx, account), await throttleWait(tx, address)),
  );
  if (wait > 0) {
    await inTransaction(db, (tx) =>
      recordAudit(
        tx,
        { action: 'identity.sign_in_failed', objectType: 'session', details: { reason: 'throttled' } },
        ctx.audit,
      ),
    );
    throw new AppError('rate_limited', { params: { seconds: wait } });
  }
  const [person] = await db
    .select()
    .from(identityPeople)
    .where(sql`lower(${identityPeople.email}) = ${input.email.trim().toLowerCase()}`);
  const ok = await verifyPassword(person?.passwordHash, input.password);
  if (!person || !ok) {
    await inTransaction(db, async (tx) => {
      await recordFailure(tx, 'account', account);
      await recordFailure(tx, 'address', address);
      await recordAudit(
        tx,
        {
          action: 'identity.sign_in_failed',
          objectType: 'person',
          objectId: person?.id ?? null,
          details: { reason: 'credentials' },
        },
        ctx.audit,
      );
    });
    throw new AppError('invalid_credentials');
  }
  return inTransaction(db, async (tx) => {
    await clearFailures(tx, account);
    const factors = await factorsOf(tx, person.id);
    const level = factors.length > 0 ? 'partial' : 'full';
    const session = await createSession(tx, {
      personId: person.id,
      level,
      activeMembershipId: await defaultMembership(tx, person.id),
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    await recordAudit(
      tx,
      {
        action: 'identity.signed_in',
        objectType: 'session',
        objectId: session.id,
        details: { level, method: 'password' },
      },
      { ...ctx.audit, actorPersonId: person.id },
    );
    return {
      token: session.token,
      status: level === 'full' ? 'signed_in' : 'second_factor_required',
      factors,
    };
  });
}

/** Ends the caller's session on the server. */
export async function signOut(ctx: Ctx): Promise<void> {
  const actor = personOf(ctx);
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    await revokeSessions(tx, { personId: actor.personId, sessionId: actor.sessionId });
    await recordAudit(
      tx,
      { action: 'identity.signed_out', objectType: 'session', objectId: actor.sessionId, details: {} },
      ctx.audit,
    );
  });
}

/** Everything the web app needs about the signed-in person, with their abilities. */
export async function getMe(ctx: Ctx): Promise<z.infer<typeof meSchema>> {
  const actor = personOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const [person] = await tx.select().from(identityPeople).where(eq(identityPeople.id, actor.personId));
    if (!person) throw new AppError('unauthenticated');
    // Platform scope: a person's own memberships, across all their organisations.
    await setPlatformScope(tx);
    const memberships = await tx
      .select({ membership: identityMemberships, organisation: identityOrganisations })
      .from(identityMemberships)
      .innerJoin(identityOrganisations, eq(identityOrganisations.id, identityMemberships.organisationId))
      .where(eq(identityMemberships.personId, actor.personId))
      .orderBy(asc(identityOrganisations.name));
    const [passkeys] = await tx
      .select({ n: count() })
      .from(identityPasskeys)
      .where(eq(identityPasskeys.personId, actor.personId));
    const [totp] = await tx
      .select()
      .from(identityTotpFactors)
      .where(eq(identityTotpFactors.personId, actor.personId));
    const [codes] = await tx
      .select({ n: count() })
      .from(identityRecoveryCodes)
      .where(and(eq(identityRecoveryCodes.personId, actor.personId), isNull(identityRecoveryCodes.usedAt)));
    const [setting] = await tx
      .select()
      .from(identitySettings)
      .where(eq(identitySettings.key, 'required_factor'));
    return {
      person: {
        id: person.id,
        email: person.email,
        displayName: person.displayName,
        platformRole: actor.platformRole,
        language: person.language,
      },
      level: actor.level,
      memberships: memberships.map(({ membership, organisation }) => ({
        id: membership.id,
        role: membership.role as z.infer<typeof meSchema>['memberships'][number]['role'],
        organisation: {
          id: organisation.id,
          name: organisation.name,
          type: organisation.type as z.infer<typeof meSchema>['memberships'][number]['organisation']['type'],
          status: organisation.status as z.infer<
            typeof meSchema
          >['memberships'][number]['organisation']['status'],
          tier: organisation.tier as z.infer<typeof meSchema>['memberships'][number]['organisation']['tier'],
        },
      })),
      activeMembershipId: actor.membership?.id ?? null,
      factors: {
        passkeys: Number(passkeys?.n ?? 0),
        totp: Boolean(totp?.confirmedAt),
        recoveryCodesLeft: Number(codes?.n ?? 0),
      },
      requiredFactor: (setting?.value as RequiredFactor | undefined) ?? 'passkey',
      hasRequiredFactor: actor.hasRequiredFactor,
      abilities: {
        moderate: actor.platformRole !== null,
        administerPlatform: actor.platformRole === 'platform_admin',
        administerOrganisation: actor.membership?.role === 'org_admin',
      },
    };
  });
}

/** Chooses which membership the session acts for; only the person's own, in an active organisation. */
export async function setActiveMembership(ctx: Ctx, membershipId: string): Promise<void> {
  const actor = personOf(ctx);
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    await setPlatformScope(tx);
    const [row] = await tx
      .select({ id: identityMemberships.id })
      .from(identityMemberships)
      .innerJoin(identityOrganisations, eq(identityOrganisations.id, identityMemberships.organisationId))
      .where(
        and(
          eq(identityMemberships.id, membershipId),
          eq(identityMemberships.personId, actor.personId),
          eq(identityOrganisations.status, 'active'),
        ),
      );
    // Someone else's membership does not exist for this caller.
    if (!row) throw new AppError('not_found');
    await tx
      .update(identitySessions)
      .set({ activeMembershipId: row.id })
      .where(eq(identitySessions.id, actor.sessionId));
    await recordAudit(
      tx,
      {
        action: 'identity.active_membership_changed',
        objectType: 'session',
        objectId: actor.sessionId,
        details: { membershipId },
      },
      ctx.audit,
    );
  });
}

/** The caller's live sessions, newest first. */
export async function listSessions(ctx: Ctx): Promise<z.infer<typeof sessionSchema>[]> {
  const actor = personOf(ctx);
  const rows = await ctx.kernel.database.db
    .select()
    .from(identitySessions)
    .where(
      and(
        eq(identitySessions.personId, actor.personId),
        isNull(identitySessions.revokedAt),
        gt(identitySessions.expiresAt, new Date()),
      ),
    )
    .orderBy(desc(identitySessions.lastSeenAt));
  return rows.map((row) => ({
    id: row.id,
    current: row.id === actor.sessionId,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    userAgent: row.userAgent,
    ip: row.ip,
  }));
}

/** Ends one of the caller's sessions, or all the others. */
export async function revokeMySessions(
  ctx: Ctx,
  which: { sessionId: string } | { allOthers: true },
): Promise<void> {
  const actor = personOf(ctx);
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    const n =
      'sessionId' in which
        ? await revokeSessions(tx, { personId: actor.personId, sessionId: which.sessionId })
        : await revokeSessions(tx, { personId: actor.personId, exceptSessionId: actor.sessionId });
    if ('sessionId' in which && n === 0) throw new AppError('not_found');
    await recordAudit(
      tx,
      {
        action: 'identity.session_revoked',
        objectType: 'person',
        objectId: actor.personId,
        details: { count: n },
      },
      ctx.audit,
    );
  });
}

/** Changes the caller's password (the current one is required); other sessions end; the person is emailed. */
export async function changePassword(
  ctx: Ctx,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const actor = personOf(ctx);
  const { db } = ctx.kernel.database;
  const [person] = await db.select().from(identityPeople).where(eq(identityPeople.id, actor.personId));
  if (!person || !(await verifyPassword(person.passwordHash, input.currentPassword))) {
    throw new AppError('invalid_credentials');
  }
  const passwordHash = await hashPassword(input.newPassword);
  await inTransaction(db, async (tx) => {
    await tx
      .update(identityPeople)
      .set({ passwordHash, updatedAt: new Date() })
      .where(eq(identityPeople.id, person.id));
    await revokeSessions(tx, { personId: person.id, exceptSessionId: actor.sessionId });
    await recordAudit(
      tx,
      {
        action: 'identity.password_changed',
        objectType: 'person',
        objectId: person.id,
        details: { via: 'change' },
      },
      ctx.audit,
    );
    await sendIdentityMail(ctx.kernel, tx, person, 'password_changed');
  });
}

const resetValidityMs = 60 * 60 * 1000;

/**
 * Starts a password reset. The answer never says whether the account exists; if it does, a single-use link
 * valid for an hour is emailed. The link sets a new password only: the second factor is still required.
 */
export async function requestPasswordReset(ctx: Ctx, email: string): Promise<void> {
  const { db } = ctx.kernel.database;
  const token = randomToken();
  const [person] = await db
    .select()
    .from(identityPeople)
    .where(sql`lower(${identityPeople.email}) = ${email.trim().toLowerCase()}`);
  if (!person) return;
  await inTransaction(db, async (tx) => {
    await tx.insert(identityPasswordResets).values({
      personId: person.id,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + resetValidityMs),
    });
    await recordAudit(
      tx,
      { action: 'identity.password_reset_requested', objectType: 'person', objectId: person.id, details: {} },
      ctx.audit,
    );
    // The token travels in the fragment, which browsers never send to servers or put in logs.
    await sendIdentityMail(ctx.kernel, tx, person, 'password_reset', {
      link: `${ctx.kernel.config.publicUrl}/reset-password#token=${token}`,
    });
  });
}

/** Completes a reset with a valid, unused link: sets the password, ends every session, emails the person. */
export async function completePasswordReset(
  ctx: Ctx,
  input: { token: string; newPassword: string },
): Promise<void> {
  const { db } = ctx.kernel.database;
  const passwordHash = await hashPassword(input.newPassword);
  await inTransaction(db, async (tx) => {
    const [reset] = await tx
      .update(identityPasswordResets)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(identityPasswordResets.tokenHash, hashToken(input.token)),
          isNull(identityPasswordResets.usedAt),
          gt(identityPasswordResets.expiresAt, new Date()),
        ),
      )
      .returning();
    if (!reset) throw new AppError('invalid_credentials');
    const [person] = await tx
      .update(identityPeople)
      .set({ passwordHash, updatedAt: new Date() })
      .where(eq(identityPeople.id, reset.personId))
      .returning();
    await revokeSessions(tx, { personId: reset.personId });
    await recordAudit(
      tx,
      {
        action: 'identity.password_changed',
        objectType: 'person',
        objectId: reset.personId,
        details: { via: 'reset' },
      },
      { ...ctx.audit, actorPersonId: reset.personId },
    );
    await sendIdentityMail(ctx.kernel, tx, person!, 'password_changed');
  });
}
