import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import { AppError, type FieldIssue } from '../../kernel/http/errors.js';
import { isLanguage, translator } from '../../kernel/i18n/i18n.js';
import type { Kernel } from '../../kernel/kernel.js';
import {
  caseFileForTransfer,
  caseFileRecord,
  caseFileRecordSchema,
  casesFiles,
  moveCaseFile,
  transferConsentGiven,
  visibleCases,
  type CaseFileMove,
} from '../cases/index.js';
import {
  decodeCursor,
  encodeCursor,
  identityMemberships,
  identityOrganisations,
  identityPeople,
  requireRecentStepUp,
  type Tier,
} from '../identity/index.js';
import { tiersOf } from './referrals.access.js';
import { publishSubjectEvent } from './referrals.messages.events.js';
import { caseFilterOnReceived } from './referrals.lists.js';
import { referralsReferrals, referralsTransfers, referralsTransitions } from './referrals.tables.js';
import {
  openTransferOf,
  reachTransfer,
  type ReachedTransfer,
  type TransferRow,
} from './referrals.transfers.access.js';
import {
  decideTransferTransition,
  mayViewRecord,
  transferAbilities,
  transferRoles,
  type TransferState,
} from './referrals.transfers.policy.js';
import type {
  Transfer,
  TransferCreate,
  TransferListQuery,
  TransferRecord,
  TransferSummary,
} from './referrals.transfers.schemas.js';
import { endStates } from './referrals.vocabulary.js';
import './referrals.transfers.audit.js';

/**
 * Transfers (issue 6): the owner of a case file hands it over to another organisation, with the survivor's
 * Transfer consent naming that organisation. requested → accepted | rejected | revoked, nothing else. On
 * acceptance the cases module moves the case (re-sealed under the recipient's key) in the same transaction;
 * the sender may keep a read-only record of the case as it held it, sealed under its own key.
 *
 * SECURITY: a transfer's free text (note, reason) and the record are sealed with the SENDER's key (the row's
 * organisation column for the keyring); mail says only that something happened, with a link — never a name,
 * a reference or anything from the case.
 */

/** Tells the keyring what this table encrypts (under the sender's key), so rotation re-seals it. */
export function setupTransfers(kernel: Kernel): void {
  kernel.keys.registerEncryptedTable({
    table: referralsTransfers,
    id: referralsTransfers.id,
    organisation: referralsTransfers.senderOrganisationId,
    encrypted: [
      referralsTransfers.noteSealed,
      referralsTransfers.reasonSealed,
      referralsTransfers.recordSealed,
    ],
  });
}

type SealedColumn = 'note_sealed' | 'reason_sealed' | 'record_sealed';

const placeOf = (row: { id: string; senderOrganisationId: string }, column: SealedColumn) => ({
  organisationId: row.senderOrganisationId,
  table: 'referrals_transfers',
  column,
  rowId: row.id,
});

const invalid = (fields: FieldIssue[]) => new AppError('validation_failed', { fields });
const conflict = (fields: FieldIssue[]) => new AppError('conflict', { fields });

/** The caller acting for an organisation in a case role (the route gate has checked the role). */
function requireTransferMember(ctx: Ctx) {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.membership) throw new AppError('forbidden');
  if (!transferRoles.includes(actor.membership.role)) throw new AppError('forbidden');
  return { ...actor, membership: actor.membership };
}

/** The states in which a referral still runs: a case with one is not moved. */
async function hasOpenReferral(tx: Tx, caseId: string): Promise<boolean> {
  const [open] = await tx
    .select({ id: referralsReferrals.id })
    .from(referralsReferrals)
    .where(and(eq(referralsReferrals.caseId, caseId), notInArray(referralsReferrals.state, [...endStates])))
    .limit(1);
  return open !== undefined;
}

/**
 * Have the two organisations worked together before — a referral past draft, or any transfer, either way?
 * (The caller's scope is one of them, which row-level security needs to see their shared rows.)
 */
