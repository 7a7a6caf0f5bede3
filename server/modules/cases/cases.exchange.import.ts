import { randomUUID } from 'node:crypto';
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { publishCasesImported } from './cases.journey.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { translator } from '../../kernel/i18n/i18n.js';
import type { Kernel } from '../../kernel/kernel.js';
import { identityOrganisations, requireRecentStepUp } from '../identity/index.js';
import { requireCaseMember } from './cases.access.js';
import { lookupDigest, lookupValue, sealJson } from './cases.crypto.js';
import { sealedFields } from './cases.entries.service.js';
import type { CaseImport, ImportStatus } from './cases.exchange.schemas.js';
import { casesImports } from './cases.exports.tables.js';
import { importFormatOf, readImportFile, type ImportFormat } from './cases.htcds.files.js';
import {
  checkTables,
  issueOrder,
  type CheckedCase,
  type CheckOptions,
  type ColumnReport,
  type ImportIssue,
} from './cases.htcds.js';
import type { EntryKind } from './cases.schemas.js';
import { lookupValues, reindexCase, sealSections } from './cases.service.js';
import { casesAssignments, casesConsents, casesEntries, casesFiles, casesLookup } from './cases.tables.js';
import './cases.exchange.audit.js';

/**
 * Imports of HTCDS case files (issue 5, "Standards in and out"): a dry run that reads the file, checks every
 * row and reports row by row; then a commit that writes every case in ONE transaction, or none.
 *
 * SECURITY: between the dry run and the commit, the checked cases wait in `cases_imports.payload_sealed` —
 * one JSON document (file name, column report, row report, checked cases) sealed with kernel.keys under the
 * organisation's key and bound to that row (registered below, so key rotation re-encrypts it). Nothing from
 * the file is in a plaintext column; the import expires after an hour (a committed one keeps its sealed
 * report, without the cases, for a day). The commit writes cases exactly as createCaseFile does: identifying
 * sections sealed (sealSections), blind-index entries written (reindexCase), entries' free text sealed
 * (the entries' own sealed-field list), and a `cases.case_created` audit event per case.
 */

/** A checked import lives this long before it must be uploaded again. */
const checkedLifetimeMs = 60 * 60 * 1000;
/** A committed or failed import can be looked at for a day. */
const resultLifetimeMs = 24 * 60 * 60 * 1000;
/** The report keeps at most this many problems; the counts still cover them all. */
const maxReportedIssues = 1_000;

/** What `payload_sealed` holds. */
interface Payload {
  fileName: string;
  columns: ColumnReport[];
  issues: ImportIssue[];
  truncated: boolean;
  /** The checked cases, kept only while a clean dry run waits for its commit. */
  cases: CheckedCase[] | null;
}

interface Counts {
  cases: number;
  valid: number;
  invalid: number;
  issues: number;
  created: number;
}

type ImportRow = typeof casesImports.$inferSelect;

/**
 * Progress of the commits running in THIS process, by import id. A commit runs inside its request and one
 * transaction, so nothing it writes is visible elsewhere until it ends; this map is how GET reports progress
 * meanwhile. LIMITATION (as the directory's import): per process.
 */
const progress = new Map<string, { processed: number; total: number }>();

/** Tells the keyring about the sealed import payloads, so key rotation re-encrypts them too. */
export function registerExchangeEncryption(kernel: Kernel): void {
  kernel.keys.registerEncryptedTable({
    table: casesImports,
    id: casesImports.id,
    organisation: casesImports.organisationId,
    encrypted: [casesImports.payloadSealed],
  });
}

const payloadPlace = (row: { id: string; organisationId: string }) => ({
  organisationId: row.organisationId,
  table: 'cases_imports',
  column: 'payload_sealed',
  rowId: row.id,
});

async function sealPayload(ctx: Ctx, tx: Tx, row: { id: string; organisationId: string }, payload: Payload) {
  return ctx.kernel.keys.sealField(tx, payloadPlace(row), JSON.stringify(payload));
}

async function openPayload(ctx: Ctx, tx: Tx, row: ImportRow): Promise<Payload> {
  if (!row.payloadSealed) throw new AppError('not_found');
  return JSON.parse(await ctx.kernel.keys.openField(tx, payloadPlace(row), row.payloadSealed)) as Payload;
}

// ---------------------------------------------------------------------------------------------------------
// Duplicates and recipients
// ---------------------------------------------------------------------------------------------------------

/** The column of a case record that a lookup value comes from. */
const lookupColumn = (kind: 'document' | 'name_birth_year') =>
  kind === 'document' ? 'prs_IdentityNumber' : 'prs_SecondName';

