import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { onCommit } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { fileStoreFor } from '../../kernel/storage/storage.js';
import { identityMemberships, identityPeople } from '../identity/index.js';
import { loadCaseFacts } from './cases.access.js';
import { reencryptForMove } from './cases.attachments.service.js';
import { attachmentKinds } from './cases.attachments.content.js';
import { casesAttachments } from './cases.attachments.tables.js';
import { lookupDigest } from './cases.crypto.js';
import { consentedSections, presentConsents, presentEntries } from './cases.entries.service.js';
import { caseAccess } from './cases.policy.js';
import { caseFileSchema, profileSectionSchema, victimSectionSchema } from './cases.schemas.js';
import { nextReference, openSections } from './cases.service.js';
import {
  casesAssignments,
  casesBreakGlass,
  casesConsents,
  casesEntries,
  casesFiles,
  casesLookup,
  casesRestrictedStaff,
} from './cases.tables.js';
import { caseSections, closedStatuses, type CaseStatus } from './cases.vocabulary.js';
import { publishCaseChanged } from './cases.journey.js';

/**
 * A case file changing owner (a transfer, issue 6). The referrals module runs the transfer's state machine and
 * calls these inside its own transaction; the cases module alone knows what a case is made of.
 *
 * SECURITY: every sealed value of a case is bound to its organisation (and table, column, row: the keyring's
 * AAD), and so is every stored attachment. Moving a case therefore opens each value with the old owner's key
 * and seals it anew with the new owner's, recomputes the blind-index digests under the new owner, and writes
 * every attachment again — nothing sealed is copied as it was, so nothing the old owner's key opens is left
 * behind, and the old owner's scope no longer sees any row of the case.
 */

declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'cases.case_transferred_out': {
      transferId: string;
      toOrganisationId: string;
      previousReference: string;
      entries: number;
      consents: number;
      attachments: number;
    };
    'cases.case_transferred_in': {
      transferId: string;
      fromOrganisationId: string;
      reference: string;
      entries: number;
      consents: number;
      attachments: number;
    };
  }
}

/** A case as the person asking for its transfer reaches it. */
export interface TransferableCase {
  id: string;
  organisationId: string;
  reference: string;
  status: CaseStatus;
  closed: boolean;
  closurePending: boolean;
}

/**
 * The case if the caller works on it — assigned, supervising it, or named on a restricted case; a break-glass
 * opening is read-only and does not count. Null otherwise (the caller answers 404). Leaves the transaction in
 * the caller's tenant scope.
 */
export async function caseFileForTransfer(
  ctx: Ctx,
  tx: Tx,
  caseId: string,
): Promise<TransferableCase | null> {
  const loaded = await loadCaseFacts(ctx, tx, caseId);
  if (!loaded) return null;
  const access = caseAccess(ctx.actor, loaded.facts);
  if (!access || access.via === 'break_glass') return null;
  const { row } = loaded;
  return {
    id: row.id,
    organisationId: row.organisationId,
    reference: row.reference,
    status: row.status as CaseStatus,
    closed: closedStatuses.includes(row.status as CaseStatus),
    closurePending: row.closureRequestedAt !== null,
  };
}

/**
 * SECURITY: whether a live Transfer consent of the survivor names this recipient — asked when a transfer is
 * requested and again when it is accepted (a consent revoked in between stops the move). Leaves the
 * transaction in the owner's tenant scope.
 */
export async function transferConsentGiven(
  tx: Tx,
  input: { caseId: string; ownerOrganisationId: string; recipientOrganisationId: string },
): Promise<boolean> {
  await setTenant(tx, input.ownerOrganisationId);
  const covered = await consentedSections(
    tx,
    input.caseId,
    'Transfer',
    caseSections,
    input.recipientOrganisationId,
  );
  return covered.length > 0;
}

/** An attachment as the record lists it: what it was, never its bytes. */
const recordAttachmentSchema = z.object({
  id: z.uuid(),
  kind: z.enum(attachmentKinds),
  mediaType: z.string(),
  sizeBytes: z.number().int(),
  name: z.string(),
  createdAt: z.iso.datetime(),
});

/**
 * The case as its owner held it when it was transferred: the full presentation of the case file (every
 * section, entry and consent, opened) and its attachments' descriptions — no attachment content.
 */
export const caseFileRecordSchema = caseFileSchema
  .pick({
    id: true,
    reference: true,
    status: true,
    draft: true,
    restricted: true,
    openedOn: true,
    closedOn: true,
    version: true,
    createdAt: true,
    updatedAt: true,
    assignees: true,
    identity: true,
    contact: true,
    documents: true,
    narrative: true,
    profile: true,
    victim: true,
    entries: true,
    consents: true,
  })
  .extend({
    heldUntil: z.iso.datetime().describe('When the case left the organisation'),
    attachments: z.array(recordAttachmentSchema),
  });
