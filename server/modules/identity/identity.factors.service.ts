import { randomBytes } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { and, asc, count, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import type { z } from 'zod';
import type { PersonActor } from '../../kernel/access/policy.js';
import { sensitiveRoles } from '../../kernel/access/roles.js';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { hashToken } from '../../kernel/crypto/crypto.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Db, Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { defaultMembership, factorsOf, personOf } from './identity.auth.service.js';
import {
  totpAllowedWarning,
  type authenticationOptionsResultSchema,
  type identitySettingsSchema,
  type passkeySchema,
  type registrationOptionsResultSchema,
} from './identity.factors.schemas.js';
import { sendIdentityMail } from './identity.mail.js';
import { verifyPassword } from './identity.passwords.js';
import { createSession, revokeSessions, rotateSession, type RequiredFactor } from './identity.sessions.js';
import {
  identityChallenges,
  identityMemberships,
  identityOrganisations,
  identityPasskeys,
  identityPeople,
  identityRecoveryCodes,
  identitySettings,
  identityTotpFactors,
} from './identity.tables.js';
import { addressKey, clearFailures, recordFailure, throttleWait } from './identity.throttle.js';
import { stepUpValiditySeconds } from './identity.vocabulary.js';
import {
  authenticationOptions,
  registrationOptions,
  relyingPartyOf,
  userHandleOf,
  verifyAssertion,
  verifyRegistration,
  type StoredCredential,
} from './identity.webauthn.js';
import './identity.audit.js';

// ---------------------------------------------------------------------------------------------------------
// Step-up
// ---------------------------------------------------------------------------------------------------------

/**
 * SECURITY: the kernel-style guard for dangerous actions (revealing identifying fields, exports, removing a
 * factor, platform settings). Throws `step_up_required` unless this session passed a fresh passkey check
 * within stepUpValiditySeconds. Call it first in the use case, before reading or changing anything.
 */
export function requireRecentStepUp(ctx: Ctx): void {
  if (!hasRecentStepUp(ctx)) throw new AppError('step_up_required');
}

/** Whether this session passed a fresh passkey check (see requireRecentStepUp), for what shows more after one. */
export function hasRecentStepUp(ctx: Ctx): boolean {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || actor.level !== 'full') return false;
  const at = actor.stepUpAt?.getTime();
  const now = Date.now();
  return at !== undefined && now - at <= stepUpValiditySeconds * 1000 && at <= now + 60_000;
}

// ---------------------------------------------------------------------------------------------------------
// Shared rules
// ---------------------------------------------------------------------------------------------------------

/** The sensitive-role requirement: which factor sensitive roles need right now (a platform setting). */
async function requiredFactorOf(tx: Tx): Promise<RequiredFactor> {
  const [row] = await tx
    .select({ value: identitySettings.value })
    .from(identitySettings)
    .where(eq(identitySettings.key, 'required_factor'));
  return row?.value === 'passkey_or_totp' ? 'passkey_or_totp' : 'passkey';
}