/**
 * Cases of the file that repeat another case of the file, or match a case the organisation already has
 * (blind-index digests under the active key: the values themselves are never compared in SQL).
 */
async function duplicateIssues(
  ctx: Ctx,
  tx: Tx,
  organisationId: string,
  cases: CheckedCase[],
): Promise<ImportIssue[]> {
  const issues: ImportIssue[] = [];
  const firstRow = new Map<string, number>();
  const byDigest = new Map<string, { row: number; kind: 'document' | 'name_birth_year' }[]>();
  for (const file of cases) {
    const flagged = new Set<string>();
    for (const { kind, value } of lookupValues(file.identity ?? null, file.documents ?? null)) {
      const indexed = lookupValue(kind, value);
      const earlier = firstRow.get(indexed);
      if (earlier !== undefined && earlier !== file.row && !flagged.has(kind)) {
        flagged.add(kind);
        issues.push({
          record: 'cases',
          row: file.row,
          column: lookupColumn(kind),
          code: 'cases.import_duplicate_in_file',
          params: { row: earlier },
        });
      }
      if (earlier === undefined) firstRow.set(indexed, file.row);
      const digest = await lookupDigest(ctx.kernel, tx, organisationId, indexed);
      byDigest.set(digest, [...(byDigest.get(digest) ?? []), { row: file.row, kind }]);
    }
  }
  const digests = [...byDigest.keys()];
  const reported = new Set<string>();
  for (let i = 0; i < digests.length; i += 1_000) {
    const found = await tx
      .selectDistinct({ digest: casesLookup.digest })
      .from(casesLookup)
      .where(
        and(
          eq(casesLookup.organisationId, organisationId),
          inArray(casesLookup.digest, digests.slice(i, i + 1_000)),
        ),
      );
    for (const { digest } of found)
      for (const { row, kind } of byDigest.get(digest) ?? []) {
        if (reported.has(`${row}|${kind}`)) continue;
        reported.add(`${row}|${kind}`);
        issues.push({
          record: 'cases',
          row,
          column: lookupColumn(kind),
          code: 'cases.import_duplicate_existing',
        });
      }
  }
  return issues;
}

/** The active organisations among the consents' recipients. */
async function activeRecipients(tx: Tx, cases: CheckedCase[]): Promise<Set<string>> {
  const ids = [
    ...new Set(
      cases.flatMap((file) => file.consents.flatMap((consent) => consent.recipientOrganisationId ?? [])),
    ),
  ];
  if (ids.length === 0) return new Set();
  const rows = await tx
    .select({ id: identityOrganisations.id })
    .from(identityOrganisations)
    .where(and(inArray(identityOrganisations.id, ids), eq(identityOrganisations.status, 'active')));
  return new Set(rows.map((row) => row.id));
}

/** Consent records naming an organisation that is not (or no longer) active on Cairn. */
function recipientIssues(cases: CheckedCase[], active: Set<string>): ImportIssue[] {
  return cases.flatMap((file) =>
    file.consents.some(
      (consent) => consent.recipientOrganisationId && !active.has(consent.recipientOrganisationId),
    )
      ? [
          {
            record: 'consents' as const,
            row: file.row,
            column: 'cairn_RecipientOrganisationId',
            code: 'cases.consent_recipient_unknown',
          },
        ]
      : [],
  );
}

// ---------------------------------------------------------------------------------------------------------
// Dry run
// ---------------------------------------------------------------------------------------------------------

/** The upload, as the route received it. */
export interface CaseImportUpload {
  body: Buffer;
  contentType: string | undefined;
  fileName: string;
  mapping?: (string | null)[];
  incomplete: CheckOptions['incomplete'];
}

/**
 * The dry run: reads the file, understands its columns (or applies the mapping), checks every row, and keeps
 * the sealed report — with the checked cases when nothing is wrong — for an hour. A file that cannot be read
 * is refused before anything is written.
 */