async function workedTogether(tx: Tx, first: string, second: string): Promise<boolean> {
  const pair = <T extends { senderOrganisationId: unknown; recipientOrganisationId: unknown }>(table: T) => {
    const columns = table as unknown as typeof referralsTransfers;
    return or(
      and(eq(columns.senderOrganisationId, first), eq(columns.recipientOrganisationId, second)),
      and(eq(columns.senderOrganisationId, second), eq(columns.recipientOrganisationId, first)),
    );
  };
  const [referral] = await tx
    .select({ id: referralsReferrals.id })
    .from(referralsReferrals)
    .where(and(pair(referralsReferrals), sql`${referralsReferrals.state} <> 'draft'`))
    .limit(1);
  if (referral) return true;
  const [transfer] = await tx
    .select({ id: referralsTransfers.id })
    .from(referralsTransfers)
    .where(pair(referralsTransfers))
    .limit(1);
  return transfer !== undefined;
}

async function organisationsById(tx: Tx, ids: string[]) {
  const rows =
    ids.length === 0
      ? []
      : await tx
          .select({
            id: identityOrganisations.id,
            name: identityOrganisations.name,
            tier: identityOrganisations.tier,
          })
          .from(identityOrganisations)
          .where(inArray(identityOrganisations.id, [...new Set(ids)]));
  return new Map(rows.map((row) => [row.id, { ...row, tier: row.tier as Tier | null }]));
}

async function peopleById(tx: Tx, ids: (string | null)[]) {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  const rows =
    wanted.length === 0
      ? []
      : await tx
          .select({ personId: identityPeople.id, name: identityPeople.displayName })
          .from(identityPeople)
          .where(inArray(identityPeople.id, wanted));
  return new Map(rows.map((row) => [row.personId, row]));
}

