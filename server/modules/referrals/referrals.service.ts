import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import { AppError, type FieldIssue } from '../../kernel/http/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import {
  closedStatuses,
  consentedSections,
  readSharedCase,
  type CaseSection,
  type SharedCaseFile,
} from '../cases/index.js';
import { directorySupportRequests, services as serviceCodes, type Service } from '../directory/index.js';
import { identityOrganisations } from '../identity/index.js';
import {
  loadReferral,
  presentReferral,
  sealText,
  senderCaseAccess,
  tiersOf,
  workedTogether,
  type LoadedReferral,
  type ReferralRow,
} from './referrals.access.js';
import { publishSubjectEvent } from './referrals.messages.events.js';
import { notifyReceived, notifySender, setupDeadlineSweep } from './referrals.notifications.js';
import {
  decideEdit,
  decideTransition,
  mayOverrideConsent,
  mayReadSharedCase,
  mayRefer,
  transitionRule,
} from './referrals.policy.js';
import type {
  Referral,
  ReferralCreate,
  ReferralTransitionInput,
  ReferralUpdate,
} from './referrals.schemas.js';
import { referralsReferrals, referralsTransitions } from './referrals.tables.js';
import { urgencyOfSupportRequest, type ReferralState } from './referrals.vocabulary.js';
import './referrals.audit.js';

/** Registers the referral part of the referrals module with the kernel (encryption, jobs, events). */
export function setupReferrals(kernel: Kernel): void {
  // Every free-text column is sealed with the SENDER's key: the sender's key rotation re-seals them.
  kernel.keys.registerEncryptedTable({
    table: referralsReferrals,
    id: referralsReferrals.id,
    organisation: referralsReferrals.senderOrganisationId,
    encrypted: [
      referralsReferrals.noteSealed,
      referralsReferrals.overrideReasonSealed,
      referralsReferrals.declineReasonSealed,
      referralsReferrals.outcomeNoteSealed,
      referralsReferrals.cancelReasonSealed,
    ],
  });
  setupDeadlineSweep(kernel);
}

const invalid = (fields: FieldIssue[]) => new AppError('validation_failed', { fields });

/** The caller's organisation and role (the route gate admitted only members). */
function membershipOf(ctx: Ctx) {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || !actor.membership) throw new AppError('forbidden');
  return { personId: actor.personId, ...actor.membership };
}

/**
 * SECURITY: the sections of `sections` that may leave the case for this recipient now: those a live Referral
 * consent naming the recipient covers, and those a supervisor overrode. Run in the owner's scope.
 */
async function coveredSections(
  tx: Tx,
  row: Pick<ReferralRow, 'caseId' | 'recipientOrganisationId'>,
  sections: readonly CaseSection[],
  overrideSections: readonly CaseSection[],
): Promise<CaseSection[]> {
  const consented = await consentedSections(
    tx,
    row.caseId,
    'Referral',
    sections,
    row.recipientOrganisationId,
  );
  return sections.filter((section) => consented.includes(section) || overrideSections.includes(section));
}

/** Refuses the sections no consent or override covers, naming each (`<prefix>.<index>`). */
async function requireCovered(
  tx: Tx,
  row: Pick<ReferralRow, 'caseId' | 'recipientOrganisationId'>,
  sections: readonly CaseSection[],
  overrideSections: readonly CaseSection[],
  prefix: string,
): Promise<void> {
  const covered = await coveredSections(tx, row, sections, overrideSections);
  const fields = sections
    .map((section, index) => ({ section, index }))
    .filter(({ section }) => !covered.includes(section))
    .map(({ index }) => ({ path: `${prefix}.${index}`, code: 'referrals.section_without_consent' }));
  if (fields.length > 0) throw invalid(fields);
}

async function recordTransition(
  tx: Tx,
  row: ReferralRow,
  from: ReferralState | null,
  to: ReferralState,
  by: { organisationId: string; personId: string },
): Promise<void> {
  await tx.insert(referralsTransitions).values({
    subjectKind: 'referral',
    subjectId: row.id,
    senderOrganisationId: row.senderOrganisationId,
    recipientOrganisationId: row.recipientOrganisationId,
    fromState: from,
    toState: to,
    byOrganisationId: by.organisationId,
    byPersonId: by.personId,
  });
}

