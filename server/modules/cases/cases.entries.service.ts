import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import { AppError, type FieldIssue } from '../../kernel/http/errors.js';
import {
  hasRecentStepUp,
  identityMemberships,
  identityOrganisations,
  identityPeople,
  namedPerson,
  personNames,
  requireRecentStepUp,
} from '../identity/index.js';
import { placeById, regionName } from '../directory/index.js';
import { reachCase, requireAbility, touchCase, type CaseRow } from './cases.access.js';
import { openJson, sealJson } from './cases.crypto.js';
import { publishCaseChanged } from './cases.journey.js';
import { caseRoles } from './cases.policy.js';
import type { Consent, ConsentInput, Entry, EntryInput, EntryKind, EntryUpdate } from './cases.schemas.js';
import { casesConsents, casesEntries } from './cases.tables.js';
import type { CaseSection, ConsentPurpose } from './cases.vocabulary.js';
import './cases.audit.js';

const invalid = (fields: FieldIssue[]) => new AppError('validation_failed', { fields });
const today = () => new Date().toISOString().slice(0, 10);

/**
 * SECURITY: which fields of each kind of entry are sealed at rest (free text and anything naming a person);
 * the rest are picklist values, codes and dates.
 */
export const sealedFields: Record<EntryKind, readonly string[]> = {
  perpetrator: ['name', 'aliases', 'phone', 'roleDetails'],
  event: ['street', 'description'],
  supportPlan: ['objectives', 'actionPlan', 'outcome'],
  followUp: ['note'],
  comment: ['body'],
};

/** The section of the case file an entry kind belongs to (consent scope, read auditing). */
export const sectionOfEntry: Record<EntryKind, CaseSection> = {
  perpetrator: 'perpetrators',
  event: 'events',
  supportPlan: 'supportPlan',
  followUp: 'followUps',
  comment: 'comments',
};

type EntryRow = typeof casesEntries.$inferSelect;

function split(input: EntryInput | EntryUpdate): {
  attributes: Record<string, unknown>;
  sealed: Record<string, unknown>;
} {
  const { kind, ...fields } = input;
  const attributes: Record<string, unknown> = {};
  const sealed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (sealedFields[kind].includes(key)) sealed[key] = value;
    else attributes[key] = value;
  }
  return { attributes, sealed };
}

/** Checks an entry against the gazetteer and the organisation's staff; returns its due date and assignee. */
async function checkEntry(
  ctx: Ctx,
  tx: Tx,
  row: CaseRow,
  input: EntryInput | EntryUpdate,
  actorPersonId: string,
): Promise<{ dueOn: string | null; done: boolean; assigneeId: string | null }> {
  if (input.kind === 'event') {
    if (input.placeId !== undefined) {
      const place = placeById(input.placeId);
      if (!place) throw invalid([{ path: 'body.placeId', code: 'cases.place_unknown' }]);
      if (place.country !== input.country)
        throw invalid([{ path: 'body.country', code: 'cases.place_country' }]);
    }
    if (input.region && !input.region.startsWith(`${input.country}.`))
      throw invalid([{ path: 'body.region', code: 'cases.region_country' }]);
    return { dueOn: null, done: false, assigneeId: null };
  }
  if (input.kind === 'supportPlan') {
    return {
      dueOn: input.plannedEndDate ?? null,
      done: ['Achieved', 'NotAchieved', 'Cancelled'].includes(input.status),
      assigneeId: null,
    };
  }
  if (input.kind === 'followUp') {
    let assigneeId = actorPersonId;
    if (input.assigneeMembershipId) {
      const [assignee] = await tx
        .select({ personId: identityMemberships.personId })
        .from(identityMemberships)
        .where(
          and(
            eq(identityMemberships.id, input.assigneeMembershipId),
            eq(identityMemberships.organisationId, row.organisationId),
            inArray(identityMemberships.role, [...caseRoles]),
          ),
        );
      if (!assignee) throw invalid([{ path: 'body.assigneeMembershipId', code: 'cases.not_case_staff' }]);
      assigneeId = assignee.personId;
    }
    return { dueOn: input.dueOn, done: input.done, assigneeId };
  }
  return { dueOn: null, done: false, assigneeId: null };
}

/** An event's place and region by name (the gazetteer's), so readers need not look them up. */
function placeNames(entry: EntryRow): Record<string, string> {
  if (entry.kind !== 'event') return {};
  const names: Record<string, string> = {};
  const placeId = entry.attributes.placeId;
  const place = typeof placeId === 'number' ? placeById(placeId) : null;
  if (place) names.placeName = place.name;
  const region = typeof entry.attributes.region === 'string' ? entry.attributes.region : place?.region;
  const name = region ? regionName(region) : null;
  if (name) names.regionName = name;
  return names;
}

