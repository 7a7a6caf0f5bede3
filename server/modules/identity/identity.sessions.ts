import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/access/policy.js';
import { isSensitiveRole, sensitiveRoles, type PlatformRole, type Role } from '../../kernel/access/roles.js';
import { hashToken, randomToken } from '../../kernel/crypto/crypto.js';
import { queryRows, type Db, type Queryable, type Tx } from '../../kernel/db/types.js';
import type { Kernel, ResolveActorOptions } from '../../kernel/kernel.js';
import { actorRowCacheOf } from './identity.actor-cache.js';
import { identitySessions } from './identity.tables.js';
import { absoluteTimeoutSeconds, idleTimeoutSeconds } from './identity.vocabulary.js';

/**
 * SECURITY: the session cookie. `__Host-` binds it to this exact origin (Secure, Path=/, no Domain);
 * HttpOnly keeps it from scripts; SameSite=Strict keeps it off cross-site requests.
 */
export const sessionCookie = '__Host-cairn_session';

/** Which second factor sensitive roles need; a platform setting, `passkey` unless an admin relaxes it. */
export type RequiredFactor = 'passkey' | 'passkey_or_totp';

export interface NewSession {
  personId: string;
  level: 'partial' | 'full';
  activeMembershipId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** Creates a session and returns its token (shown once, to the cookie); only the token's hash is stored. */
export async function createSession(tx: Tx, session: NewSession): Promise<{ id: string; token: string }> {
  const token = randomToken();
  const [row] = await tx
    .insert(identitySessions)
    .values({
      tokenHash: hashToken(token),
      personId: session.personId,
      level: session.level,
      activeMembershipId: session.activeMembershipId,
      expiresAt: new Date(Date.now() + absoluteTimeoutSeconds * 1000),
      ip: session.ip,
      userAgent: session.userAgent?.slice(0, 300) ?? null,
    })
    .returning({ id: identitySessions.id });
  return { id: row!.id, token };
}

/**
 * Rotates a session's token (at sign-in completion and step-up) so a token seen before the change is
 * worthless after it. Returns the new token.
 */
export async function rotateSession(
  tx: Tx,
  sessionId: string,
  changes: { level?: 'full'; stepUpAt?: Date } = {},
): Promise<string> {
  const token = randomToken();
  await tx
    .update(identitySessions)
    .set({ tokenHash: hashToken(token), lastSeenAt: new Date(), ...changes })
    .where(eq(identitySessions.id, sessionId));
  return token;
}

/** Ends sessions now: one, all of a person's, or all but one. */
export async function revokeSessions(
  tx: Queryable,
  where: { personId: string; sessionId?: string; exceptSessionId?: string },
): Promise<number> {
  const rows = await tx
    .update(identitySessions)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(identitySessions.personId, where.personId),
        isNull(identitySessions.revokedAt),
        where.sessionId ? eq(identitySessions.id, where.sessionId) : undefined,
        where.exceptSessionId ? ne(identitySessions.id, where.exceptSessionId) : undefined,
      ),
    )
    .returning({ id: identitySessions.id });
  return rows.length;
}

export function setSessionCookie(reply: FastifyReply, token: string): void {
  void reply.setCookie(sessionCookie, token, {
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    maxAge: absoluteTimeoutSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(sessionCookie, { path: '/', httpOnly: true, secure: true, sameSite: 'strict' });
}

interface SessionRow {
  id: string;
  person_id: string;
  level: 'partial' | 'full';
  last_seen_at: Date | string;
  expires_at: Date | string;
  step_up_at: Date | string | null;
  platform_role: PlatformRole | null;
  membership_org: string | null;
  membership_id: string | null;
  organisation_id: string | null;
  role: Role | null;
  holds_sensitive_role: boolean;
  passkeys: number | string;
  totp_confirmed: boolean;
  required_factor: RequiredFactor | null;
}

const toDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

/**
 * Loads the actor behind a session token in one round trip: the person, the membership they act for (only if
 * its organisation is active), and whether they hold the factor their roles need, through the
 * `identity_session_actor` function (migration 0007). Nothing is cached, so a removed member, a lowered role or
 * a suspended organisation takes effect on the very next request.
 */
export async function loadActor(db: Db, token: string, options: ResolveActorOptions = {}): Promise<Actor> {
  const row = await loadSessionRow(db, hashToken(token));
  return actorFromRow(db, row, options.touch ?? true);
}

function loadSessionRow(db: Db, tokenHash: string): Promise<SessionRow | undefined> {
  return queryRows<SessionRow>(
    db,
    sql`select * from identity_session_actor(${tokenHash}, ${sql`array[${sql.join(
      sensitiveRoles.map((r) => sql`${r}`),
      sql`, `,
    )}]::text[]`})`,
  ).then((rows) => rows[0]);
}

async function actorFromRow(
  db: Db,
  row: SessionRow | undefined,
  touch: boolean,
  onTouched?: (row: SessionRow) => void,
): Promise<Actor> {
  if (!row) return { kind: 'anonymous' };
  const now = Date.now();
  const sensitive = row.holds_sensitive_role || row.platform_role !== null;
  const idle = (sensitive ? idleTimeoutSeconds.sensitive : idleTimeoutSeconds.community) * 1000;
  const lastSeen = toDate(row.last_seen_at).getTime();
  if (toDate(row.expires_at).getTime() <= now || lastSeen + idle <= now) {
    await db.update(identitySessions).set({ revokedAt: new Date() }).where(eq(identitySessions.id, row.id));
    return { kind: 'anonymous' };
  }
  // Sliding idle timeout; written at most once a minute to keep reads cheap. A re-check of an open stream is not
  // activity: an idle person's session must still time out while their browser keeps a stream open.
  if (touch && now - lastSeen > 60_000) {
    const seen = new Date();
    await db.update(identitySessions).set({ lastSeenAt: seen }).where(eq(identitySessions.id, row.id));
    onTouched?.({ ...row, last_seen_at: seen });
  }
  const required: RequiredFactor = row.required_factor ?? 'passkey';
  const hasFactor = Number(row.passkeys) > 0 || (required === 'passkey_or_totp' && row.totp_confirmed);
  const membership =
    // A membership counts only while its organisation is active (suspension ends it at once).
    row.membership_org && row.membership_id && row.organisation_id && row.role
      ? { id: row.membership_id, organisationId: row.organisation_id, role: row.role }
      : null;
  const needsFactor = (membership !== null && isSensitiveRole(membership.role)) || row.platform_role !== null;
  return {
    kind: 'person',
    personId: row.person_id,
    sessionId: row.id,
    level: row.level,
    platformRole: row.platform_role,
    membership,
    hasRequiredFactor: !needsFactor || hasFactor,
    stepUpAt: row.step_up_at ? toDate(row.step_up_at) : null,
  };
}

/** The identity module's actor resolver: the session cookie, or anonymous. */
export async function resolveActor(
  request: FastifyRequest,
  kernel: Kernel,
  options: ResolveActorOptions = {},
): Promise<Actor> {
  const token = request.cookies[sessionCookie];
  if (!token || token.length > 100) return { kind: 'anonymous' };
  if (!options.cached) return loadActor(kernel.database.db, token, options);
  const db = kernel.database.db;
  const tokenHash = hashToken(token);
  const cache = actorRowCacheOf<SessionRow>(kernel.database, kernel.log);
  const row = await cache.get(tokenHash, () => loadSessionRow(db, tokenHash));
  return actorFromRow(db, row, options.touch ?? true, (touched) => cache.update(tokenHash, touched));
}