/** Is the organisation an active member of Cairn (a possible recipient)? */
async function isActiveOrganisation(tx: Tx, organisationId: string): Promise<boolean> {
  const [found] = await tx
    .select({ id: identityOrganisations.id })
    .from(identityOrganisations)
    .where(and(eq(identityOrganisations.id, organisationId), eq(identityOrganisations.status, 'active')));
  return found !== undefined;
}

/** What an accepted support request of the caller's organisation fills in. */
async function fromSupportRequest(tx: Tx, organisationId: string, requestId: string) {
  const [request] = await tx
    .select({
      status: directorySupportRequests.status,
      acceptedOrganisationId: directorySupportRequests.acceptedOrganisationId,
      services: directorySupportRequests.services,
      urgency: directorySupportRequests.urgency,
    })
    .from(directorySupportRequests)
    // SECURITY: only the requesting organisation's own requests (recipients can see a request too).
    .where(
      and(
        eq(directorySupportRequests.id, requestId),
        eq(directorySupportRequests.organisationId, organisationId),
      ),
    );
  if (!request) throw invalid([{ path: 'body.supportRequestId', code: 'referrals.support_request_unknown' }]);
  if (request.status !== 'accepted' || !request.acceptedOrganisationId) throw new AppError('conflict');
  return {
    recipientOrganisationId: request.acceptedOrganisationId,
    services: request.services.filter((code): code is Service =>
      (serviceCodes as readonly string[]).includes(code),
    ),
    urgency: urgencyOfSupportRequest[request.urgency] ?? 'normal',
  };
}

/**
 * Makes a referral (a draft) of a case the caller reaches. SECURITY: every section must be covered by a live
 * Referral consent naming the recipient, or be overridden by a case supervisor with a written (sealed) reason.
 */
export async function createReferral(ctx: Ctx, input: ReferralCreate): Promise<Referral> {
  const member = membershipOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const { access, reached } = await senderCaseAccess(ctx, tx, input.caseId);
    if (access === 'none' || !reached) throw new AppError('not_found');
    if (!mayRefer(member.role, access)) throw new AppError('forbidden');
    if (closedStatuses.includes(reached.row.status as (typeof closedStatuses)[number]))
      throw new AppError('conflict');
    const request = input.supportRequestId
      ? await fromSupportRequest(tx, member.organisationId, input.supportRequestId)
      : null;
    if (
      request &&
      input.recipientOrganisationId &&
      input.recipientOrganisationId !== request.recipientOrganisationId
    )
      throw invalid([
        { path: 'body.recipientOrganisationId', code: 'referrals.recipient_not_request_acceptor' },
      ]);
    const recipientOrganisationId = request?.recipientOrganisationId ?? input.recipientOrganisationId!;
    if (recipientOrganisationId === member.organisationId)
      throw invalid([{ path: 'body.recipientOrganisationId', code: 'referrals.recipient_is_sender' }]);
    if (!(await isActiveOrganisation(tx, recipientOrganisationId)))
      throw invalid([
        {
          path: request ? 'body.supportRequestId' : 'body.recipientOrganisationId',
          code: 'referrals.recipient_unknown',
        },
      ]);
    const services = input.services ?? request?.services ?? [];
    if (services.length === 0)
      throw invalid([{ path: 'body.services', code: 'referrals.services_required' }]);
    // SECURITY: an override is a supervisor's decision, checked here and never in the web alone.
    if (input.overrideSections.length > 0 && !mayOverrideConsent(member.role))
      throw new AppError('forbidden');
    const parties = { caseId: input.caseId, recipientOrganisationId };
    await requireCovered(tx, parties, input.sections, input.overrideSections, 'body.sections');
    const id = randomUUID();
    const place = { id, senderOrganisationId: member.organisationId };
    const now = new Date();
    const [row] = await tx
      .insert(referralsReferrals)
      .values({
        id,
        caseId: input.caseId,
        senderOrganisationId: member.organisationId,
        recipientOrganisationId,
        services,
        sections: input.sections,
        overrideSections: input.overrideSections,
        ...(input.overrideSections.length > 0
          ? {
              overrideBy: member.personId,
              overrideAt: now,
              overrideReasonSealed: await sealText(
                ctx.kernel,
                tx,
                place,
                'override_reason_sealed',
                input.overrideReason,
              ),
            }
          : {}),
        noteSealed: await sealText(ctx.kernel, tx, place, 'note_sealed', input.note),
        urgency: input.urgency ?? request?.urgency ?? 'normal',
        acknowledgeWithinHours: input.acknowledgeWithinHours,
        supportRequestId: input.supportRequestId ?? null,
        createdBy: member.personId,
      })
      .returning();
    await recordTransition(tx, row!, null, 'draft', member);
    await recordAudit(
      tx,
      {
        action: 'referrals.referral_created',
        organisationId: member.organisationId,
        objectType: 'referral',
        objectId: id,
        details: {
          caseId: input.caseId,
          recipientOrganisationId,
          sections: input.sections,
          supportRequestId: input.supportRequestId ?? null,
        },
      },
      ctx.audit,
    );
    if (input.overrideSections.length > 0)
      await recordAudit(
        tx,
        {
          action: 'referrals.consent_overridden',
          organisationId: member.organisationId,
          objectType: 'referral',
          objectId: id,
          details: { caseId: input.caseId, sections: input.overrideSections },
        },
        ctx.audit,
      );
    return presentReferral(ctx, tx, {
      row: row!,
      facts: { side: 'sender', role: member.role, caseAccess: access, state: 'draft', wasSent: false },
      reached,
    });
  });
}

