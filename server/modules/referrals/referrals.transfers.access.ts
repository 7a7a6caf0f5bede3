import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import type { Tx } from '../../kernel/db/types.js';
import { caseFileForTransfer } from '../cases/index.js';
import type { ThreadParties, ThreadSubjectResolver } from './referrals.subjects.js';
import { referralsTransfers } from './referrals.tables.js';
import {
  seesTransfer,
  transferRoles,
  transferSideOf,
  transferThreadOpenDays,
  type TransferFacts,
  type TransferState,
} from './referrals.transfers.policy.js';

export type TransferRow = typeof referralsTransfers.$inferSelect;

export interface ReachedTransfer {
  row: TransferRow;
  facts: TransferFacts;
}

/**
 * Loads a transfer with the facts its policy needs, for the caller; null when it does not exist for them
 * (the routes answer 404). SECURITY: the query runs in the caller's organisation's scope, where row-level
 * security shows only transfers the organisation is a party to, and names that party as well. Leaves the
 * transaction in the caller's tenant scope.
 */
export async function reachTransfer(
  ctx: Ctx,
  tx: Tx,
  transferId: string,
  options: { forUpdate?: boolean } = {},
): Promise<ReachedTransfer | null> {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.membership) return null;
  if (!transferRoles.includes(actor.membership.role)) return null;
  const organisationId = actor.membership.organisationId;
  await setTenant(tx, organisationId);
  const query = tx.select().from(referralsTransfers).where(eq(referralsTransfers.id, transferId));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) return null;
  const { side, role, personId } = transferSideOf(actor, row);
  if (side === null) return null;
  // Only a sender's caseworker needs to know whether they work on the case; it is still the sender's then.
  const reachesCase =
    side === 'sender' && row.state !== 'accepted'
      ? (await caseFileForTransfer(ctx, tx, row.caseId)) !== null
      : false;
  await setTenant(tx, organisationId);
  const facts: TransferFacts = {
    side,
    role,
    requester: personId !== null && row.requestedBy === personId,
    reachesCase,
    state: row.state as TransferState,
    hasRecord: row.recordSealed !== null,
  };
  return seesTransfer(facts) ? { row, facts } : null;
}

/** A decided transfer's thread stays open this long, for the last practical questions. */
const threadOpenMs = transferThreadOpenDays * 24 * 60 * 60 * 1000;

/**
 * The message-thread subject of a transfer: its two organisations, for the people who see the transfer. The
 * thread takes messages while the transfer is requested and for 30 days after it was decided.
 */
export const transferThreadSubject: ThreadSubjectResolver = async (
  ctx: Ctx,
  tx: Tx,
  subjectId: string,
): Promise<ThreadParties | null> => {
  const reached = await reachTransfer(ctx, tx, subjectId);
  if (!reached) return null;
  const { row } = reached;
  const open =
    row.state === 'requested' ||
    (row.decidedAt !== null && Date.now() - row.decidedAt.getTime() < threadOpenMs);
  return {
    organisationIds: [row.senderOrganisationId, row.recipientOrganisationId],
    open,
    path: `/transfers/${row.id}`,
  };
};

/** The open transfer of a case, if any (the caller's scope must be one of its parties: the sender's). */
export async function openTransferOf(tx: Tx, caseId: string): Promise<TransferRow | null> {
  const [row] = await tx
    .select()
    .from(referralsTransfers)
    .where(and(eq(referralsTransfers.caseId, caseId), eq(referralsTransfers.state, 'requested')));
  return row ?? null;
}