export async function checkCaseImport(ctx: Ctx, upload: CaseImportUpload): Promise<CaseImport> {
  const member = requireCaseMember(ctx);
  const format = importFormatOf(upload.contentType);
  if (!format) throw new AppError('unsupported_media_type');
  const tables = await readImportFile(upload.body, format);
  // After reading, so a hostile file is refused as such; before anything from it is kept or shown back.
  requireRecentStepUp(ctx);
  const organisationId = member.membership.organisationId;
  const result = checkTables(tables, { incomplete: upload.incomplete, mapping: upload.mapping });
  const id = randomUUID();
  const stored = await inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    // Old dry runs hold whole files (sealed): drop the organisation's expired ones while we are here.
    await tx
      .delete(casesImports)
      .where(and(eq(casesImports.organisationId, organisationId), lt(casesImports.expiresAt, new Date())));
    const more = [
      ...recipientIssues(result.cases, await activeRecipients(tx, result.cases)),
      ...(await duplicateIssues(ctx, tx, organisationId, result.cases)),
    ];
    const issues = [...result.issues, ...more].sort(issueOrder);
    const failedRows = new Set(more.map((issue) => issue.row));
    const valid = result.cases.filter((file) => !failedRows.has(file.row));
    const counts: Counts = {
      cases: result.total,
      valid: valid.length,
      invalid: result.invalid + failedRows.size,
      issues: issues.length,
      created: 0,
    };
    const payload: Payload = {
      fileName: upload.fileName,
      columns: result.columns,
      issues: issues.slice(0, maxReportedIssues),
      truncated: issues.length > maxReportedIssues,
      // Only a clean dry run can be committed, so only then are its cases worth keeping.
      cases: issues.length === 0 ? result.cases : null,
    };
    const row = { id, organisationId };
    const [inserted] = await tx
      .insert(casesImports)
      .values({
        id,
        organisationId,
        personId: member.personId,
        status: 'checked',
        format,
        totalRows: result.total,
        processedRows: 0,
        counts: { ...counts },
        payloadSealed: await sealPayload(ctx, tx, row, payload),
        expiresAt: new Date(Date.now() + checkedLifetimeMs),
      })
      .returning();
    await recordAudit(
      tx,
      {
        action: 'cases.import_checked',
        organisationId,
        objectType: 'case_import',
        objectId: id,
        details: { importId: id, format, cases: result.total, issues: issues.length },
      },
      ctx.audit,
    );
    return { row: inserted!, payload };
  });
  return presentImport(ctx, stored.row, stored.payload);
}

async function ownImport(ctx: Ctx, tx: Tx, importId: string, forUpdate = false): Promise<ImportRow> {
  const member = requireCaseMember(ctx);
  await setTenant(tx, member.membership.organisationId);
  const query = tx
    .select()
    .from(casesImports)
    .where(
      and(
        eq(casesImports.id, importId),
        eq(casesImports.organisationId, member.membership.organisationId),
        eq(casesImports.personId, member.personId),
      ),
    );
  const [row] = forUpdate ? await query.for('update') : await query;
  // Someone else's import, or an expired one, does not exist for this caller.
  if (!row || row.expiresAt < new Date()) throw new AppError('not_found');
  return row;
}

/** One of the caller's imports: its report, and its progress while it is being committed. */
export async function getCaseImport(ctx: Ctx, importId: string): Promise<CaseImport> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const row = await ownImport(ctx, tx, importId);
    // The report quotes the file's cells: reading it again is reading case data.
    requireRecentStepUp(ctx);
    return presentImport(ctx, row, await openPayload(ctx, tx, row));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Commit
// ---------------------------------------------------------------------------------------------------------

/** Thrown inside the commit's transaction to roll it back with row problems for the report. */
class RowsRefused extends Error {
  constructor(readonly issues: ImportIssue[]) {
    super('rows refused');
  }
}

const identifyingSectionNames = ['identity', 'contact', 'documents', 'narrative'] as const;

/**
 * Writes one checked case as createCaseFile would: sealed sections, blind-index entries, the importer as its
 * primary assignee; then its entries and consents, and the `cases.case_created` audit event.
 */
