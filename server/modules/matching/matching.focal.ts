import { and, eq, inArray, or } from 'drizzle-orm';
import type { Role } from '../../kernel/access/roles.js';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { sendContactMessage, type ContactMessage, type ContactMessageInput } from '../directory/index.js';
import { identityMemberships, identityPeople } from '../identity/index.js';
import { screenerOf } from './matching.policy.js';
import type { FocalPoint } from './matching.schemas.js';
import { matchingMatches, matchingSettings } from './matching.tables.js';

/**
 * The matching focal point (issue 8): the person an organisation names, in its matching settings, for other
 * organisations to write to about a match before both sides agreed to connect. Messages go through Cairn (the
 * directory's contact messages): no email address is shown to either side, and the match reveals nothing more.
 */

/** Who may be named: the organisation's admins and the people who work its matches. */
export const focalPointRoles: readonly Role[] = ['org_admin', 'case_supervisor', 'investigator'];

/** An organisation's focal point while still one of its members in an eligible role, or null. */
async function focalPointOf(tx: Tx, organisationId: string): Promise<FocalPoint | null> {
  const [row] = await tx
    .select({ personId: identityPeople.id, name: identityPeople.displayName })
    .from(matchingSettings)
    .innerJoin(identityPeople, eq(identityPeople.id, matchingSettings.focalPersonId))
    .innerJoin(
      identityMemberships,
      and(
        eq(identityMemberships.personId, matchingSettings.focalPersonId),
        eq(identityMemberships.organisationId, matchingSettings.organisationId),
        inArray(identityMemberships.role, [...focalPointRoles]),
      ),
    )
    .where(eq(matchingSettings.organisationId, organisationId));
  return row ?? null;
}

/** The organisation's members who may be named. The caller has set the organisation's tenant. */
async function candidatesOf(tx: Tx, organisationId: string): Promise<FocalPoint[]> {
  return tx
    .select({ personId: identityPeople.id, name: identityPeople.displayName })
    .from(identityMemberships)
    .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
    .where(
      and(
        eq(identityMemberships.organisationId, organisationId),
        inArray(identityMemberships.role, [...focalPointRoles]),
      ),
    )
    .orderBy(identityPeople.displayName);
}

/** The focal point and who could be named instead, for the organisation's admins. Tenant set by the caller. */
export async function focalPointSettings(
  tx: Tx,
  organisationId: string,
): Promise<{ focalPoint: FocalPoint | null; candidates: FocalPoint[] }> {
  return {
    focalPoint: await focalPointOf(tx, organisationId),
    candidates: await candidatesOf(tx, organisationId),
  };
}

/** Names the organisation's focal point (or none). Refused unless the person may be named. */
export async function setFocalPoint(
  ctx: Ctx,
  organisationId: string,
  personId: string | null,
): Promise<void> {
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    if (personId !== null && !(await candidatesOf(tx, organisationId)).some((c) => c.personId === personId))
      throw new AppError('validation_failed', {
        fields: [{ path: 'body.personId', code: 'matching.focal_point_not_eligible' }],
      });
    await tx
      .insert(matchingSettings)
      .values({ organisationId, focalPersonId: personId })
      .onConflictDoUpdate({
        target: matchingSettings.organisationId,
        set: { focalPersonId: personId, updatedAt: new Date() },
      });
    await recordAudit(
      tx,
      {
        action: 'matching.focal_point_changed',
        organisationId,
        objectType: 'organisation',
        objectId: organisationId,
        details: { personId },
      },
      ctx.audit,
    );
  });
}

/** The other organisation of one of the screener's organisation's matches, or null. Tenant set by the caller. */
async function otherSideOf(tx: Tx, matchId: string, organisationId: string): Promise<string | null> {
  const [row] = await tx
    .select({ low: matchingMatches.lowOrganisationId, high: matchingMatches.highOrganisationId })
    .from(matchingMatches)
    .where(
      and(
        eq(matchingMatches.id, matchId),
        or(
          eq(matchingMatches.lowOrganisationId, organisationId),
          eq(matchingMatches.highOrganisationId, organisationId),
        ),
      ),
    );
  if (!row) return null;
  return row.low === organisationId ? row.high : row.low;
}

/**
 * SECURITY: the other organisation's focal point, for a screener of one side of the match. Reading another
 * organisation's settings and memberships lifts the tenant wall after the match was checked; only the focal
 * point's id and display name leave this function.
 */
async function matchFocalPointIn(tx: Tx, ctx: Ctx, matchId: string) {
  const screener = screenerOf(ctx.actor);
  if (!screener) throw new AppError('forbidden');
  await setTenant(tx, screener.membership.organisationId);
  const other = await otherSideOf(tx, matchId, screener.membership.organisationId);
  if (other === null) throw new AppError('not_found');
  await setPlatformScope(tx);
  return focalPointOf(tx, other);
}

/** The other organisation's focal point of a match (null when it named none). */
export async function matchFocalPoint(ctx: Ctx, matchId: string): Promise<{ focalPoint: FocalPoint | null }> {
  return inTransaction(ctx.kernel.database.db, async (tx) => ({
    focalPoint: await matchFocalPointIn(tx, ctx, matchId),
  }));
}

/**
 * Writes to the other organisation's focal point about a match, through the directory's contact messages. The
 * focal point need not be listed in the directory: being named for matching and the match reach them. The
 * message is audited on the match as well (the text is not).
 */
export async function writeToFocalPoint(
  ctx: Ctx,
  matchId: string,
  input: ContactMessageInput,
): Promise<ContactMessage> {
  const focalPoint = await matchFocalPoint(ctx, matchId);
  if (!focalPoint.focalPoint) throw new AppError('not_found');
  const personId = focalPoint.focalPoint.personId;
  return sendContactMessage(ctx, personId, input, {
    // Checked again in the message's own transaction: the match and the naming still hold.
    reachable: async (tx) => (await matchFocalPointIn(tx, ctx, matchId))?.personId === personId,
    onSent: async (tx) => {
      await recordAudit(
        tx,
        {
          action: 'matching.focal_point_contacted',
          organisationId: screenerOf(ctx.actor)!.membership.organisationId,
          objectType: 'matching_match',
          objectId: matchId,
          details: {},
        },
        ctx.audit,
      );
    },
  });
}