function summaryOf(
  row: TransferRow,
  organisations: Awaited<ReturnType<typeof organisationsById>>,
): TransferSummary {
  const organisation = (id: string) => organisations.get(id) ?? { id, name: '', tier: null };
  return {
    id: row.id,
    caseId: row.caseId,
    state: row.state as TransferState,
    sender: organisation(row.senderOrganisationId),
    recipient: organisation(row.recipientOrganisationId),
    senderReference: row.senderReference,
    keepRecord: row.keepRecord,
    requestedAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A transfer as the caller sees it: the note and reason opened (they are meant for both parties). */
async function presentTransfer(ctx: Ctx, tx: Tx, reached: ReachedTransfer): Promise<Transfer> {
  const { row, facts } = reached;
  const organisations = await organisationsById(tx, [row.senderOrganisationId, row.recipientOrganisationId]);
  const people = await peopleById(tx, [row.requestedBy, row.decidedBy]);
  const open = async (column: SealedColumn, sealed: string | null) =>
    sealed === null ? null : ctx.kernel.keys.openField(tx, placeOf(row, column), sealed);
  const transitions = await tx
    .select()
    .from(referralsTransitions)
    .where(and(eq(referralsTransitions.subjectKind, 'transfer'), eq(referralsTransitions.subjectId, row.id)))
    .orderBy(asc(referralsTransitions.at), asc(referralsTransitions.id));
  return {
    ...summaryOf(row, organisations),
    note: await open('note_sealed', row.noteSealed),
    reason: await open('reason_sealed', row.reasonSealed),
    requestedBy: row.requestedBy ? (people.get(row.requestedBy) ?? null) : null,
    decidedBy: row.decidedBy ? (people.get(row.decidedBy) ?? null) : null,
    hasRecord: row.recordSealed !== null,
    newPartnerConfirmed: row.newPartnerConfirmed,
    version: row.version,
    transitions: transitions.map((transition) => ({
      from: transition.fromState as TransferState | null,
      to: transition.toState as TransferState,
      byOrganisationId: transition.byOrganisationId,
      at: transition.at.toISOString(),
    })),
    abilities: transferAbilities(facts),
  };
}

/** Writes a step to the timeline both parties see. */
async function recordTransition(
  tx: Tx,
  row: TransferRow,
  from: TransferState | null,
  to: TransferState,
  by: { organisationId: string; personId: string },
): Promise<void> {
  await tx.insert(referralsTransitions).values({
    subjectKind: 'transfer',
    subjectId: row.id,
    senderOrganisationId: row.senderOrganisationId,
    recipientOrganisationId: row.recipientOrganisationId,
    fromState: from,
    toState: to,
    byOrganisationId: by.organisationId,
    byPersonId: by.personId,
  });
}

type MailEvent = 'requested' | 'accepted' | 'rejected' | 'revoked';

/**
 * Tells the case supervisors of the other party that a transfer changed, with a link to it. SECURITY: the
 * mail names no person and nothing of the case — not even its reference. Leaves the transaction in that
 * organisation's scope (its memberships are tenant rows); the caller returns to its own.
 */
async function notifySupervisors(
  ctx: Ctx,
  tx: Tx,
  organisationId: string,
  transferId: string,
  event: MailEvent,
): Promise<void> {
  await setTenant(tx, organisationId);
  const supervisors = await tx
    .select({ email: identityPeople.email, language: identityPeople.language })
    .from(identityMemberships)
    .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
    .where(
      and(
        eq(identityMemberships.organisationId, organisationId),
        eq(identityMemberships.role, 'case_supervisor'),
      ),
    );
  for (const supervisor of supervisors) {
    const t = translator(isLanguage(supervisor.language) ? supervisor.language : 'en');
    const values = { link: `${ctx.kernel.config.publicUrl}/transfers/${transferId}` };
    await ctx.kernel.sendMail(tx, {
      to: supervisor.email,
      subject: t(`mail.referrals.transfer_${event}_subject`, values),
      text: t(`mail.referrals.transfer_${event}_body`, values),
    });
  }
}

/** Throws the answer decideTransferTransition gives when it is not `allowed`. */
function requireTransition(reached: ReachedTransfer | null, to: TransferState): ReachedTransfer {
  if (!reached) throw new AppError('not_found');
  const decision = decideTransferTransition(reached.facts, to);
  if (decision === 'not_found') throw new AppError('not_found');
  if (decision === 'forbidden') throw new AppError('forbidden');
  if (decision === 'conflict')
    throw conflict([{ path: 'params.transferId', code: 'referrals.transfer_not_requested' }]);
  return reached;
}

/** Re-reads a transfer after a change, for the answer. */
async function reread(ctx: Ctx, tx: Tx, transferId: string): Promise<Transfer> {
  const reached = await reachTransfer(ctx, tx, transferId);
  if (!reached) throw new AppError('not_found');
  return presentTransfer(ctx, tx, reached);
}

/**
 * Asks for a case to be transferred. The caller works on the case; the survivor's live Transfer consent names
 * the recipient; the case is open, has no closure waiting, no referral running and no other open transfer; and
 * two organisations that never worked together need `confirmNewPartner` (409 with both tiers otherwise).
 */
export async function requestTransfer(ctx: Ctx, input: TransferCreate): Promise<Transfer> {
  const member = requireTransferMember(ctx);
  const sender = member.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    if (input.recipientOrganisationId === sender)
      throw invalid([{ path: 'body.recipientOrganisationId', code: 'referrals.transfer_same_organisation' }]);
    const [recipient] = await tx
      .select({ id: identityOrganisations.id, tier: identityOrganisations.tier })
      .from(identityOrganisations)
      .where(
        and(
          eq(identityOrganisations.id, input.recipientOrganisationId),
          eq(identityOrganisations.status, 'active'),
        ),
      );
    if (!recipient)
      throw invalid([{ path: 'body.recipientOrganisationId', code: 'referrals.transfer_recipient_unknown' }]);
    // One request at a time per case: the open-transfer check below and the insert do not race.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`referrals.transfer:${input.caseId}`}))`);
    const caseFile = await caseFileForTransfer(ctx, tx, input.caseId);
    // The cases module's rules decide who works on a case; for anyone else it does not exist.
    if (!caseFile) throw new AppError('not_found');
    if (caseFile.closed) throw conflict([{ path: 'body.caseId', code: 'referrals.transfer_case_closed' }]);
    if (caseFile.closurePending)
      throw conflict([{ path: 'body.caseId', code: 'cases.transfer_closure_pending' }]);
    await setTenant(tx, sender);
    if (await hasOpenReferral(tx, caseFile.id))
      throw conflict([{ path: 'body.caseId', code: 'referrals.transfer_open_referral' }]);
    if (await openTransferOf(tx, caseFile.id))
      throw conflict([{ path: 'body.caseId', code: 'referrals.transfer_already_open' }]);
    const consented = await transferConsentGiven(tx, {
      caseId: caseFile.id,
      ownerOrganisationId: sender,
      recipientOrganisationId: recipient.id,
    });
    if (!consented)
      throw conflict([{ path: 'body.recipientOrganisationId', code: 'referrals.transfer_consent_required' }]);
    await setTenant(tx, sender);
    const newPartner = !(await workedTogether(tx, sender, recipient.id));
    // The same answer as a referral's first sending: the web shows both tiers and asks to confirm.
    if (newPartner && !input.confirmNewPartner)
      throw new AppError('new_partner_unconfirmed', {
        extensions: { newPartner: await tiersOf(tx, sender, recipient.id) },
      });
    const id = randomUUID();
    const row = { id, senderOrganisationId: sender };
    const [created] = await tx
      .insert(referralsTransfers)
      .values({
        id,
        caseId: caseFile.id,
        senderOrganisationId: sender,
        recipientOrganisationId: recipient.id,
        state: 'requested',
        senderReference: caseFile.reference,
        keepRecord: input.keepRecord,
        noteSealed:
          input.note === undefined
            ? null
            : await ctx.kernel.keys.sealField(tx, placeOf(row, 'note_sealed'), input.note),
        requestedBy: member.personId,
        newPartnerConfirmed: newPartner,
      })
      .returning();
    await recordTransition(tx, created!, null, 'requested', {
      organisationId: sender,
      personId: member.personId,
    });
    // The recipient's open received list shows the new request without reloading.
    await publishSubjectEvent(tx, {
      subjectKind: 'transfer',
      subjectId: id,
      state: 'requested',
      parties: [sender, recipient.id],
    });
    await notifySupervisors(ctx, tx, recipient.id, id, 'requested');
    await setTenant(tx, sender);
    await recordAudit(
      tx,
      {
        action: 'referrals.transfer_requested',
        organisationId: sender,
        objectType: 'transfer',
        objectId: id,
        details: {
          caseId: caseFile.id,
          recipientOrganisationId: recipient.id,
          keepRecord: input.keepRecord,
          newPartner,
        },
      },
      ctx.audit,
    );
    return reread(ctx, tx, id);
  });
}