export const entryPlace = (row: { organisationId: string }, entryId: string) => ({
  organisationId: row.organisationId,
  table: 'cases_entries' as const,
  column: 'sealed',
  rowId: entryId,
});

/** Adds a perpetrator, a trafficking event, a support-plan item, a follow-up or a comment to a case. */
export async function addEntry(ctx: Ctx, caseId: string, input: EntryInput): Promise<Entry> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    requireAbility(reached, 'addEntries');
    const { row, member } = reached;
    const checked = await checkEntry(ctx, tx, row, input, member.personId);
    const { attributes, sealed } = split(input);
    const id = randomUUID();
    const [entry] = await tx
      .insert(casesEntries)
      .values({
        id,
        caseId,
        organisationId: row.organisationId,
        kind: input.kind,
        attributes,
        sealed:
          Object.keys(sealed).length > 0 ? await sealJson(ctx.kernel, tx, entryPlace(row, id), sealed) : null,
        dueOn: checked.dueOn,
        doneAt: checked.done ? new Date() : null,
        assigneeId: checked.assigneeId,
        createdBy: member.personId,
      })
      .returning();
    await touchCase(tx, caseId);
    publishCaseChanged(ctx.kernel, tx, caseId, row.organisationId);
    await recordAudit(
      tx,
      {
        action: 'cases.entry_added',
        organisationId: row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { entryId: id, kind: input.kind },
      },
      ctx.audit,
    );
    // What the writer typed comes back only to a stepped-up writer, like any reveal.
    const [presented] = await presentEntryRows(ctx, tx, row, [entry!], hasRecentStepUp(ctx));
    return presented!;
  });
}

/** Replaces an entry (comments are never edited). */
export async function updateEntry(
  ctx: Ctx,
  caseId: string,
  entryId: string,
  input: EntryUpdate,
): Promise<Entry> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    requireAbility(reached, 'addEntries');
    const { row, member } = reached;
    const [existing] = await tx
      .select()
      .from(casesEntries)
      .where(and(eq(casesEntries.id, entryId), eq(casesEntries.caseId, caseId)));
    if (!existing) throw new AppError('not_found');
    if (existing.kind !== input.kind) throw invalid([{ path: 'body.kind', code: 'cases.entry_kind_fixed' }]);
    const { attributes, sealed } = split(input);
    // Replacing sealed fields shows the writer knows them; so does keeping them: both need the step-up.
    if (Object.keys(sealed).length > 0 || existing.sealed) requireRecentStepUp(ctx);
    const checked = await checkEntry(ctx, tx, row, input, existing.assigneeId ?? member.personId);
    const [entry] = await tx
      .update(casesEntries)
      .set({
        attributes,
        sealed:
          Object.keys(sealed).length > 0
            ? await sealJson(ctx.kernel, tx, entryPlace(row, entryId), sealed)
            : null,
        dueOn: checked.dueOn,
        doneAt: checked.done ? (existing.doneAt ?? new Date()) : null,
        assigneeId: checked.assigneeId,
        updatedAt: new Date(),
      })
      .where(eq(casesEntries.id, entryId))
      .returning();
    await touchCase(tx, caseId);
    publishCaseChanged(ctx.kernel, tx, caseId, row.organisationId);
    await recordAudit(
      tx,
      {
        action: 'cases.entry_updated',
        organisationId: row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { entryId, kind: input.kind },
      },
      ctx.audit,
    );
    const [presented] = await presentEntryRows(ctx, tx, row, [entry!], hasRecentStepUp(ctx));
    return presented!;
  });
}

/** Marks a follow-up or a support-plan item done, leaving its sealed fields as they are. */
export async function completeEntry(ctx: Ctx, caseId: string, entryId: string): Promise<Entry> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    requireAbility(reached, 'addEntries');
    const { row } = reached;
    const [existing] = await tx
      .select()
      .from(casesEntries)
      .where(and(eq(casesEntries.id, entryId), eq(casesEntries.caseId, caseId)));
    if (!existing) throw new AppError('not_found');
    if (existing.kind !== 'followUp' && existing.kind !== 'supportPlan')
      throw invalid([{ path: 'params.entryId', code: 'cases.entry_not_completable' }]);
    const attributes =
      existing.kind === 'supportPlan' &&
      !['Achieved', 'NotAchieved', 'Cancelled'].includes(String(existing.attributes.status))
        ? { ...existing.attributes, status: 'Achieved', actualEndDate: today() }
        : existing.kind === 'followUp'
          ? { ...existing.attributes, done: true }
          : existing.attributes;
    const [entry] = await tx
      .update(casesEntries)
      .set({ attributes, doneAt: existing.doneAt ?? new Date(), updatedAt: new Date() })
      .where(eq(casesEntries.id, entryId))
      .returning();
    await touchCase(tx, caseId);
    await recordAudit(
      tx,
      {
        action: 'cases.entry_updated',
        organisationId: row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { entryId, kind: existing.kind },
      },
      ctx.audit,
    );
    const [presented] = await presentEntryRows(ctx, tx, row, [entry!], hasRecentStepUp(ctx));
    return presented!;
  });
}