/** Whether a person's roles oblige them to hold the required factor: platform staff or any sensitive role. */
async function mustHoldRequiredFactor(tx: Tx, personId: string): Promise<boolean> {
  const [person] = await tx
    .select({ platformRole: identityPeople.platformRole })
    .from(identityPeople)
    .where(eq(identityPeople.id, personId));
  if (person?.platformRole) return true;
  // Platform scope: the person's own memberships, across all their organisations.
  await setPlatformScope(tx);
  const [row] = await tx
    .select({ id: identityMemberships.id })
    .from(identityMemberships)
    .innerJoin(identityOrganisations, eq(identityOrganisations.id, identityMemberships.organisationId))
    .where(
      and(
        eq(identityMemberships.personId, personId),
        eq(identityOrganisations.status, 'active'),
        inArray(identityMemberships.role, [...sensitiveRoles]),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/**
 * Refuses (conflict) a factor removal that would leave a person whose role needs the required factor
 * without it. `remaining` is what the person would hold after the removal.
 */
async function assertStillEnrolledAfter(
  tx: Tx,
  personId: string,
  remaining: { passkeys: number; totp: boolean },
): Promise<void> {
  const required = await requiredFactorOf(tx);
  const satisfied = remaining.passkeys > 0 || (required === 'passkey_or_totp' && remaining.totp);
  if (!satisfied && (await mustHoldRequiredFactor(tx, personId))) throw new AppError('conflict');
}

async function passkeyCount(tx: Tx, personId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(identityPasskeys)
    .where(eq(identityPasskeys.personId, personId));
  return Number(row?.n ?? 0);
}

async function hasConfirmedTotp(tx: Tx, personId: string): Promise<boolean> {
  const [row] = await tx
    .select({ confirmedAt: identityTotpFactors.confirmedAt })
    .from(identityTotpFactors)
    .where(eq(identityTotpFactors.personId, personId));
  return Boolean(row?.confirmedAt);
}

/**
 * After the last real factor is gone, unused recovery codes must not survive: re-enrolling later would
 * otherwise silently bring old codes (perhaps long since written down somewhere) back to life.
 */
async function dropRecoveryCodesIfNoFactorLeft(tx: Tx, personId: string): Promise<void> {
  if ((await passkeyCount(tx, personId)) > 0 || (await hasConfirmedTotp(tx, personId))) return;
  await tx.delete(identityRecoveryCodes).where(eq(identityRecoveryCodes.personId, personId));
}

async function personRow(tx: Tx | Db, personId: string) {
  const [person] = await tx.select().from(identityPeople).where(eq(identityPeople.id, personId));
  if (!person) throw new AppError('unauthenticated');
  return person;
}

/** Second-factor failures are counted per person, apart from the password counter (which a correct
 * password clears: sharing it would let an attacker who knows the password reset their guess budget). */
const factorThrottleKey = (personId: string) => `factor:${personId}`;

/** The session must still be waiting for its second factor. */
function partialActor(ctx: Ctx): PersonActor {
  const actor = personOf(ctx);
  if (actor.level !== 'partial') throw new AppError('conflict');
  return actor;
}

/** Answers a throttled second-factor attempt before any code is even looked at. */
async function assertNotThrottled(ctx: Ctx, personId: string): Promise<void> {
  const { db } = ctx.kernel.database;
  const wait = await inTransaction(db, (tx) => throttleWait(tx, factorThrottleKey(personId)));
  if (wait > 0) {
    await inTransaction(db, (tx) =>
      recordAudit(
        tx,
        {
          action: 'identity.sign_in_failed',
          objectType: 'person',
          objectId: personId,
          details: { reason: 'throttled' },
        },
        ctx.audit,
      ),
    );
    throw new AppError('rate_limited', { params: { seconds: wait } });
  }
}

/**
 * Records a failed second factor in its own transaction (so the count survives the error that follows)
 * and answers like a wrong password does.
 */
async function failSecondFactor(ctx: Ctx, personId: string): Promise<never> {
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    await recordFailure(tx, 'account', factorThrottleKey(personId));
    await recordFailure(tx, 'address', addressKey(ctx.ip));
    await recordAudit(
      tx,
      {
        action: 'identity.sign_in_failed',
        objectType: 'person',
        objectId: personId,
        details: { reason: 'credentials' },
      },
      ctx.audit,
    );
  });
  throw new AppError('invalid_credentials');
}

/** Completes a partial session: a new token at level full, failures forgiven, the passage audited. */
async function completeSession(
  ctx: Ctx,
  tx: Tx,
  actor: PersonActor,
  method: 'passkey' | 'totp' | 'recovery_code',
): Promise<string> {
  const token = await rotateSession(tx, actor.sessionId, { level: 'full' });
  await clearFailures(tx, factorThrottleKey(actor.personId));
  await recordAudit(
    tx,
    {
      action: 'identity.second_factor_passed',
      objectType: 'session',
      objectId: actor.sessionId,
      details: { method },
    },
    ctx.audit,
  );
  return token;
}

// ---------------------------------------------------------------------------------------------------------
// TOTP
// ---------------------------------------------------------------------------------------------------------

const totpPeriod = 30;
const totpDigits = 6;
/** One step either side: a phone clock a little off, or a code typed as it rolled over. */
const totpWindow = 1;

/** SECURITY: the AAD binds a sealed seed to its row: copied to another person, it does not open. */
export const totpSealAad = (personId: string) => `identity_totp_factors.secret_sealed.${personId}`;

const totpFor = (secret: Secret, label = 'Cairn') =>
  new TOTP({
    issuer: 'Cairn',
    label,
    algorithm: 'SHA1',
    digits: totpDigits,
    period: totpPeriod,
    secret,
  });

/** The time step a code belongs to (within the window around `now`), or null when it matches none. */
export function totpStepOf(secretBase32: string, code: string, now = Date.now()): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const totp = totpFor(Secret.fromBase32(secretBase32));
  const delta = totp.validate({ token, timestamp: now, window: totpWindow });
  return delta === null ? null : totp.counter({ timestamp: now }) + delta;
}