/**
 * The recipient's case supervisor accepts: the survivor's consent and the case's state are checked again, the
 * sender's record is kept (if asked for) and the case moves — all in one transaction, or nothing happens.
 */
export async function acceptTransfer(ctx: Ctx, transferId: string): Promise<Transfer> {
  const member = requireTransferMember(ctx);
  let moved: CaseFileMove | undefined;
  try {
    return await inTransaction(ctx.kernel.database.db, async (tx) => {
      const { row } = requireTransition(
        await reachTransfer(ctx, tx, transferId, { forUpdate: true }),
        'accepted',
      );
      const sender = row.senderOrganisationId;
      const recipient = row.recipientOrganisationId;
      // SECURITY: the consent is asked again now — revoked since the request, nothing moves.
      const consented = await transferConsentGiven(tx, {
        caseId: row.caseId,
        ownerOrganisationId: sender,
        recipientOrganisationId: recipient,
      });
      if (!consented)
        throw conflict([{ path: 'params.transferId', code: 'referrals.transfer_consent_revoked' }]);
      await setTenant(tx, sender);
      if (await hasOpenReferral(tx, row.caseId))
        throw conflict([{ path: 'params.transferId', code: 'referrals.transfer_open_referral' }]);
      // The record is made before the move, from the case exactly as the sender holds it.
      const recordSealed = row.keepRecord
        ? await ctx.kernel.keys.sealField(
            tx,
            placeOf(row, 'record_sealed'),
            JSON.stringify(await caseFileRecord(ctx, tx, { caseId: row.caseId, organisationId: sender })),
          )
        : null;
      moved = await moveCaseFile(ctx, tx, {
        caseId: row.caseId,
        fromOrganisationId: sender,
        toOrganisationId: recipient,
        transferId: row.id,
      });
      // Asked again now that the move holds the case row: a referral made meanwhile stops the transfer.
      await setTenant(tx, sender);
      if (await hasOpenReferral(tx, row.caseId))
        throw conflict([{ path: 'params.transferId', code: 'referrals.transfer_open_referral' }]);
      await setTenant(tx, recipient);
      const decidedAt = new Date();
      await tx
        .update(referralsTransfers)
        .set({
          state: 'accepted',
          decidedBy: member.personId,
          decidedAt,
          recordSealed,
          version: row.version + 1,
          updatedAt: decidedAt,
        })
        .where(and(eq(referralsTransfers.id, row.id), eq(referralsTransfers.state, 'requested')));
      await recordTransition(tx, row, 'requested', 'accepted', {
        organisationId: recipient,
        personId: member.personId,
      });
      await publishSubjectEvent(tx, {
        subjectKind: 'transfer',
        subjectId: row.id,
        state: 'accepted',
        parties: [sender, recipient],
      });
      await notifySupervisors(ctx, tx, sender, row.id, 'accepted');
      await setTenant(tx, recipient);
      await recordAudit(
        tx,
        {
          action: 'referrals.transfer_accepted',
          organisationId: recipient,
          objectType: 'transfer',
          objectId: row.id,
          details: {
            caseId: row.caseId,
            senderOrganisationId: sender,
            recordKept: recordSealed !== null,
            reference: moved.reference,
          },
        },
        ctx.audit,
      );
      return reread(ctx, tx, row.id);
    });
  } catch (error) {
    // The files written for the recipient are deleted if the transaction did not commit.
    await moved?.discard();
    throw error;
  }
}