/**
 * Edits a draft. SECURITY: the same consent rules as making it — every section covered by a live Referral
 * consent naming the recipient, or overridden; a section newly shared without consent is a case supervisor's
 * decision with a written (sealed) reason. The draft's own override may be kept (or narrowed) by anyone who
 * may edit it. Refusals: 404 when the referral does not exist for the caller, 403 for the recipient or a
 * caller who may not refer the case, 409 past draft or on a stale `version`.
 */
export async function updateReferral(ctx: Ctx, referralId: string, input: ReferralUpdate): Promise<Referral> {
  const member = membershipOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const loaded = await loadReferral(ctx, tx, referralId, { forUpdate: true });
    const { row, facts } = loaded;
    const decision = decideEdit(facts);
    if (decision !== 'allowed') throw new AppError(decision);
    if (row.version !== input.version) throw new AppError('conflict');
    const seal = (column: Parameters<typeof sealText>[3], value: string | undefined) =>
      sealText(ctx.kernel, tx, row, column, value);
    const changes: Partial<typeof referralsReferrals.$inferInsert> = {};
    if (input.services) changes.services = input.services;
    if (input.urgency) changes.urgency = input.urgency;
    if (input.acknowledgeWithinHours !== undefined)
      changes.acknowledgeWithinHours = input.acknowledgeWithinHours;
    if (input.note !== undefined) changes.noteSealed = await seal('note_sealed', input.note ?? undefined);
    let newOverride: CaseSection[] = [];
    if (input.sections) {
      const overrideSections = input.overrideSections ?? [];
      const kept = row.overrideSections as CaseSection[];
      newOverride = overrideSections.filter((section) => !kept.includes(section));
      // SECURITY: an override is a supervisor's decision, checked here and never in the web alone.
      if ((newOverride.length > 0 || input.overrideReason) && !mayOverrideConsent(member.role))
        throw new AppError('forbidden');
      if (newOverride.length > 0 && !input.overrideReason)
        throw invalid([{ path: 'body.overrideReason', code: 'referrals.override_reason_required' }]);
      await requireCovered(tx, row, input.sections, overrideSections, 'body.sections');
      changes.sections = input.sections;
      changes.overrideSections = overrideSections;
      if (overrideSections.length === 0)
        Object.assign(changes, { overrideBy: null, overrideAt: null, overrideReasonSealed: null });
      else if (input.overrideReason)
        Object.assign(changes, {
          overrideBy: member.personId,
          overrideAt: new Date(),
          overrideReasonSealed: await seal('override_reason_sealed', input.overrideReason),
        });
    }
    const now = new Date();
    const [updated] = await tx
      .update(referralsReferrals)
      .set({ ...changes, version: row.version + 1, updatedAt: now })
      .where(and(eq(referralsReferrals.id, row.id), eq(referralsReferrals.version, row.version)))
      .returning();
    if (!updated) throw new AppError('conflict');
    await recordAudit(
      tx,
      {
        action: 'referrals.referral_edited',
        organisationId: member.organisationId,
        objectType: 'referral',
        objectId: row.id,
        details: {
          caseId: row.caseId,
          // Field names only: the note and reasons are sealed and never enter the trail.
          fields: Object.keys(input)
            .filter((key) => key !== 'version')
            .sort(),
          sections: updated.sections,
        },
      },
      ctx.audit,
    );
    if (input.overrideReason)
      await recordAudit(
        tx,
        {
          action: 'referrals.consent_overridden',
          organisationId: member.organisationId,
          objectType: 'referral',
          objectId: row.id,
          details: { caseId: row.caseId, sections: updated.overrideSections },
        },
        ctx.audit,
      );
    return presentReferral(ctx, tx, { ...loaded, row: updated });
  });
}