/**
 * Starts TOTP enrolment: a fresh 160-bit seed, stored sealed and unconfirmed (replacing an unconfirmed
 * one). A confirmed TOTP is never replaced here: removing it needs a step-up or the password.
 */
export async function setupTotp(ctx: Ctx): Promise<{ secret: string; otpauthUri: string }> {
  const actor = personOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const person = await personRow(tx, actor.personId);
    const secret = new Secret({ size: 20 });
    const sealed = ctx.kernel.seal(secret.base32, totpSealAad(person.id));
    const rows = await tx
      .insert(identityTotpFactors)
      .values({ personId: person.id, secretSealed: sealed })
      .onConflictDoUpdate({
        target: identityTotpFactors.personId,
        set: { secretSealed: sealed, lastUsedStep: null, createdAt: new Date() },
        setWhere: isNull(identityTotpFactors.confirmedAt),
      })
      .returning({ personId: identityTotpFactors.personId });
    if (rows.length === 0) throw new AppError('conflict');
    return { secret: secret.base32, otpauthUri: totpFor(secret, person.email).toString() };
  });
}

/** Confirms TOTP enrolment with a first code from the app; the person is emailed. */
export async function confirmTotp(ctx: Ctx, code: string): Promise<void> {
  const actor = personOf(ctx);
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    const [factor] = await tx
      .select()
      .from(identityTotpFactors)
      .where(and(eq(identityTotpFactors.personId, actor.personId), isNull(identityTotpFactors.confirmedAt)));
    if (!factor) throw new AppError('conflict');
    const step = totpStepOf(ctx.kernel.unseal(factor.secretSealed, totpSealAad(actor.personId)), code);
    if (step === null) {
      throw new AppError('validation_failed', {
        fields: [{ path: 'body.code', code: 'identity.totp_code_wrong' }],
      });
    }
    // The confirming code counts as used: it cannot finish a sign-in afterwards.
    await tx
      .update(identityTotpFactors)
      .set({ confirmedAt: new Date(), lastUsedStep: step })
      .where(eq(identityTotpFactors.personId, actor.personId));
    await recordAudit(
      tx,
      { action: 'identity.totp_enrolled', objectType: 'person', objectId: actor.personId, details: {} },
      ctx.audit,
    );
    await sendIdentityMail(ctx.kernel, tx, await personRow(tx, actor.personId), 'factor_added', {
      factor: 'totp',
    });
  });
}

/**
 * Removes the caller's TOTP. SECURITY: someone holding only a stolen session must not be able to strip a
 * factor: with a passkey the session needs a recent step-up, without one the current password.
 */
export async function removeTotp(ctx: Ctx, input: { currentPassword?: string }): Promise<void> {
  const actor = personOf(ctx);
  const { db } = ctx.kernel.database;
  const person = await personRow(db, actor.personId);
  const passkeys = await inTransaction(db, (tx) => passkeyCount(tx, actor.personId));
  if (passkeys > 0) requireRecentStepUp(ctx);
  else if (!(await verifyPassword(person.passwordHash, input.currentPassword ?? ''))) {
    throw new AppError('invalid_credentials');
  }
  await inTransaction(db, async (tx) => {
    const removed = await tx
      .delete(identityTotpFactors)
      .where(eq(identityTotpFactors.personId, actor.personId))
      .returning({ confirmedAt: identityTotpFactors.confirmedAt });
    if (removed.length === 0) throw new AppError('not_found');
    // An unconfirmed seed was never a factor: dropping it needs no checks, audit or email.
    if (!removed[0]!.confirmedAt) return;
    await assertStillEnrolledAfter(tx, actor.personId, {
      passkeys: await passkeyCount(tx, actor.personId),
      totp: false,
    });
    await dropRecoveryCodesIfNoFactorLeft(tx, actor.personId);
    await recordAudit(
      tx,
      { action: 'identity.totp_removed', objectType: 'person', objectId: actor.personId, details: {} },
      ctx.audit,
    );
    await sendIdentityMail(ctx.kernel, tx, person, 'factor_removed', { factor: 'totp' });
  });
}