async function insertCase(
  ctx: Ctx,
  tx: Tx,
  member: ReturnType<typeof requireCaseMember>,
  file: CheckedCase,
  reference: string,
  clock: () => Date,
): Promise<string> {
  const organisationId = member.membership.organisationId;
  const id = randomUUID();
  const row = { id, organisationId };
  const sealed = await sealSections(ctx, tx, row, {
    identity: file.identity,
    contact: file.contact,
    documents: file.documents,
    narrative: file.narrative,
  });
  await tx.insert(casesFiles).values({
    id,
    organisationId,
    reference,
    status: file.case.status,
    draft: file.case.draft,
    openedOn: file.case.openedOn,
    closedOn: file.case.closedOn ?? null,
    closureReasonSealed: file.case.closureReason
      ? await sealJson(
          ctx.kernel,
          tx,
          { organisationId, table: 'cases_files', column: 'closure_reason_sealed', rowId: id },
          file.case.closureReason,
        )
      : null,
    profile: file.profile,
    victim: file.victim,
    createdBy: member.personId,
    ...sealed,
  });
  await tx
    .insert(casesAssignments)
    .values({ caseId: id, organisationId, membershipId: member.membership.id, primary: true });
  await reindexCase(ctx, tx, row, file.identity ?? null, file.documents ?? null);

  const entries: (typeof casesEntries.$inferInsert)[] = [];
  const entry = async (
    kind: EntryKind,
    fields: Record<string, unknown>,
    extra: Partial<typeof casesEntries.$inferInsert> = {},
  ) => {
    const entryId = randomUUID();
    const attributes: Record<string, unknown> = {};
    const secret: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      // SECURITY: the entries service's own list of sealed fields, so free text is sealed here as there.
      if (sealedFields[kind].includes(key)) secret[key] = value;
      else attributes[key] = value;
    }
    entries.push({
      id: entryId,
      caseId: id,
      organisationId,
      kind,
      attributes,
      sealed:
        Object.keys(secret).length > 0
          ? await sealJson(
              ctx.kernel,
              tx,
              { organisationId, table: 'cases_entries', column: 'sealed', rowId: entryId },
              secret,
            )
          : null,
      createdBy: member.personId,
      // Distinct, increasing times keep the file's order (the case file lists entries by creation).
      createdAt: clock(),
      ...extra,
    });
  };
  for (const item of file.perpetrators) await entry('perpetrator', item);
  for (const item of file.events) await entry('event', item);
  for (const item of file.supportPlan)
    await entry('supportPlan', item, {
      dueOn: item.plannedEndDate ?? null,
      doneAt: ['Achieved', 'NotAchieved', 'Cancelled'].includes(item.status) ? clock() : null,
    });
  for (const item of file.followUps)
    await entry(
      'followUp',
      { dueOn: item.dueOn, note: item.note, done: item.done },
      { dueOn: item.dueOn, doneAt: item.done ? clock() : null, assigneeId: member.personId },
    );
  for (const item of file.comments)
    await entry(
      'comment',
      { body: item.body },
      item.createdAt ? { createdAt: new Date(item.createdAt) } : {},
    );
  if (entries.length > 0) await tx.insert(casesEntries).values(entries);

  for (const consent of file.consents) {
    const consentId = randomUUID();
    await tx.insert(casesConsents).values({
      id: consentId,
      caseId: id,
      organisationId,
      purpose: consent.purpose,
      recipientOrganisationId: consent.recipientOrganisationId ?? null,
      sections: consent.sections,
      givenOn: consent.givenOn,
      expiresOn: consent.expiresOn ?? null,
      recordedBy: member.personId,
      noteSealed: await sealJson(
        ctx.kernel,
        tx,
        { organisationId, table: 'cases_consents', column: 'note_sealed', rowId: consentId },
        consent.note,
      ),
      revokedAt: consent.revokedAt ? new Date(consent.revokedAt) : null,
      revokedBy: consent.revokedAt ? member.personId : null,
      createdAt: clock(),
    });
  }

  await recordAudit(
    tx,
    {
      action: 'cases.case_created',
      organisationId,
      objectType: 'case_file',
      objectId: id,
      details: {
        reference,
        draft: file.case.draft,
        sections: [
          ...identifyingSectionNames.filter((section) => file[section] !== undefined),
          'profile',
          'victim',
        ],
      },
    },
    ctx.audit,
  );
  return id;
}

/**
 * The next `count` references of the organisation (`2026-0042` …), numbered per year. SECURITY: under the
 * same per-organisation lock as createCaseFile's numbering, held to the end of the import's transaction, so
 * an intake made meanwhile waits instead of taking a number twice.
 */