export type CaseFileRecord = z.infer<typeof caseFileRecordSchema>;

const sealedFileColumns = {
  identitySealed: 'identity_sealed',
  contactSealed: 'contact_sealed',
  documentsSealed: 'documents_sealed',
  narrativeSealed: 'narrative_sealed',
  closureReasonSealed: 'closure_reason_sealed',
} as const;
type SealedFileColumn = keyof typeof sealedFileColumns;

async function loadCase(tx: Tx, caseId: string, organisationId: string, forUpdate: boolean) {
  await setTenant(tx, organisationId);
  const query = tx
    .select()
    .from(casesFiles)
    // SECURITY: tenant condition in the query as well as by row-level security.
    .where(and(eq(casesFiles.id, caseId), eq(casesFiles.organisationId, organisationId)));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row ?? null;
}

/**
 * Builds the owner's read-only record of a case (for a transfer that keeps one), opening everything with the
 * owner's key. Not audited here: the caller records the transfer that made it. Leaves the transaction in the
 * owner's tenant scope.
 */
export async function caseFileRecord(
  ctx: Ctx,
  tx: Tx,
  input: { caseId: string; organisationId: string },
): Promise<CaseFileRecord> {
  const row = await loadCase(tx, input.caseId, input.organisationId, false);
  if (!row) throw new AppError('not_found');
  const assignees = await tx
    .select({
      membershipId: identityMemberships.id,
      personId: identityPeople.id,
      name: identityPeople.displayName,
      role: identityMemberships.role,
      primary: casesAssignments.primary,
    })
    .from(casesAssignments)
    .innerJoin(identityMemberships, eq(identityMemberships.id, casesAssignments.membershipId))
    .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
    .where(eq(casesAssignments.caseId, row.id))
    .orderBy(desc(casesAssignments.primary), asc(identityPeople.displayName));
  const attachments = await tx
    .select()
    .from(casesAttachments)
    .where(and(eq(casesAttachments.caseId, row.id), eq(casesAttachments.organisationId, row.organisationId)))
    .orderBy(desc(casesAttachments.createdAt), desc(casesAttachments.id));
  return {
    id: row.id,
    reference: row.reference,
    status: row.status as CaseStatus,
    draft: row.draft,
    restricted: row.restricted,
    openedOn: row.openedOn,
    closedOn: row.closedOn,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    heldUntil: new Date().toISOString(),
    assignees,
    ...(await openSections(ctx, tx, row)),
    profile: profileSectionSchema.parse(row.profile),
    victim: victimSectionSchema.parse(row.victim),
    entries: await presentEntries(ctx, tx, row, true),
    consents: await presentConsents(ctx, tx, row, true),
    attachments: await Promise.all(
      attachments.map(async (attachment) => ({
        id: attachment.id,
        kind: attachment.kind,
        mediaType: attachment.mediaType,
        sizeBytes: attachment.sizeBytes,
        name: await ctx.kernel.keys.openField(
          tx,
          {
            organisationId: attachment.organisationId,
            table: 'cases_attachments',
            column: 'name_sealed',
            rowId: attachment.id,
          },
          attachment.nameSealed,
        ),
        createdAt: attachment.createdAt.toISOString(),
      })),
    ),
  };
}

/** What moveCaseFile did. */
export interface CaseFileMove {
  caseId: string;
  fromOrganisationId: string;
  toOrganisationId: string;
  previousReference: string;
  /** The case's reference at its new owner. */
  reference: string;
  entries: number;
  consents: number;
  attachments: number;
  /**
   * Deletes the attachments written for the new owner. Call it when the transaction the move ran in does not
   * commit (the old owner's files are deleted only once it does).
   */
  discard: () => Promise<void>;
}

/**
 * Moves a case file and everything that belongs to it from one organisation to another, inside the caller's
 * transaction: sealed values re-sealed and lookup digests recomputed under the new owner, attachments written
 * again, assignments and restricted staff cleared (the new owner's supervisor assigns it; follow-up reminders
 * no longer go to the old owner's staff), a new reference at the new owner, the version bumped, and the move
 * audited in both organisations' trails. Refuses (409) a case with a closure waiting for a supervisor.
 * Leaves the transaction in the new owner's tenant scope.
 */