/** Finishes a partial sign-in with an authenticator code; each code (time step) is accepted once only. */
export async function completeSignInWithTotp(ctx: Ctx, code: string): Promise<{ token: string }> {
  const actor = partialActor(ctx);
  await assertNotThrottled(ctx, actor.personId);
  const token = await inTransaction(ctx.kernel.database.db, async (tx) => {
    const [factor] = await tx
      .select()
      .from(identityTotpFactors)
      .where(eq(identityTotpFactors.personId, actor.personId));
    if (!factor?.confirmedAt) return null;
    const step = totpStepOf(ctx.kernel.unseal(factor.secretSealed, totpSealAad(actor.personId)), code);
    if (step === null) return null;
    // SECURITY: replay protection. The conditional update accepts a step only if it is newer than the last
    // one used, so a code seen over a shoulder, or sent twice at once, cannot be used again.
    const accepted = await tx
      .update(identityTotpFactors)
      .set({ lastUsedStep: step })
      .where(
        and(
          eq(identityTotpFactors.personId, actor.personId),
          or(isNull(identityTotpFactors.lastUsedStep), lt(identityTotpFactors.lastUsedStep, step)),
        ),
      )
      .returning({ personId: identityTotpFactors.personId });
    if (accepted.length === 0) return null;
    return completeSession(ctx, tx, actor, 'totp');
  });
  if (token === null) return failSecondFactor(ctx, actor.personId);
  return { token };
}

// ---------------------------------------------------------------------------------------------------------
// Recovery codes
// ---------------------------------------------------------------------------------------------------------

/** Crockford's base32: no I, L, O or U, so codes survive being read aloud or copied by hand. */
const recoveryAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const recoveryCodeCount = 10;
/** 10 random bytes = 80 bits = exactly 16 base32 symbols (no modulo bias), shown as four groups of four. */
const recoveryCodeBytes = 10;

/** Formats 80 random bits as `XXXX-XXXX-XXXX-XXXX`. */
export function formatRecoveryCode(bytes: Uint8Array): string {
  if (bytes.length !== recoveryCodeBytes) throw new Error('a recovery code is 10 bytes');
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let symbols = '';
  for (let i = 15; i >= 0; i--) symbols += recoveryAlphabet[Number((bits >> BigInt(i * 5)) & 31n)];
  return symbols.match(/.{4}/g)!.join('-');
}

/**
 * The canonical form of a typed recovery code (upper case, no spaces or dashes, the look-alikes I, L → 1
 * and O → 0), or null when it cannot be a code at all.
 */
export function normaliseRecoveryCode(input: string): string | null {
  const canonical = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return /^[0-9A-HJKMNP-TV-Z]{16}$/.test(canonical) ? canonical : null;
}

/**
 * SECURITY: the stored form of a recovery code. 80 random bits make a fast hash right here (as for session
 * tokens): nobody can enumerate 2^80 candidates, and ten argon2 checks per attempt would be a gift to a
 * denial-of-service attacker.
 */
export const recoveryCodeHash = (canonical: string) => hashToken(`recovery:${canonical}`);

/**
 * Issues ten new single-use recovery codes, replacing all earlier ones. Shown once: only hashes are kept.
 * Only for a person who has a real second factor (codes stand in for it, they are not one by themselves).
 */