/** The recipient's case supervisor rejects (with a reason) or the sender revokes (with a reason). */
async function endTransfer(
  ctx: Ctx,
  transferId: string,
  to: 'rejected' | 'revoked',
  reason: string,
): Promise<Transfer> {
  const member = requireTransferMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const { row } = requireTransition(await reachTransfer(ctx, tx, transferId, { forUpdate: true }), to);
    const by = member.membership.organisationId;
    const other = by === row.senderOrganisationId ? row.recipientOrganisationId : row.senderOrganisationId;
    const decidedAt = new Date();
    await tx
      .update(referralsTransfers)
      .set({
        state: to,
        decidedBy: member.personId,
        decidedAt,
        reasonSealed: await ctx.kernel.keys.sealField(tx, placeOf(row, 'reason_sealed'), reason),
        version: row.version + 1,
        updatedAt: decidedAt,
      })
      .where(and(eq(referralsTransfers.id, row.id), eq(referralsTransfers.state, 'requested')));
    await recordTransition(tx, row, 'requested', to, { organisationId: by, personId: member.personId });
    await publishSubjectEvent(tx, {
      subjectKind: 'transfer',
      subjectId: row.id,
      state: to,
      parties: [row.senderOrganisationId, row.recipientOrganisationId],
    });
    await notifySupervisors(ctx, tx, other, row.id, to);
    await setTenant(tx, by);
    if (to === 'rejected')
      await recordAudit(
        tx,
        {
          action: 'referrals.transfer_rejected',
          organisationId: by,
          objectType: 'transfer',
          objectId: row.id,
          details: { caseId: row.caseId, senderOrganisationId: row.senderOrganisationId },
        },
        ctx.audit,
      );
    else
      await recordAudit(
        tx,
        {
          action: 'referrals.transfer_revoked',
          organisationId: by,
          objectType: 'transfer',
          objectId: row.id,
          details: { caseId: row.caseId, recipientOrganisationId: row.recipientOrganisationId },
        },
        ctx.audit,
      );
    return reread(ctx, tx, row.id);
  });
}

/** The recipient's case supervisor turns a transfer down; the case stays with the sender. */
export async function rejectTransfer(ctx: Ctx, transferId: string, reason: string): Promise<Transfer> {
  return endTransfer(ctx, transferId, 'rejected', reason);
}