export async function moveCaseFile(
  ctx: Ctx,
  tx: Tx,
  move: { caseId: string; fromOrganisationId: string; toOrganisationId: string; transferId: string },
): Promise<CaseFileMove> {
  const { caseId, fromOrganisationId: from, toOrganisationId: to } = move;
  if (from === to) throw new Error('moveCaseFile: a case moves between two organisations');
  const keys = ctx.kernel.keys;
  const store = fileStoreFor(ctx.kernel.config);

  // 1. Everything under the old owner, locked, and opened with the old owner's key.
  const row = await loadCase(tx, caseId, from, true);
  if (!row) throw new AppError('not_found');
  if (row.closureRequestedAt !== null)
    throw new AppError('conflict', {
      fields: [{ path: 'caseId', code: 'cases.transfer_closure_pending' }],
    });
  const where = <T extends { caseId: unknown; organisationId: unknown }>(table: T) =>
    and(
      eq(table.caseId as typeof casesEntries.caseId, caseId),
      eq(table.organisationId as typeof casesEntries.organisationId, from),
    );
  const entries = await tx.select().from(casesEntries).where(where(casesEntries)).for('update');
  const consents = await tx.select().from(casesConsents).where(where(casesConsents)).for('update');
  const lookups = await tx.select().from(casesLookup).where(where(casesLookup)).for('update');
  const openings = await tx.select().from(casesBreakGlass).where(where(casesBreakGlass)).for('update');
  const attachments = await tx.select().from(casesAttachments).where(where(casesAttachments)).for('update');

  const open = (table: string, column: string, rowId: string, sealed: string) =>
    keys.openField(tx, { organisationId: from, table, column, rowId }, sealed);
  const openOrNull = async (table: string, column: string, rowId: string, sealed: string | null) =>
    sealed === null ? null : open(table, column, rowId, sealed);
  const fileValues: Partial<Record<SealedFileColumn, string | null>> = {};
  for (const [property, column] of Object.entries(sealedFileColumns) as [SealedFileColumn, string][])
    fileValues[property] = await openOrNull('cases_files', column, row.id, row[property]);
  const entryValues = await Promise.all(
    entries.map((entry) => openOrNull('cases_entries', 'sealed', entry.id, entry.sealed)),
  );
  const consentValues = await Promise.all(
    consents.map((consent) => openOrNull('cases_consents', 'note_sealed', consent.id, consent.noteSealed)),
  );
  const lookupValues = await Promise.all(
    lookups.map((lookup) => open('cases_lookup', 'value_sealed', lookup.id, lookup.valueSealed)),
  );
  const openingValues = await Promise.all(
    openings.map((opening) => open('cases_break_glass', 'reason_sealed', opening.id, opening.reasonSealed)),
  );
  const attachmentValues = await Promise.all(
    attachments.map(async (attachment) => ({
      fileKey: Buffer.from(
        await open('cases_attachments', 'key_sealed', attachment.id, attachment.keySealed),
        'base64',
      ),
      name: await open('cases_attachments', 'name_sealed', attachment.id, attachment.nameSealed),
    })),
  );

  // 2. The files, written again for the new owner (outside the database: undone by hand if anything fails).
  const written: string[] = [];
  const discard = async () => {
    await Promise.all(written.map((key) => store.delete(key).catch(() => undefined)));
  };
  try {
    const movedFiles: { storageKey: string; fileKey: Buffer }[] = [];
    for (const [index, attachment] of attachments.entries()) {
      const moved = await reencryptForMove(ctx, attachment, attachmentValues[index]!.fileKey, to);
      written.push(moved.storageKey);
      movedFiles.push(moved);
    }

    // 3. The old owner's rows go (the case row itself moves below).
    for (const table of [
      casesEntries,
      casesConsents,
      casesLookup,
      casesBreakGlass,
      casesAttachments,
      casesAssignments,
      casesRestrictedStaff,
    ] as const)
      await tx.delete(table).where(where(table));

    // 4. The case row: re-sealed for the new owner, with a reference of the new owner's series.
    await setTenant(tx, to);
    const reference = await nextReference(tx, to);
    const seal = (table: string, column: string, rowId: string, plaintext: string) =>
      keys.sealField(tx, { organisationId: to, table, column, rowId }, plaintext);
    const sealOrNull = async (table: string, column: string, rowId: string, plaintext: string | null) =>
      plaintext === null ? null : seal(table, column, rowId, plaintext);
    const resealed: Partial<Record<SealedFileColumn, string | null>> = {};
    for (const [property, column] of Object.entries(sealedFileColumns) as [SealedFileColumn, string][])
      resealed[property] = await sealOrNull('cases_files', column, row.id, fileValues[property] ?? null);
    // SECURITY (read loudly): the one step that crosses the tenant wall. Row-level security never lets a plain
    // UPDATE hand a case row to another organisation, so the owner changes through `cases_move_file` (migration
    // 0015, SECURITY DEFINER): it moves exactly this row, and only while the transaction is scoped to the current
    // owner. Everything sealed in the row is then written again, sealed for the new owner just above.
    await setTenant(tx, from);
    const [ownerChange] = await queryRows<{ moved: boolean }>(
      tx,
      sql`select cases_move_file(${caseId}::uuid, ${from}::uuid, ${to}::uuid, ${reference}) as moved`,
    );
    if (!ownerChange?.moved) throw new Error('moveCaseFile: the case row did not move');
    await setTenant(tx, to);
    const [updated] = await tx
      .update(casesFiles)
      .set({
        ...resealed,
        restricted: false,
        version: row.version + 1,
        updatedAt: new Date(),
      })
      .where(and(eq(casesFiles.id, caseId), eq(casesFiles.organisationId, to)))
      .returning({ id: casesFiles.id });
    if (!updated) throw new Error('moveCaseFile: the moved case row was not re-sealed');
    // A route the old owner derived from the case is its own no more: the journeys module withdraws it.
    publishCaseChanged(ctx.kernel, tx, caseId, to);

    // 5. Everything else, written again under the new owner with the same ids.
    await setTenant(tx, to);
    for (const [index, entry] of entries.entries()) {
      await tx.insert(casesEntries).values({
        ...entry,
        organisationId: to,
        sealed: await sealOrNull('cases_entries', 'sealed', entry.id, entryValues[index] ?? null),
        // Reminders go to the new owner's staff, whom its supervisor chooses.
        assigneeId: null,
        remindedAt: null,
      });
    }
    for (const [index, consent] of consents.entries()) {
      await tx.insert(casesConsents).values({
        ...consent,
        organisationId: to,
        noteSealed: await sealOrNull(
          'cases_consents',
          'note_sealed',
          consent.id,
          consentValues[index] ?? null,
        ),
      });
    }
    for (const [index, lookup] of lookups.entries()) {
      const indexed = lookupValues[index]!;
      await tx.insert(casesLookup).values({
        ...lookup,
        organisationId: to,
        valueSealed: await seal('cases_lookup', 'value_sealed', lookup.id, indexed),
        // The lookup key is the new owner's: the old owner's duplicate check no longer finds this case.
        digest: await lookupDigest(ctx.kernel, tx, to, indexed),
      });
    }
    for (const [index, opening] of openings.entries()) {
      await tx.insert(casesBreakGlass).values({
        ...opening,
        organisationId: to,
        reasonSealed: await seal('cases_break_glass', 'reason_sealed', opening.id, openingValues[index]!),
      });
    }
    for (const [index, attachment] of attachments.entries()) {
      const moved = movedFiles[index]!;
      await tx.insert(casesAttachments).values({
        ...attachment,
        organisationId: to,
        storageKey: moved.storageKey,
        keySealed: await seal(
          'cases_attachments',
          'key_sealed',
          attachment.id,
          moved.fileKey.toString('base64'),
        ),
        nameSealed: await seal(
          'cases_attachments',
          'name_sealed',
          attachment.id,
          attachmentValues[index]!.name,
        ),
      });
    }

    // 6. Both trails: the old owner's says where the case went, the new owner's where it came from.
    const counts = { entries: entries.length, consents: consents.length, attachments: attachments.length };
    await recordAudit(
      tx,
      {
        action: 'cases.case_transferred_out',
        organisationId: from,
        objectType: 'case_file',
        objectId: caseId,
        details: {
          transferId: move.transferId,
          toOrganisationId: to,
          previousReference: row.reference,
          ...counts,
        },
      },
      ctx.audit,
    );
    await recordAudit(
      tx,
      {
        action: 'cases.case_transferred_in',
        organisationId: to,
        objectType: 'case_file',
        objectId: caseId,
        details: { transferId: move.transferId, fromOrganisationId: from, reference, ...counts },
      },
      ctx.audit,
    );
    await setTenant(tx, to);
    // The old owner's files go once the move has committed; until then its rows still point at them.
    const oldFiles = attachments.map((attachment) => attachment.storageKey);
    onCommit(tx, async () => {
      await Promise.all(oldFiles.map((key) => store.delete(key).catch(() => undefined)));
    });
    return {
      caseId,
      fromOrganisationId: from,
      toOrganisationId: to,
      previousReference: row.reference,
      reference,
      ...counts,
      discard,
    };
  } catch (error) {
    await discard();
    throw error;
  }
}