export async function generateRecoveryCodes(ctx: Ctx): Promise<string[]> {
  const actor = personOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const factors = await factorsOf(tx, actor.personId);
    if (!factors.includes('passkey') && !factors.includes('totp')) throw new AppError('conflict');
    const codes = Array.from({ length: recoveryCodeCount }, () =>
      formatRecoveryCode(randomBytes(recoveryCodeBytes)),
    );
    await tx.delete(identityRecoveryCodes).where(eq(identityRecoveryCodes.personId, actor.personId));
    await tx.insert(identityRecoveryCodes).values(
      codes.map((code) => ({
        personId: actor.personId,
        codeHash: recoveryCodeHash(normaliseRecoveryCode(code)!),
      })),
    );
    await recordAudit(
      tx,
      {
        action: 'identity.recovery_codes_generated',
        objectType: 'person',
        objectId: actor.personId,
        details: { count: codes.length },
      },
      ctx.audit,
    );
    await sendIdentityMail(ctx.kernel, tx, await personRow(tx, actor.personId), 'factor_added', {
      factor: 'recovery_codes',
    });
    return codes;
  });
}

/** Finishes a partial sign-in with a recovery code, which is then spent; the person is emailed. */
export async function completeSignInWithRecoveryCode(
  ctx: Ctx,
  code: string,
): Promise<{ token: string; recoveryCodesLeft: number }> {
  const actor = partialActor(ctx);
  await assertNotThrottled(ctx, actor.personId);
  const canonical = normaliseRecoveryCode(code);
  const result = await inTransaction(ctx.kernel.database.db, async (tx) => {
    if (canonical === null) return null;
    const factors = await factorsOf(tx, actor.personId);
    if (!factors.includes('recovery_code')) return null;
    // SECURITY: spending the code is one conditional update, so two requests racing with the same code
    // cannot both succeed.
    const spent = await tx
      .update(identityRecoveryCodes)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(identityRecoveryCodes.personId, actor.personId),
          eq(identityRecoveryCodes.codeHash, recoveryCodeHash(canonical)),
          isNull(identityRecoveryCodes.usedAt),
        ),
      )
      .returning({ id: identityRecoveryCodes.id });
    if (spent.length === 0) return null;
    const [left] = await tx
      .select({ n: count() })
      .from(identityRecoveryCodes)
      .where(and(eq(identityRecoveryCodes.personId, actor.personId), isNull(identityRecoveryCodes.usedAt)));
    const recoveryCodesLeft = Number(left?.n ?? 0);
    const token = await completeSession(ctx, tx, actor, 'recovery_code');
    // A used recovery code is worth knowing about: if it was not the person, they learn it at once.
    await sendIdentityMail(ctx.kernel, tx, await personRow(tx, actor.personId), 'recovery_code_used', {
      count: recoveryCodesLeft,
    });
    return { token, recoveryCodesLeft };
  });
  if (result === null) return failSecondFactor(ctx, actor.personId);
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Passkeys (WebAuthn)
// ---------------------------------------------------------------------------------------------------------

const challengeValidityMs = 5 * 60 * 1000;
type ChallengePurpose = 'passkey_registration' | 'passkey_sign_in' | 'step_up';

/**
 * Stores a challenge (its hash) for one ceremony and returns the id the client sends back. Expired
 * challenges are swept here, which keeps the table small without a job.
 */
async function storeChallenge(
  tx: Tx,
  challenge: string,
  purpose: ChallengePurpose,
  personId: string | null,
): Promise<string> {
  await tx.delete(identityChallenges).where(lt(identityChallenges.expiresAt, new Date()));
  const [row] = await tx
    .insert(identityChallenges)
    .values({
      challenge: hashToken(challenge),
      purpose,
      personId,
      expiresAt: new Date(Date.now() + challengeValidityMs),
    })
    .returning({ id: identityChallenges.id });
  return row!.id;
}

/**
 * SECURITY: takes a challenge out of the table in its own committed transaction before anything is
 * verified, so it is spent whether the verification then succeeds or fails: no challenge is usable twice.
 * Returns null if it does not exist, has expired, or was issued for another purpose.
 */
async function spendChallenge(
  db: Db,
  challengeId: string,
  purpose: ChallengePurpose,
): Promise<{ challengeHash: string; personId: string | null } | null> {
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .delete(identityChallenges)
      .where(and(eq(identityChallenges.id, challengeId), eq(identityChallenges.purpose, purpose)))
      .returning();
    if (!row || row.expiresAt.getTime() <= Date.now()) return null;
    return { challengeHash: row.challenge, personId: row.personId };
  });
}

const storedCredential = (row: typeof identityPasskeys.$inferSelect): StoredCredential => ({
  credentialId: row.credentialId,
  publicKey: row.publicKey,
  counter: row.counter,
  transports: row.transports,
});