/** A referral the caller sees, with its timeline and abilities. */
export async function getReferral(ctx: Ctx, referralId: string): Promise<Referral> {
  return inTransaction(ctx.kernel.database.db, async (tx) =>
    presentReferral(ctx, tx, await loadReferral(ctx, tx, referralId)),
  );
}

/** The columns a transition sets, besides state and version. */
async function changesFor(
  ctx: Ctx,
  tx: Tx,
  loaded: LoadedReferral,
  input: ReferralTransitionInput,
  personId: string,
  now: Date,
): Promise<Partial<typeof referralsReferrals.$inferInsert>> {
  const { row, facts } = loaded;
  const seal = (column: Parameters<typeof sealText>[3], value: string | undefined) =>
    sealText(ctx.kernel, tx, row, column, value);
  switch (input.to) {
    case 'sent': {
      // SECURITY: consent is checked again at send time: a consent revoked or expired since the draft stops it.
      await requireCovered(
        tx,
        row,
        row.sections as CaseSection[],
        row.overrideSections as CaseSection[],
        'referral.sections',
      );
      // A recipient suspended since the draft was made receives nothing.
      if (!(await isActiveOrganisation(tx, row.recipientOrganisationId)))
        throw invalid([{ path: 'referral.recipientOrganisationId', code: 'referrals.recipient_unknown' }]);
      const newPartner = !(await workedTogether(tx, row.senderOrganisationId, row.recipientOrganisationId));
      if (newPartner && input.confirmNewPartner !== true)
        throw new AppError('new_partner_unconfirmed', {
          extensions: {
            newPartner: await tiersOf(tx, row.senderOrganisationId, row.recipientOrganisationId),
          },
        });
      return {
        sentAt: now,
        acknowledgeDueAt: new Date(now.getTime() + row.acknowledgeWithinHours * 3_600_000),
        newPartnerConfirmed: newPartner,
      };
    }
    case 'acknowledged':
      return { acknowledgedAt: now };
    case 'accepted':
      return { decidedAt: now, recipientPersonId: personId };
    case 'declined':
      return {
        decidedAt: now,
        endedAt: now,
        declineReasonSealed: await seal('decline_reason_sealed', input.reason),
      };
    case 'in_progress':
      return { startedAt: now };
    case 'completed':
      return {
        endedAt: now,
        outcome: input.outcome!,
        outcomeNoteSealed: await seal('outcome_note_sealed', input.outcomeNote),
      };
    case 'closed':
    case 'cancelled':
      // The referral's one "ended early" reason and side (closed in progress, or cancelled).
      return {
        endedAt: now,
        cancelledBy: facts.side,
        cancelReasonSealed: await seal('cancel_reason_sealed', input.reason),
      };
    default:
      throw new AppError('conflict');
  }
}

/**
 * Takes one step of the state machine (sending included). Refusals: 404 when the referral does not exist for
 * the caller, 409 when no side may go there from the current state (or `version` is stale), 403 when only the
 * other side may, or the caller may not act; 400 when the step's reason or outcome is missing or not wanted.
 */
