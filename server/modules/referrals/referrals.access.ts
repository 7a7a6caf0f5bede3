import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { queryRows, type Queryable, type Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { reachCase, type CaseSection, type ReachedCase } from '../cases/index.js';
import type { Service } from '../directory/index.js';
import { identityOrganisations, identityPeople } from '../identity/index.js';
import {
  referralAbilities,
  referralSideOf,
  seesReferral,
  type ReferralFacts,
  type SenderCaseAccess,
} from './referrals.policy.js';
import type { Referral } from './referrals.schemas.js';
import type { ThreadParties, ThreadSubjectResolver } from './referrals.subjects.js';
import { referralsReferrals, referralsTransfers, referralsTransitions } from './referrals.tables.js';
import {
  caseReadableStates,
  type ReferralOutcome,
  type ReferralSide,
  type ReferralState,
  type ReferralUrgency,
} from './referrals.vocabulary.js';

export type ReferralRow = typeof referralsReferrals.$inferSelect;

/** The sealed (free-text) columns of a referral; all sealed under the SENDER's key. */
export type SealedColumn =
  | 'note_sealed'
  | 'override_reason_sealed'
  | 'decline_reason_sealed'
  | 'outcome_note_sealed'
  | 'cancel_reason_sealed';

const placeOf = (row: { id: string; senderOrganisationId: string }, column: SealedColumn) => ({
  organisationId: row.senderOrganisationId,
  table: 'referrals_referrals',
  column,
  rowId: row.id,
});

/** Seals a referral's free text under the sender's key, bound to its row and column. */
export async function sealText(
  kernel: Kernel,
  tx: Tx,
  row: { id: string; senderOrganisationId: string },
  column: SealedColumn,
  value: string | undefined,
): Promise<string | null> {
  if (value === undefined) return null;
  return kernel.keys.sealField(tx, placeOf(row, column), value);
}

async function openText(
  kernel: Kernel,
  db: Queryable,
  row: ReferralRow,
  column: SealedColumn,
  sealed: string | null,
): Promise<string | null> {
  return sealed === null ? null : kernel.keys.openField(db, placeOf(row, column), sealed);
}

/** A referral as the caller reaches it. */
export interface LoadedReferral {
  row: ReferralRow;
  facts: ReferralFacts & { side: ReferralSide };
  /** Sender side: the referred case as the caller reaches it (null on the recipient side). */
  reached: ReachedCase | null;
}

/**
 * How the caller reaches a case under the cases module's rules: fully, read-only (a live break-glass
 * opening), or not at all. Leaves the transaction in the caller's organisation's scope.
 */
export async function senderCaseAccess(
  ctx: Ctx,
  tx: Tx,
  caseId: string,
): Promise<{ access: SenderCaseAccess; reached: ReachedCase | null }> {
  try {
    const reached = await reachCase(ctx, tx, caseId);
    return { access: reached.access.via === 'break_glass' ? 'read_only' : 'full', reached };
  } catch (error) {
    // The cases module answers "not found" for a case the caller may not reach, "forbidden" for a non-case role.
    if (error instanceof AppError && (error.code === 'not_found' || error.code === 'forbidden'))
      return { access: 'none', reached: null };
    throw error;
  }
}

/**
 * Loads a referral with the facts its policy needs, or null when it does not exist for the caller. SECURITY:
 * the transaction is scoped to the caller's organisation, the query names it as a party, and the policy
 * decides the rest (a draft is the sender's alone; the sender's staff must reach the case).
 */
export async function findReferral(
  ctx: Ctx,
  tx: Tx,
  referralId: string,
  options: { forUpdate?: boolean } = {},
): Promise<LoadedReferral | null> {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || !actor.membership) return null;
  const organisationId = actor.membership.organisationId;
  await setTenant(tx, organisationId);
  const query = tx
    .select()
    .from(referralsReferrals)
    .where(
      and(
        eq(referralsReferrals.id, referralId),
        or(
          eq(referralsReferrals.senderOrganisationId, organisationId),
          eq(referralsReferrals.recipientOrganisationId, organisationId),
        ),
      ),
    );
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) return null;
  const { side, role } = referralSideOf(actor, row);
  if (!side) return null;
  const sender = side === 'sender' ? await senderCaseAccess(ctx, tx, row.caseId) : null;
  const facts = {
    side,
    role,
    caseAccess: sender?.access ?? 'none',
    state: row.state as ReferralState,
    wasSent: row.sentAt !== null,
  };
  if (!seesReferral(facts)) return null;
  return { row, facts, reached: sender?.reached ?? null };
}