async function passkeysOf(tx: Tx | Db, personId: string) {
  return tx
    .select()
    .from(identityPasskeys)
    .where(eq(identityPasskeys.personId, personId))
    .orderBy(asc(identityPasskeys.createdAt));
}

/**
 * Records a verified assertion: the new signature counter and last use. SECURITY: conditional on the counter
 * read before verifying, so two assertions racing with the same counter value cannot both pass.
 */
async function recordAssertion(
  tx: Tx,
  passkey: typeof identityPasskeys.$inferSelect,
  verified: { newCounter: number; backedUp: boolean },
): Promise<boolean> {
  const rows = await tx
    .update(identityPasskeys)
    .set({ counter: verified.newCounter, backedUp: verified.backedUp, lastUsedAt: new Date() })
    .where(and(eq(identityPasskeys.id, passkey.id), eq(identityPasskeys.counter, passkey.counter)))
    .returning({ id: identityPasskeys.id });
  return rows.length === 1;
}

type PasskeyView = z.infer<typeof passkeySchema>;

const passkeyView = (row: typeof identityPasskeys.$inferSelect): PasskeyView => ({
  id: row.id,
  name: row.name,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  backedUp: row.backedUp,
});

/** Starts adding a passkey: creation options (existing passkeys excluded) and the challenge's id. */
export async function passkeyRegistrationOptions(
  ctx: Ctx,
): Promise<z.infer<typeof registrationOptionsResultSchema>> {
  const actor = personOf(ctx);
  const rp = relyingPartyOf(ctx.kernel.config.publicUrl);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const person = await personRow(tx, actor.personId);
    const existing = (await passkeysOf(tx, person.id)).map(storedCredential);
    const options = await registrationOptions(rp, person, existing);
    const challengeId = await storeChallenge(tx, options.challenge, 'passkey_registration', person.id);
    return { challengeId, options };
  });
}

/** Adds a passkey from a verified registration response; the person is emailed. */
export async function addPasskey(
  ctx: Ctx,
  input: { challengeId: string; response: RegistrationResponseJSON; name: string },
): Promise<PasskeyView> {
  const actor = personOf(ctx);
  const { db } = ctx.kernel.database;
  const challenge = await spendChallenge(db, input.challengeId, 'passkey_registration');
  // A challenge issued to someone else is as good as none.
  if (!challenge || challenge.personId !== actor.personId) throw new AppError('invalid_credentials');
  const credential = await verifyRegistration(
    relyingPartyOf(ctx.kernel.config.publicUrl),
    challenge.challengeHash,
    input.response,
  );
  if (!credential) throw new AppError('invalid_credentials');
  return inTransaction(db, async (tx) => {
    const [taken] = await tx
      .select({ id: identityPasskeys.id })
      .from(identityPasskeys)
      .where(eq(identityPasskeys.credentialId, credential.credentialId));
    if (taken) throw new AppError('conflict');
    const [row] = await tx
      .insert(identityPasskeys)
      .values({ personId: actor.personId, name: input.name, ...credential })
      .returning();
    await recordAudit(
      tx,
      {
        action: 'identity.passkey_added',
        objectType: 'person',
        objectId: actor.personId,
        details: { passkeyId: row!.id },
      },
      ctx.audit,
    );
    await sendIdentityMail(ctx.kernel, tx, await personRow(tx, actor.personId), 'factor_added', {
      factor: 'passkey',
    });
    return passkeyView(row!);
  });
}

/** The caller's passkeys, oldest first. */
export async function listPasskeys(ctx: Ctx): Promise<PasskeyView[]> {
  const actor = personOf(ctx);
  return (await passkeysOf(ctx.kernel.database.db, actor.personId)).map(passkeyView);
}

/**
 * Removes one of the caller's passkeys, after a recent step-up. The last passkey of a person whose role
 * needs one cannot go (conflict): they would lock themselves out of their own work.
 */