async function presentEntryRows(
  ctx: Ctx,
  tx: Tx,
  row: { organisationId: string },
  entries: EntryRow[],
  reveal: boolean,
  /** The names of the entries' people, when the caller read them with the entries (else read here). */
  known?: ReadonlyMap<string, string>,
): Promise<Entry[]> {
  // The names of the people who wrote the entries or are assigned to them.
  const names =
    known ??
    (await personNames(
      tx,
      entries.flatMap((entry) => [entry.createdBy, entry.assigneeId]),
    ));
  return Promise.all(
    entries.map(async (entry) => {
      const sealed =
        reveal && entry.sealed
          ? ((await openJson<Record<string, unknown>>(
              ctx.kernel,
              tx,
              entryPlace(row, entry.id),
              entry.sealed,
            )) ?? {})
          : {};
      return {
        id: entry.id,
        kind: entry.kind,
        fields: { ...entry.attributes, ...placeNames(entry), ...sealed },
        dueOn: entry.dueOn,
        doneAt: entry.doneAt?.toISOString() ?? null,
        assignee: namedPerson(names, entry.assigneeId),
        createdBy: namedPerson(names, entry.createdBy),
        createdAt: entry.createdAt.toISOString(),
        updatedAt: entry.updatedAt.toISOString(),
      };
    }),
  );
}

/** The entries of a case for its file (sealed fields only when revealed); with `kinds`, only those kinds. */
export async function presentEntries(
  ctx: Ctx,
  tx: Tx,
  row: CaseRow,
  reveal: boolean,
  kinds?: readonly EntryKind[],
): Promise<Entry[]> {
  if (kinds?.length === 0) return [];
  // The names of their authors and assignees in the same query (one round trip, not two).
  const creator = alias(identityPeople, 'creator');
  const assignee = alias(identityPeople, 'assignee');
  const rows = await tx
    .select({ entry: casesEntries, creatorName: creator.displayName, assigneeName: assignee.displayName })
    .from(casesEntries)
    .leftJoin(creator, eq(creator.id, casesEntries.createdBy))
    .leftJoin(assignee, eq(assignee.id, casesEntries.assigneeId))
    .where(and(eq(casesEntries.caseId, row.id), kinds ? inArray(casesEntries.kind, [...kinds]) : undefined))
    .orderBy(asc(casesEntries.createdAt), asc(casesEntries.id));
  const names = new Map<string, string>();
  for (const { entry, creatorName, assigneeName } of rows) {
    if (entry.createdBy && creatorName !== null) names.set(entry.createdBy, creatorName);
    if (entry.assigneeId && assigneeName !== null) names.set(entry.assigneeId, assigneeName);
  }
  return presentEntryRows(
    ctx,
    tx,
    row,
    rows.map(({ entry }) => entry),
    reveal,
    names,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Consent
// ---------------------------------------------------------------------------------------------------------

type ConsentRow = typeof casesConsents.$inferSelect;

const consentPlace = (row: { organisationId: string }, consentId: string) => ({
  organisationId: row.organisationId,
  table: 'cases_consents' as const,
  column: 'note_sealed',
  rowId: consentId,
});

/** Whether a consent is in force on a day (given, not yet expired, not revoked). */
export const isActive = (consent: ConsentRow, on = today()) =>
  consent.revokedAt === null &&
  consent.givenOn <= on &&
  (consent.expiresOn === null || consent.expiresOn > on);

/** The consents of a case for its file. */
export async function presentConsents(ctx: Ctx, tx: Tx, row: CaseRow, reveal: boolean): Promise<Consent[]> {
  const consents = await tx
    .select({
      consent: casesConsents,
      recipientName: identityOrganisations.name,
      recordedByName: identityPeople.displayName,
    })
    .from(casesConsents)
    .leftJoin(identityOrganisations, eq(identityOrganisations.id, casesConsents.recipientOrganisationId))
    .leftJoin(identityPeople, eq(identityPeople.id, casesConsents.recordedBy))
    .where(eq(casesConsents.caseId, row.id))
    .orderBy(asc(casesConsents.createdAt));
  return Promise.all(
    consents.map(async ({ consent, recipientName, recordedByName }) => ({
      id: consent.id,
      purpose: consent.purpose as ConsentPurpose,
      recipientOrganisation:
        consent.recipientOrganisationId && recipientName
          ? { id: consent.recipientOrganisationId, name: recipientName }
          : null,
      sections: consent.sections as CaseSection[],
      givenOn: consent.givenOn,
      expiresOn: consent.expiresOn,
      note: reveal
        ? await openJson<string>(ctx.kernel, tx, consentPlace(row, consent.id), consent.noteSealed)
        : null,
      recordedBy:
        consent.recordedBy && recordedByName ? { personId: consent.recordedBy, name: recordedByName } : null,
      revokedAt: consent.revokedAt?.toISOString() ?? null,
      active: isActive(consent),
    })),
  );
}

/** Records a survivor's consent for one purpose (and, for referrals and transfers, one recipient organisation). */
export async function recordConsent(ctx: Ctx, caseId: string, input: ConsentInput): Promise<Consent> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    requireAbility(reached, 'recordConsent');
    const { row, member } = reached;
    if (input.recipientOrganisationId) {
      const [recipient] = await tx
        .select({ id: identityOrganisations.id })
        .from(identityOrganisations)
        .where(
          and(
            eq(identityOrganisations.id, input.recipientOrganisationId),
            eq(identityOrganisations.status, 'active'),
          ),
        );
      if (!recipient)
        throw invalid([{ path: 'body.recipientOrganisationId', code: 'cases.consent_recipient_unknown' }]);
    }
    const id = randomUUID();
    await tx.insert(casesConsents).values({
      id,
      caseId,
      organisationId: row.organisationId,
      purpose: input.purpose,
      recipientOrganisationId: input.recipientOrganisationId ?? null,
      sections: input.sections,
      givenOn: input.givenOn,
      expiresOn: input.expiresOn ?? null,
      recordedBy: member.personId,
      noteSealed: await sealJson(ctx.kernel, tx, consentPlace(row, id), input.note),
    });
    await touchCase(tx, caseId);
    publishCaseChanged(ctx.kernel, tx, caseId, row.organisationId);
    await recordAudit(
      tx,
      {
        action: 'cases.consent_recorded',
        organisationId: row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { consentId: id, purpose: input.purpose, sections: input.sections },
      },
      ctx.audit,
    );
    const consents = await presentConsents(ctx, tx, row, hasRecentStepUp(ctx));
    return consents.find((consent) => consent.id === id)!;
  });
}