/** Like findReferral, but a referral the caller may not see is a 404. */
export async function loadReferral(
  ctx: Ctx,
  tx: Tx,
  referralId: string,
  options: { forUpdate?: boolean } = {},
): Promise<LoadedReferral> {
  const loaded = await findReferral(ctx, tx, referralId, options);
  if (!loaded) throw new AppError('not_found');
  return loaded;
}

/**
 * Have the two organisations ever had a referral past draft, or a transfer, in either direction? Run in the
 * scope of one of them (both tables show a party its rows).
 */
export async function workedTogether(tx: Tx, first: string, second: string): Promise<boolean> {
  const pair = (sender: string, recipient: string) =>
    sql`(sender_organisation_id = ${sender} and recipient_organisation_id = ${recipient})`;
  const either = sql`(${pair(first, second)} or ${pair(second, first)})`;
  const [found] = await queryRows<{ yes: boolean }>(
    tx,
    sql`select exists (select 1 from ${referralsReferrals} where sent_at is not null and ${either})
        or exists (select 1 from ${referralsTransfers} where ${either}) as yes`,
  );
  return found?.yes === true;
}

/** Both organisations' vetting tiers (what a sender weighs before a first referral). */
export async function tiersOf(
  tx: Tx,
  senderId: string,
  recipientId: string,
): Promise<{ senderTier: string | null; recipientTier: string | null }> {
  const rows = await tx
    .select({ id: identityOrganisations.id, tier: identityOrganisations.tier })
    .from(identityOrganisations)
    .where(inArray(identityOrganisations.id, [senderId, recipientId]));
  const tier = (id: string) => rows.find((row) => row.id === id)?.tier ?? null;
  return { senderTier: tier(senderId), recipientTier: tier(recipientId) };
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Is a sent referral past its acknowledgement deadline? */
export const isOverdue = (row: { state: string; acknowledgeDueAt: Date | null }, now = new Date()) =>
  row.state === 'sent' && row.acknowledgeDueAt !== null && row.acknowledgeDueAt < now;

/**
 * The referral as the caller may see it. SECURITY: nothing from the case itself — the recipient reads that
 * through getReferralCase. The case's id and reference, and the sender's override reason, stay on the
 * sender's side.
 */
export async function presentReferral(ctx: Ctx, tx: Tx, loaded: LoadedReferral): Promise<Referral> {
  const { row, facts } = loaded;
  const senderSide = facts.side === 'sender';
  const organisations = await tx
    .select({
      id: identityOrganisations.id,
      name: identityOrganisations.name,
      countries: identityOrganisations.countries,
      tier: identityOrganisations.tier,
    })
    .from(identityOrganisations)
    .where(inArray(identityOrganisations.id, [row.senderOrganisationId, row.recipientOrganisationId]));
  const organisation = (id: string) => {
    const found = organisations.find((candidate) => candidate.id === id);
    return { id, name: found?.name ?? '', countries: found?.countries ?? [], tier: found?.tier ?? null };
  };
  const timeline = await tx
    .select({
      from: referralsTransitions.fromState,
      to: referralsTransitions.toState,
      at: referralsTransitions.at,
      byOrganisationId: referralsTransitions.byOrganisationId,
      personId: referralsTransitions.byPersonId,
    })
    .from(referralsTransitions)
    .where(and(eq(referralsTransitions.subjectKind, 'referral'), eq(referralsTransitions.subjectId, row.id)))
    .orderBy(asc(referralsTransitions.at), asc(referralsTransitions.id));
  const peopleIds = [
    ...new Set(
      [row.createdBy, row.recipientPersonId, row.overrideBy, ...timeline.map((step) => step.personId)].filter(
        (id): id is string => id !== null,
      ),
    ),
  ];
  const people =
    peopleIds.length === 0
      ? []
      : await tx
          .select({ personId: identityPeople.id, name: identityPeople.displayName })
          .from(identityPeople)
          .where(inArray(identityPeople.id, peopleIds));
  const person = (id: string | null) => people.find((candidate) => candidate.personId === id) ?? null;
  const open = (column: SealedColumn, sealed: string | null) => openText(ctx.kernel, tx, row, column, sealed);
  const newPartner =
    senderSide &&
    row.state === 'draft' &&
    !(await workedTogether(tx, row.senderOrganisationId, row.recipientOrganisationId))
      ? await tiersOf(tx, row.senderOrganisationId, row.recipientOrganisationId)
      : null;
  const ended = row.state === 'closed' || row.state === 'cancelled';
  return {
    id: row.id,
    state: row.state as ReferralState,
    version: row.version,
    side: facts.side,
    sender: organisation(row.senderOrganisationId),
    recipient: organisation(row.recipientOrganisationId),
    caseId: senderSide ? row.caseId : null,
    caseReference: senderSide ? (loaded.reached?.row.reference ?? null) : null,
    services: row.services as Service[],
    sections: row.sections as CaseSection[],
    overrideSections: row.overrideSections as CaseSection[],
    override:
      row.overrideAt && row.overrideSections.length > 0
        ? {
            by: person(row.overrideBy),
            at: row.overrideAt.toISOString(),
            reason: senderSide ? await open('override_reason_sealed', row.overrideReasonSealed) : null,
          }
        : null,
    note: await open('note_sealed', row.noteSealed),
    urgency: row.urgency as ReferralUrgency,
    acknowledgeWithinHours: row.acknowledgeWithinHours,
    acknowledgeDueAt: iso(row.acknowledgeDueAt),
    overdue: isOverdue(row),
    supportRequestId: row.supportRequestId,
    newPartner,
    createdBy: person(row.createdBy),
    recipientPerson: person(row.recipientPersonId),
    sentAt: iso(row.sentAt),
    acknowledgedAt: iso(row.acknowledgedAt),
    decidedAt: iso(row.decidedAt),
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
    declineReason: await open('decline_reason_sealed', row.declineReasonSealed),
    ended:
      ended && row.cancelledBy
        ? {
            by: row.cancelledBy as ReferralSide,
            reason: await open('cancel_reason_sealed', row.cancelReasonSealed),
          }
        : null,
    outcome: row.outcome as ReferralOutcome | null,
    outcomeNote: await open('outcome_note_sealed', row.outcomeNoteSealed),
    timeline: timeline.map((step) => ({
      from: step.from as ReferralState | null,
      to: step.to as ReferralState,
      at: step.at.toISOString(),
      side: step.byOrganisationId === row.recipientOrganisationId ? 'recipient' : 'sender',
      person: person(step.personId),
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    abilities: referralAbilities(facts),
  };
}

/**
 * For message threads about a referral (referrals.messages.*): its two organisations, while the caller sees
 * the referral; the thread takes new messages from sending until the referral ends. Leaves the transaction
 * in the caller's organisation's scope.
 */
export const referralThreadSubject: ThreadSubjectResolver = async (ctx, tx, referralId) => {
  const loaded = await findReferral(ctx, tx, referralId);
  if (!loaded) return null;
  const state = loaded.row.state as ReferralState;
  const parties: ThreadParties = {
    organisationIds: [loaded.row.senderOrganisationId, loaded.row.recipientOrganisationId],
    open: state === 'sent' || caseReadableStates.includes(state),
    path: `/referrals/${referralId}`,
  };
  return parties;
};