export async function transitionReferral(
  ctx: Ctx,
  referralId: string,
  input: ReferralTransitionInput,
): Promise<Referral> {
  const member = membershipOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const loaded = await loadReferral(ctx, tx, referralId, { forUpdate: true });
    const { row, facts } = loaded;
    const decision = decideTransition(facts, input.to);
    if (decision !== 'allowed') throw new AppError(decision);
    if (row.version !== input.version) throw new AppError('conflict');
    const rule = transitionRule(facts.state, input.to, facts.side)!;
    const fields: FieldIssue[] = [];
    if (rule.needs === 'reason' && !input.reason)
      fields.push({ path: 'body.reason', code: 'referrals.reason_required' });
    if (rule.needs !== 'reason' && input.reason)
      fields.push({ path: 'body.reason', code: 'referrals.reason_not_needed' });
    if (rule.needs === 'outcome' && !input.outcome)
      fields.push({ path: 'body.outcome', code: 'referrals.outcome_required' });
    if (rule.needs !== 'outcome' && input.outcome)
      fields.push({ path: 'body.outcome', code: 'referrals.outcome_not_needed' });
    if (fields.length > 0) throw invalid(fields);
    const now = new Date();
    const changes = await changesFor(ctx, tx, loaded, input, member.personId, now);
    const [updated] = await tx
      .update(referralsReferrals)
      .set({ ...changes, state: input.to, version: row.version + 1, updatedAt: now })
      .where(and(eq(referralsReferrals.id, row.id), eq(referralsReferrals.version, row.version)))
      .returning();
    if (!updated) throw new AppError('conflict');
    await recordTransition(tx, updated, facts.state, input.to, member);
    // Both sides' open pages and lists refresh (the state only; each stream re-checks who may see it).
    await publishSubjectEvent(tx, {
      subjectKind: 'referral',
      subjectId: row.id,
      state: input.to,
      parties: [row.senderOrganisationId, row.recipientOrganisationId],
    });
    await recordAudit(
      tx,
      input.to === 'sent'
        ? {
            action: 'referrals.referral_sent',
            organisationId: member.organisationId,
            objectType: 'referral',
            objectId: row.id,
            details: {
              recipientOrganisationId: row.recipientOrganisationId,
              sections: row.sections,
              newPartner: updated.newPartnerConfirmed,
              acknowledgeDueAt: updated.acknowledgeDueAt!.toISOString(),
            },
          }
        : {
            action: 'referrals.referral_transitioned',
            organisationId: member.organisationId,
            objectType: 'referral',
            objectId: row.id,
            details: { from: facts.state, to: input.to, side: facts.side, outcome: input.outcome ?? null },
          },
      ctx.audit,
    );
    if (input.to === 'sent') await notifyReceived(ctx, tx, updated);
    else if (facts.side === 'recipient') await notifySender(ctx, tx, updated, input.to);
    // The notifications looked up the other side's staff in its scope: back to the caller's.
    await setTenant(tx, member.organisationId);
    return presentReferral(ctx, tx, {
      ...loaded,
      row: updated,
      facts: { ...facts, state: input.to, wasSent: updated.sentAt !== null },
    });
  });
}

/**
 * The referred case as its recipient may read it now. SECURITY: read live from the owner (never a copy), and
 * only while the referral is acknowledged, accepted or in progress; the survivor's consent is re-checked on
 * every request, so a consent revoked or expired drops its sections at once. A party with nothing to read gets
 * 403 (the referral exists for them; its case does not, now); anyone else 404.
 */
export async function readReferralCase(
  ctx: Ctx,
  referralId: string,
  reveal: boolean,
): Promise<SharedCaseFile & { referralId: string }> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const { row, facts } = await loadReferral(ctx, tx, referralId);
    if (!mayReadSharedCase(facts)) throw new AppError('forbidden');
    // SECURITY: the owner's scope, to read the survivor's consents and the case (cases.shared.ts).
    await setTenant(tx, row.senderOrganisationId);
    const sections = await coveredSections(
      tx,
      row,
      row.sections as CaseSection[],
      row.overrideSections as CaseSection[],
    );
    if (sections.length === 0) throw new AppError('forbidden');
    const file = await readSharedCase(ctx, tx, {
      ownerOrganisationId: row.senderOrganisationId,
      caseId: row.caseId,
      referralId: row.id,
      sections,
      reveal,
    });
    if (!file) throw new AppError('forbidden');
    return { ...file, referralId: row.id };
  });
}
