import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../kernel/access/policy.js';
import type { Tx } from '../../kernel/db/types.js';
import { canRequestSupport } from './directory.policy.js';
import { directorySupportRecipients, directorySupportRequests } from './directory.tables.js';

/** The two sides of a support request, as far as one organisation may see them. */
export interface SupportRequestSides {
  requestId: string;
  /** `open`, `accepted` or `closed`. */
  status: string;
  requesterOrganisationId: string;
  /**
   * The recipients the caller's organisation may see: every one for the requester, only its own row for a
   * recipient (the directory never shows a recipient the others).
   */
  recipients: { organisationId: string; status: string }[];
}

/**
 * A support request as the directory's rules show it to an actor, for other modules (the referrals module's
 * message threads): people in a case role (canRequestSupport) of the requesting organisation or of a recipient;
 * anyone else gets null, as the directory's own routes answer 404. Runs in the caller's transaction, which must
 * be scoped (setTenant) to the actor's organisation: the same rule is also row-level security.
 */
export async function supportRequestSidesFor(
  actor: Actor,
  tx: Tx,
  requestId: string,
): Promise<SupportRequestSides | null> {
  if (actor.kind !== 'person' || !actor.membership || !canRequestSupport(actor)) return null;
  const organisationId = actor.membership.organisationId;
  const [request] = await tx
    .select({
      id: directorySupportRequests.id,
      status: directorySupportRequests.status,
      requesterOrganisationId: directorySupportRequests.organisationId,
    })
    .from(directorySupportRequests)
    .where(
      and(
        eq(directorySupportRequests.id, requestId),
        // SECURITY: the visibility rule in the query as well as by row-level security.
        sql`(${directorySupportRequests.organisationId} = ${organisationId}::uuid or exists (
          select 1 from directory_support_recipients v
          where v.request_id = ${directorySupportRequests.id} and v.organisation_id = ${organisationId}::uuid))`,
      ),
    );
  if (!request) return null;
  const mine = request.requesterOrganisationId === organisationId;
  const recipients = await tx
    .select({
      organisationId: directorySupportRecipients.organisationId,
      status: directorySupportRecipients.status,
    })
    .from(directorySupportRecipients)
    .where(
      and(
        eq(directorySupportRecipients.requestId, requestId),
        mine ? undefined : eq(directorySupportRecipients.organisationId, organisationId),
      ),
    );
  return {
    requestId: request.id,
    status: request.status,
    requesterOrganisationId: request.requesterOrganisationId,
    recipients,
  };
}