/** The sender (who asked, or a case supervisor) withdraws a transfer before it is decided. */
export async function revokeTransfer(ctx: Ctx, transferId: string, reason: string): Promise<Transfer> {
  return endTransfer(ctx, transferId, 'revoked', reason);
}

/** One transfer, for the people of either party who see it. */
export async function getTransfer(ctx: Ctx, transferId: string): Promise<Transfer> {
  requireTransferMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachTransfer(ctx, tx, transferId);
    if (!reached) throw new AppError('not_found');
    return presentTransfer(ctx, tx, reached);
  });
}

/**
 * The transfers the caller's organisation sent or received, newest change first. SECURITY: the sender's list
 * holds what the caller would see one by one (asked for it, works on the case, or — a case supervisor — the
 * case has gone); the received list is its case supervisors'. Nothing but references and organisations.
 */
export async function listTransfers(
  ctx: Ctx,
  query: TransferListQuery,
): Promise<{ items: TransferSummary[]; nextCursor: string | null }> {
  const member = requireTransferMember(ctx);
  const organisationId = member.membership.organisationId;
  const supervisor = member.membership.role === 'case_supervisor';
  const after = decodeCursor(query.cursor, ['string', 'string'] as const);
  if (query.caseId && query.box === 'received') throw caseFilterOnReceived();
  if (query.box === 'received' && !supervisor) return { items: [], nextCursor: null };
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const conditions: SQL[] = [];
    if (query.box === 'received')
      conditions.push(eq(referralsTransfers.recipientOrganisationId, organisationId));
    else {
      conditions.push(eq(referralsTransfers.senderOrganisationId, organisationId));
      // The same rule as seesTransfer, in SQL: the case row joins only while the sender holds it.
      conditions.push(
        or(
          eq(referralsTransfers.requestedBy, member.personId),
          visibleCases(member),
          supervisor ? eq(referralsTransfers.state, 'accepted') : sql`false`,
        )!,
      );
    }
    if (query.state) conditions.push(eq(referralsTransfers.state, query.state));
    if (query.caseId) conditions.push(eq(referralsTransfers.caseId, query.caseId));
    if (after)
      conditions.push(
        sql`(${referralsTransfers.updatedAt}, ${referralsTransfers.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`,
      );
    const rows = await tx
      .select({ transfer: referralsTransfers })
      .from(referralsTransfers)
      .leftJoin(
        casesFiles,
        and(eq(casesFiles.id, referralsTransfers.caseId), eq(casesFiles.organisationId, organisationId)),
      )
      .where(and(...conditions))
      .orderBy(desc(referralsTransfers.updatedAt), desc(referralsTransfers.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit).map(({ transfer }) => transfer);
    const organisations = await organisationsById(
      tx,
      page.flatMap((row) => [row.senderOrganisationId, row.recipientOrganisationId]),
    );
    const last = page.at(-1);
    return {
      items: page.map((row) => summaryOf(row, organisations)),
      nextCursor:
        rows.length > query.limit && last ? encodeCursor([last.updatedAt.toISOString(), last.id]) : null,
    };
  });
}

/**
 * The sender's read-only record of a transferred case: its case supervisors only, after a recent step-up, and
 * every opening is audited in the sender's trail. 404 without a record.
 */
export async function getTransferRecord(ctx: Ctx, transferId: string): Promise<TransferRecord> {
  requireTransferMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachTransfer(ctx, tx, transferId);
    if (!reached) throw new AppError('not_found');
    const decision = mayViewRecord(reached.facts);
    if (decision === 'forbidden') throw new AppError('forbidden');
    const { row } = reached;
    if (decision === 'not_found' || row.recordSealed === null) throw new AppError('not_found');
    requireRecentStepUp(ctx);
    const record = caseFileRecordSchema.parse(
      JSON.parse(await ctx.kernel.keys.openField(tx, placeOf(row, 'record_sealed'), row.recordSealed)),
    );
    await recordAudit(
      tx,
      {
        action: 'referrals.transfer_record_read',
        organisationId: row.senderOrganisationId,
        objectType: 'transfer',
        objectId: row.id,
        details: { caseId: row.caseId },
      },
      ctx.audit,
    );
    return { transferId: row.id, record };
  });
}