export async function removePasskey(ctx: Ctx, passkeyId: string): Promise<void> {
  const actor = personOf(ctx);
  requireRecentStepUp(ctx);
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    const removed = await tx
      .delete(identityPasskeys)
      .where(and(eq(identityPasskeys.id, passkeyId), eq(identityPasskeys.personId, actor.personId)))
      .returning({ id: identityPasskeys.id });
    // Someone else's passkey does not exist for this caller.
    if (removed.length === 0) throw new AppError('not_found');
    await assertStillEnrolledAfter(tx, actor.personId, {
      passkeys: await passkeyCount(tx, actor.personId),
      totp: await hasConfirmedTotp(tx, actor.personId),
    });
    await dropRecoveryCodesIfNoFactorLeft(tx, actor.personId);
    await recordAudit(
      tx,
      {
        action: 'identity.passkey_removed',
        objectType: 'person',
        objectId: actor.personId,
        details: { passkeyId },
      },
      ctx.audit,
    );
    await sendIdentityMail(ctx.kernel, tx, await personRow(tx, actor.personId), 'factor_removed', {
      factor: 'passkey',
    });
  });
}

/**
 * Starts a passkey sign-in. For a partial session the options name that person's passkeys and the challenge
 * is bound to them; otherwise any passkey of this site may answer (passkey-only sign-in).
 */
export async function passkeySignInOptions(
  ctx: Ctx,
): Promise<z.infer<typeof authenticationOptionsResultSchema>> {
  const rp = relyingPartyOf(ctx.kernel.config.publicUrl);
  const partial = ctx.actor.kind === 'person' && ctx.actor.level === 'partial' ? ctx.actor : null;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const allow = partial ? (await passkeysOf(tx, partial.personId)).map(storedCredential) : null;
    const options = await authenticationOptions(rp, allow);
    const challengeId = await storeChallenge(
      tx,
      options.challenge,
      'passkey_sign_in',
      partial?.personId ?? null,
    );
    return { challengeId, options };
  });
}

/** Audits a failed passkey sign-in and answers like any other failed sign-in. */
async function failPasskeySignIn(ctx: Ctx, personId: string | null): Promise<never> {
  await inTransaction(ctx.kernel.database.db, (tx) =>
    recordAudit(
      tx,
      {
        action: 'identity.sign_in_failed',
        objectType: 'person',
        objectId: personId,
        details: { reason: 'credentials' },
      },
      ctx.audit,
    ),
  );
  throw new AppError('invalid_credentials');
}

/**
 * Signs in with a passkey. If this request carries a partial session of the passkey's owner, that session
 * is completed; otherwise a new full session is created (a user-verified passkey is two factors by itself),
 * and any other session this browser held is ended, since its cookie is about to be replaced.
 */
export async function signInWithPasskey(
  ctx: Ctx,
  input: { challengeId: string; response: AuthenticationResponseJSON },
): Promise<{ token: string }> {
  const { db } = ctx.kernel.database;
  const challenge = await spendChallenge(db, input.challengeId, 'passkey_sign_in');
  if (!challenge) return failPasskeySignIn(ctx, null);
  const [passkey] = await db
    .select()
    .from(identityPasskeys)
    .where(eq(identityPasskeys.credentialId, input.response.id));
  if (!passkey) return failPasskeySignIn(ctx, null);
  // A challenge bound to one person's partial session cannot sign in someone else.
  if (challenge.personId !== null && challenge.personId !== passkey.personId) {
    return failPasskeySignIn(ctx, passkey.personId);
  }
  const userHandle = input.response.response.userHandle;
  if (userHandle && userHandle !== userHandleOf(passkey.personId)) {
    return failPasskeySignIn(ctx, passkey.personId);
  }
  const verified = await verifyAssertion(
    relyingPartyOf(ctx.kernel.config.publicUrl),
    challenge.challengeHash,
    input.response,
    storedCredential(passkey),
  );
  if (!verified) return failPasskeySignIn(ctx, passkey.personId);
  const token = await inTransaction(db, async (tx) => {
    if (!(await recordAssertion(tx, passkey, verified))) return null;
    const actor = ctx.actor;
    if (actor.kind === 'person' && actor.level === 'partial' && actor.personId === passkey.personId) {
      return completeSession(ctx, tx, actor, 'passkey');
    }
    if (actor.kind === 'person') {
      await revokeSessions(tx, { personId: actor.personId, sessionId: actor.sessionId });
    }
    const session = await createSession(tx, {
      personId: passkey.personId,
      level: 'full',
      activeMembershipId: await defaultMembership(tx, passkey.personId),
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    await clearFailures(tx, factorThrottleKey(passkey.personId));
    await recordAudit(
      tx,
      {
        action: 'identity.signed_in',
        objectType: 'session',
        objectId: session.id,
        details: { level: 'full', method: 'passkey' },
      },
      { ...ctx.audit, actorPersonId: passkey.personId, actorMembershipId: null },
    );
    return session.token;
  });
  if (token === null) return failPasskeySignIn(ctx, passkey.personId);
  return { token };
}

/** Starts a step-up: options naming the caller's passkeys, with a challenge bound to them. */
export async function stepUpOptions(ctx: Ctx): Promise<z.infer<typeof authenticationOptionsResultSchema>> {
  const actor = personOf(ctx);
  const rp = relyingPartyOf(ctx.kernel.config.publicUrl);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const passkeys = (await passkeysOf(tx, actor.personId)).map(storedCredential);
    // A step-up is a passkey check: without a passkey there is nothing to ask for.
    if (passkeys.length === 0) throw new AppError('conflict');
    const options = await authenticationOptions(rp, passkeys);
    const challengeId = await storeChallenge(tx, options.challenge, 'step_up', actor.personId);
    return { challengeId, options };
  });
}