async function nextReferences(tx: Tx, organisationId: string, count: number): Promise<string[]> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`cases.reference:${organisationId}`}))`);
  const year = new Date().getUTCFullYear();
  const [last] = await queryRows<{ n: number | null }>(
    tx,
    sql`select max(split_part(reference, '-', 2)::int) as n from ${casesFiles}
        where organisation_id = ${organisationId} and reference like ${`${year}-%`}`,
  );
  const start = (last?.n ?? 0) + 1;
  return Array.from({ length: count }, (_, i) => `${year}-${String(start + i).padStart(4, '0')}`);
}

/**
 * Commits a clean dry run: every case in ONE transaction, or none. Duplicates and recipients are checked
 * again inside it (cases may have come in since). On any failure the transaction rolls back, the import is
 * marked `failed` with the reason in its (sealed) report, and 409 is answered.
 */
export async function commitCaseImport(ctx: Ctx, importId: string): Promise<CaseImport> {
  const member = requireCaseMember(ctx);
  const organisationId = member.membership.organisationId;
  const db = ctx.kernel.database.db;
  // Claiming the import first makes a second commit of it (a double click, a retry) a conflict.
  const claimed = await inTransaction(db, async (tx) => {
    const row = await ownImport(ctx, tx, importId, true);
    requireRecentStepUp(ctx);
    const counts = row.counts as unknown as Counts;
    if (row.status !== 'checked' || counts.issues > 0) throw new AppError('conflict');
    const payload = await openPayload(ctx, tx, row);
    if (!payload.cases) throw new AppError('conflict');
    await tx
      .update(casesImports)
      .set({ status: 'committing', updatedAt: new Date() })
      .where(eq(casesImports.id, importId));
    return { row, payload, cases: payload.cases };
  });
  const { payload, cases } = claimed;
  const counts = claimed.row.counts as unknown as Counts;
  const state = { processed: 0, total: cases.length };
  progress.set(importId, state);
  try {
    const committed = await inTransaction(db, async (tx) => {
      await setTenant(tx, organisationId);
      const references = await nextReferences(tx, organisationId, cases.length);
      const refused = [
        ...recipientIssues(cases, await activeRecipients(tx, cases)),
        ...(await duplicateIssues(ctx, tx, organisationId, cases)),
      ];
      if (refused.length > 0) throw new RowsRefused(refused.sort(issueOrder));
      let tick = Date.now();
      const clock = () => new Date(tick++);
      const caseFileIds: string[] = [];
      for (const [index, file] of cases.entries()) {
        caseFileIds.push(await insertCase(ctx, tx, member, file, references[index]!, clock));
        state.processed = index + 1;
      }
      // The modules that follow cases take the imported ones up in the background (one event, not one per case).
      publishCasesImported(ctx.kernel, tx, caseFileIds, organisationId);
      await recordAudit(
        tx,
        {
          action: 'cases.cases_imported',
          organisationId,
          objectType: 'case_import',
          objectId: importId,
          details: { importId, format: claimed.row.format, created: cases.length },
        },
        ctx.audit,
      );
      const done: Payload = { ...payload, cases: null };
      const [row] = await tx
        .update(casesImports)
        .set({
          status: 'committed',
          processedRows: cases.length,
          counts: { ...counts, created: cases.length },
          payloadSealed: await sealPayload(ctx, tx, { id: importId, organisationId }, done),
          expiresAt: new Date(Date.now() + resultLifetimeMs),
          updatedAt: new Date(),
        })
        .where(eq(casesImports.id, importId))
        .returning();
      return { row: row!, payload: done };
    });
    return presentImport(ctx, committed.row, committed.payload);
  } catch (error) {
    const issues: ImportIssue[] =
      error instanceof RowsRefused
        ? error.issues
        : [{ record: 'cases', row: 0, column: null, code: 'cases.import_commit_failed' }];
    if (!(error instanceof RowsRefused))
      ctx.kernel.log.error({ err: error, importId }, 'case import commit failed');
    await inTransaction(db, async (tx) => {
      await setTenant(tx, organisationId);
      const failed: Payload = {
        ...payload,
        cases: null,
        issues: issues.slice(0, maxReportedIssues),
        truncated: issues.length > maxReportedIssues,
      };
      await tx
        .update(casesImports)
        .set({
          status: 'failed',
          counts: {
            ...counts,
            issues: issues.length,
            invalid: new Set(issues.map((issue) => issue.row)).size,
          },
          payloadSealed: await sealPayload(ctx, tx, { id: importId, organisationId }, failed),
          expiresAt: new Date(Date.now() + resultLifetimeMs),
          updatedAt: new Date(),
        })
        .where(eq(casesImports.id, importId));
    });
    throw new AppError('conflict', { cause: error });
  } finally {
    progress.delete(importId);
  }
}

/** An import as the API shows it, its report in the reader's language. */
function presentImport(ctx: Ctx, row: ImportRow, payload: Payload): CaseImport {
  const t = translator(ctx.language);
  const counts = row.counts as unknown as Counts;
  const status = row.status as ImportStatus;
  const live = progress.get(row.id);
  return {
    id: row.id,
    format: row.format as ImportFormat,
    status,
    columns: payload.columns,
    counts,
    report: payload.issues.map((issue) => ({
      record: issue.record,
      row: issue.row,
      item: issue.item ?? null,
      column: issue.column,
      code: issue.code,
      message: t(`validation.${issue.code}`, { ...issue.params, defaultValue: t('validation.invalid') }),
    })),
    reportTruncated: payload.truncated,
    progress: live ?? { processed: row.processedRows, total: row.totalRows },
    canCommit: status === 'checked' && counts.issues === 0 && payload.cases !== null,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}