/** Revokes a consent: from the next request on, nothing it covered leaves the case on its strength. */
export async function revokeConsent(ctx: Ctx, caseId: string, consentId: string): Promise<Consent> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    requireAbility(reached, 'recordConsent');
    const { row, member } = reached;
    const [consent] = await tx
      .update(casesConsents)
      .set({ revokedAt: new Date(), revokedBy: member.personId, updatedAt: new Date() })
      .where(and(eq(casesConsents.id, consentId), eq(casesConsents.caseId, caseId)))
      .returning();
    if (!consent) throw new AppError('not_found');
    await touchCase(tx, caseId);
    publishCaseChanged(ctx.kernel, tx, caseId, row.organisationId);
    await recordAudit(
      tx,
      {
        action: 'cases.consent_revoked',
        organisationId: row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { consentId, purpose: consent.purpose },
      },
      ctx.audit,
    );
    const consents = await presentConsents(ctx, tx, row, false);
    return consents.find((candidate) => candidate.id === consentId)!;
  });
}

/**
 * SECURITY: the check every disclosure of case data makes (referrals, the journey map, research): the
 * sections a live consent of this purpose covers — for referrals and transfers, only consent naming that
 * recipient.
 * Returns the covered subset of the sections asked for (possibly empty).
 */
export async function consentedSections(
  tx: Tx,
  caseId: string,
  purpose: ConsentPurpose,
  sections: readonly CaseSection[],
  recipientOrganisationId?: string,
): Promise<CaseSection[]> {
  const consents = await tx
    .select()
    .from(casesConsents)
    .where(and(eq(casesConsents.caseId, caseId), eq(casesConsents.purpose, purpose)));
  return coveredSections(consents, purpose, sections, recipientOrganisationId);
}

/** consentedSections over consent rows of that purpose already read (the same rule, no query). */
export function coveredSections(
  consents: readonly ConsentRow[],
  purpose: ConsentPurpose,
  sections: readonly CaseSection[],
  recipientOrganisationId?: string,
): CaseSection[] {
  const covered = new Set<string>();
  for (const consent of consents) {
    if (consent.purpose !== purpose || !isActive(consent)) continue;
    if (
      (purpose === 'Referral' || purpose === 'Transfer') &&
      consent.recipientOrganisationId !== recipientOrganisationId
    )
      continue;
    for (const section of consent.sections) covered.add(section);
  }
  return sections.filter((section) => covered.has(section));
}