/** Passes a step-up with one of the caller's passkeys: the session records the time and gets a new token. */
export async function stepUp(
  ctx: Ctx,
  input: { challengeId: string; response: AuthenticationResponseJSON },
): Promise<{ token: string }> {
  const actor = personOf(ctx);
  const { db } = ctx.kernel.database;
  const challenge = await spendChallenge(db, input.challengeId, 'step_up');
  if (!challenge || challenge.personId !== actor.personId) throw new AppError('invalid_credentials');
  const [passkey] = await db
    .select()
    .from(identityPasskeys)
    .where(
      and(
        eq(identityPasskeys.credentialId, input.response.id),
        eq(identityPasskeys.personId, actor.personId),
      ),
    );
  if (!passkey) throw new AppError('invalid_credentials');
  const verified = await verifyAssertion(
    relyingPartyOf(ctx.kernel.config.publicUrl),
    challenge.challengeHash,
    input.response,
    storedCredential(passkey),
  );
  if (!verified) throw new AppError('invalid_credentials');
  return inTransaction(db, async (tx) => {
    if (!(await recordAssertion(tx, passkey, verified))) throw new AppError('invalid_credentials');
    const token = await rotateSession(tx, actor.sessionId, { stepUpAt: new Date() });
    await recordAudit(
      tx,
      { action: 'identity.step_up_passed', objectType: 'session', objectId: actor.sessionId, details: {} },
      ctx.audit,
    );
    return { token };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Platform settings
// ---------------------------------------------------------------------------------------------------------

type IdentitySettings = z.infer<typeof identitySettingsSchema>;

const settingsView = (requiredFactor: RequiredFactor): IdentitySettings => ({
  requiredFactor,
  // TOTP codes can be phished and seeds copied: the admin page says so while it is allowed.
  warning: requiredFactor === 'passkey_or_totp' ? totpAllowedWarning : null,
});

/** The identity settings platform admins manage. */
export async function getIdentitySettings(ctx: Ctx): Promise<IdentitySettings> {
  return settingsView(await inTransaction(ctx.kernel.database.db, requiredFactorOf));
}

/**
 * Sets which second factor sensitive roles need. Effective on the very next request of everyone (sessions
 * read it live). SECURITY: needs a recent step-up: it decides how hard every case account is to take over.
 */
export async function setRequiredFactor(ctx: Ctx, requiredFactor: RequiredFactor): Promise<IdentitySettings> {
  requireRecentStepUp(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await tx
      .insert(identitySettings)
      .values({ key: 'required_factor', value: requiredFactor })
      .onConflictDoUpdate({
        target: identitySettings.key,
        set: { value: requiredFactor, updatedAt: new Date() },
      });
    await recordAudit(
      tx,
      {
        action: 'identity.settings_changed',
        objectType: 'identity_settings',
        objectId: 'required_factor',
        details: { key: 'required_factor', value: requiredFactor },
      },
      ctx.audit,
    );
    return settingsView(requiredFactor);
  });
}
