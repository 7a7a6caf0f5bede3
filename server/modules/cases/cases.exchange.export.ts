import { randomUUID } from 'node:crypto';
import { and, desc, eq, gt } from 'drizzle-orm';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { namedPerson, personNames, requireRecentStepUp } from '../identity/index.js';
import { reachCase, requireCaseMember } from './cases.access.js';
import { openJson } from './cases.crypto.js';
import { maxExportCases, type ExportRequest, type ExportRequestInput } from './cases.exchange.schemas.js';
import { casesExportRequests } from './cases.exports.tables.js';
import {
  csvFiles,
  encryptedZip,
  jsonFile,
  readmeFile,
  xlsxFile,
  type ArchiveFile,
  type ExportFormat,
} from './cases.htcds.files.js';
import { toHtcdsTables, type ExchangeCase } from './cases.htcds.js';
import type { CaseFile } from './cases.schemas.js';
import { getCaseFile, listCases } from './cases.service.js';
import { casesFiles } from './cases.tables.js';
import type { CaseStatus } from './cases.vocabulary.js';
import './cases.exchange.audit.js';

/**
 * Exports of case files as HTCDS v2 (issue 5, "Standards in and out"). SECURITY, in one place:
 * - every export needs a recent step-up, and is audited with who, how many cases, the format and whether
 *   identifying sections were included (never the password, never case data);
 * - every case is read through getCaseFile — the same reach rules, presenters and read audit as opening it —
 *   so an export holds exactly what its caller may read; a break-glass opening does not allow exporting;
 * - one case: directly, by anyone who can read it; more (or "all"): a supervisor asks, a DIFFERENT
 *   supervisor approves, and the requester downloads once within 24 hours;
 * - the archive is a zip encrypted with AES-256 under a password given with the download request, used to
 *   encrypt and then forgotten: it is never stored, logged or returned.
 */

/** A pending bulk export waits this long for a second supervisor. */
const pendingLifetimeMs = 7 * 24 * 60 * 60 * 1000;
/** An approved bulk export may be downloaded (once) this long after its approval. */
const downloadWindowMs = 24 * 60 * 60 * 1000;

type RequestRow = typeof casesExportRequests.$inferSelect;

/** The archive a caller receives. */
export interface ExportArchive {
  fileName: string;
  body: Buffer;
}

/** The closure reason of a closed case (sealed; shown only in exports with identifying sections). */
async function closureReasonOf(ctx: Ctx, file: CaseFile, organisationId: string): Promise<string | null> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const [row] = await tx
      .select({ sealed: casesFiles.closureReasonSealed })
      .from(casesFiles)
      .where(and(eq(casesFiles.id, file.id), eq(casesFiles.organisationId, organisationId)));
    return openJson<string>(
      ctx.kernel,
      tx,
      { organisationId, table: 'cases_files', column: 'closure_reason_sealed', rowId: file.id },
      row?.sealed ?? null,
    );
  });
}

const fields = <T>(file: CaseFile, kind: CaseFile['entries'][number]['kind']) =>
  file.entries.filter((entry) => entry.kind === kind).map((entry) => entry.fields as T);

/** A case file as presented to its reader, in exchange form. */
function exchangeCaseOf(file: CaseFile, closureReason: string | null): ExchangeCase {
  const present = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
  return {
    key: file.reference,
    case: {
      status: file.status,
      draft: file.draft,
      openedOn: file.openedOn,
      ...(file.closedOn ? { closedOn: file.closedOn } : {}),
      ...(closureReason ? { closureReason } : {}),
      ...(file.assignees.find((assignee) => assignee.primary)
        ? { owner: file.assignees.find((assignee) => assignee.primary)!.name }
        : {}),
    },
    identity: present(file.identity),
    contact: present(file.contact),
    documents: present(file.documents),
    narrative: present(file.narrative),
    profile: file.profile,
    victim: file.victim,
    perpetrators: fields(file, 'perpetrator'),
    events: fields(file, 'event'),
    supportPlan: fields(file, 'supportPlan'),
    followUps: file.entries
      .filter((entry) => entry.kind === 'followUp')
      .map((entry) => {
        const { dueOn, note, done } = entry.fields as { dueOn: string; note?: string; done?: boolean };
        return { dueOn, ...(note ? { note } : {}), done: done === true };
      }),
    // A comment is its text: without the identifying sections there is nothing to export.
    comments: file.entries
      .filter((entry) => entry.kind === 'comment' && typeof entry.fields.body === 'string')
      .map((entry) => ({ body: entry.fields.body as string, createdAt: entry.createdAt })),
    consents: file.consents.map((consent) => ({
      purpose: consent.purpose,
      ...(consent.recipientOrganisation
        ? {
            recipientOrganisationId: consent.recipientOrganisation.id,
            recipientName: consent.recipientOrganisation.name,
          }
        : {}),
      sections: consent.sections,
      givenOn: consent.givenOn,
      ...(consent.expiresOn ? { expiresOn: consent.expiresOn } : {}),
      ...(consent.note ? { note: consent.note } : {}),
      ...(consent.revokedAt ? { revokedAt: consent.revokedAt } : {}),
    })),
  };
}

/** Reads one case for an export, or null when the caller may not export it (does not reach it, break-glass). */
async function readForExport(
  ctx: Ctx,
  caseId: string,
  includeIdentifying: boolean,
  organisationId: string,
): Promise<ExchangeCase | null> {
  let file: CaseFile;
  try {
    // SECURITY: the same reach, presenter and read audit as opening the case.
    file = await getCaseFile(ctx, caseId, includeIdentifying);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return null;
    throw error;
  }
  if (file.access.via === 'break_glass') return null;
  const reason =
    includeIdentifying && file.closedOn ? await closureReasonOf(ctx, file, organisationId) : null;
  return exchangeCaseOf(file, reason);
}

/** The encrypted archive of some cases in one format (README with the attribution first). */
async function archiveOf(
  cases: ExchangeCase[],
  format: ExportFormat,
  includeIdentifying: boolean,
  password: string,
): Promise<Buffer> {
  const tables = toHtcdsTables(cases);
  const facts = {
    exportedAt: new Date().toISOString(),
    cases: cases.length,
    includesIdentifying: includeIdentifying,
  };
  const files: ArchiveFile[] =
    format === 'csv'
      ? csvFiles(tables)
      : format === 'json'
        ? [jsonFile(tables, facts)]
        : [await xlsxFile(tables, facts)];
  return encryptedZip([readmeFile(facts), ...files], password);
}

const dateStamp = () => new Date().toISOString().slice(0, 10);

/** Exports one case directly (anyone who can read it), after a step-up; audited. */
export async function exportCaseFile(
  ctx: Ctx,
  caseId: string,
  input: { format: ExportFormat; includeIdentifying: boolean; password: string },
): Promise<ExportArchive> {
  const member = requireCaseMember(ctx);
  // SECURITY: every export needs a recent step-up, whether or not it includes identifying sections.
  requireRecentStepUp(ctx);
  const organisationId = member.membership.organisationId;
  const reached = await inTransaction(ctx.kernel.database.db, (tx) => reachCase(ctx, tx, caseId));
  // A break-glass opening is for reading in an emergency, not for taking the case away.
  if (reached.access.via === 'break_glass') throw new AppError('forbidden');
  const file = await readForExport(ctx, caseId, input.includeIdentifying, organisationId);
  if (!file) throw new AppError('not_found');
  const body = await archiveOf([file], input.format, input.includeIdentifying, input.password);
  await inTransaction(ctx.kernel.database.db, (tx) =>
    recordAudit(
      tx,
      {
        action: 'cases.cases_exported',
        organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: {
          requestId: null,
          cases: 1,
          skipped: 0,
          format: input.format,
          identifying: input.includeIdentifying,
        },
      },
      ctx.audit,
    ),
  );
  return { fileName: `cairn-htcds-${file.key}-${dateStamp()}.zip`, body };
}

// ---------------------------------------------------------------------------------------------------------
// Bulk exports: request, second supervisor's decision, one download
// ---------------------------------------------------------------------------------------------------------

/** The caller, who must be a case supervisor (the route gate checked; checked again here). */
function requireSupervisor(ctx: Ctx) {
  const member = requireCaseMember(ctx);
  if (member.membership.role !== 'case_supervisor') throw new AppError('forbidden');
  return member;
}

const invalidCase = (index: number, code: string) =>
  new AppError('validation_failed', { fields: [{ path: `body.caseIds.${index}`, code }] });

/** The ids of every case the caller can reach (the list rule of listCases), at most the export cap + 1. */
async function reachableCaseIds(ctx: Ctx, status: CaseStatus | undefined): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listCases(ctx, { scope: 'organisation', status, limit: 100, cursor });
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && ids.length <= maxExportCases);
  return ids;
}

async function presentRequests(ctx: Ctx, tx: Tx, rows: RequestRow[]): Promise<ExportRequest[]> {
  const member = requireCaseMember(ctx);
  const names = await personNames(
    tx,
    rows.flatMap((row) => [row.requestedBy, row.decidedBy]),
  );
  const now = new Date();
  return rows.map((row) => {
    const live = row.expiresAt > now;
    const status =
      (row.status === 'pending' || row.status === 'approved') && !live
        ? 'expired'
        : (row.status as ExportRequest['status']);
    const mine = row.requestedBy === member.personId;
    return {
      id: row.id,
      scope: row.scope as ExportRequest['scope'],
      caseCount: row.caseIds.length,
      format: row.format as ExportFormat,
      includeIdentifying: row.includeIdentifying,
      status,
      requestedBy: namedPerson(names, row.requestedBy),
      decidedBy: namedPerson(names, row.decidedBy),
      decidedAt: row.decidedAt?.toISOString() ?? null,
      expiresAt: row.expiresAt.toISOString(),
      downloadedAt: row.downloadedAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
      abilities: {
        decide: status === 'pending' && !mine,
        download: status === 'approved' && mine,
      },
    };
  });
}

/**
 * A supervisor asks to export several cases (named, or all they can reach). The set is fixed now, by id,
 * through the same reach rules as reading; a different supervisor must approve it before anything leaves.
 */
export async function requestExport(ctx: Ctx, input: ExportRequestInput): Promise<ExportRequest> {
  const member = requireSupervisor(ctx);
  const organisationId = member.membership.organisationId;
  let caseIds: string[];
  if (input.scope === 'selected') {
    caseIds = input.caseIds ?? [];
    await inTransaction(ctx.kernel.database.db, async (tx) => {
      for (const [index, caseId] of caseIds.entries()) {
        try {
          const reached = await reachCase(ctx, tx, caseId);
          if (reached.access.via === 'break_glass') throw invalidCase(index, 'cases.export_case_unknown');
        } catch (error) {
          if (error instanceof AppError && error.code === 'not_found')
            throw invalidCase(index, 'cases.export_case_unknown');
          throw error;
        }
      }
    });
  } else {
    caseIds = await reachableCaseIds(ctx, input.status);
    if (caseIds.length > maxExportCases)
      throw new AppError('validation_failed', {
        fields: [{ path: 'body.scope', code: 'cases.export_too_many', params: { maximum: maxExportCases } }],
      });
    if (caseIds.length === 0)
      throw new AppError('validation_failed', {
        fields: [{ path: 'body.scope', code: 'cases.export_nothing' }],
      });
  }
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const id = randomUUID();
    const [row] = await tx
      .insert(casesExportRequests)
      .values({
        id,
        organisationId,
        requestedBy: member.personId,
        scope: input.scope,
        caseIds,
        format: input.format,
        includeIdentifying: input.includeIdentifying,
        status: 'pending',
        expiresAt: new Date(Date.now() + pendingLifetimeMs),
      })
      .returning();
    await recordAudit(
      tx,
      {
        action: 'cases.export_requested',
        organisationId,
        objectType: 'case_export',
        objectId: id,
        details: {
          requestId: id,
          scope: input.scope,
          cases: caseIds.length,
          format: input.format,
          identifying: input.includeIdentifying,
        },
      },
      ctx.audit,
    );
    const [presented] = await presentRequests(ctx, tx, [row!]);
    return presented!;
  });
}

/** The organisation's bulk export requests, newest first (supervisors): to decide on, or to download. */
export async function listExportRequests(ctx: Ctx): Promise<{ items: ExportRequest[] }> {
  const member = requireSupervisor(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.membership.organisationId);
    const rows = await tx
      .select()
      .from(casesExportRequests)
      .where(eq(casesExportRequests.organisationId, member.membership.organisationId))
      .orderBy(desc(casesExportRequests.createdAt))
      .limit(100);
    return { items: await presentRequests(ctx, tx, rows) };
  });
}

async function loadRequest(tx: Tx, organisationId: string, requestId: string, forUpdate = false) {
  await setTenant(tx, organisationId);
  const query = tx
    .select()
    .from(casesExportRequests)
    .where(
      and(eq(casesExportRequests.id, requestId), eq(casesExportRequests.organisationId, organisationId)),
    );
  const [row] = forUpdate ? await query.for('update') : await query;
  if (!row) throw new AppError('not_found');
  return row;
}

/**
 * A second supervisor approves or rejects a pending bulk export. SECURITY (four eyes): the requester can
 * never decide on their own request; approving needs a recent step-up, like the export itself.
 */
export async function decideExport(
  ctx: Ctx,
  requestId: string,
  decision: 'approve' | 'reject',
): Promise<ExportRequest> {
  const member = requireSupervisor(ctx);
  const organisationId = member.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const row = await loadRequest(tx, organisationId, requestId, true);
    if (row.requestedBy === member.personId) throw new AppError('forbidden');
    if (decision === 'approve') requireRecentStepUp(ctx);
    if (row.status !== 'pending' || row.expiresAt <= new Date()) throw new AppError('conflict');
    const [updated] = await tx
      .update(casesExportRequests)
      .set({
        status: decision === 'approve' ? 'approved' : 'rejected',
        decidedBy: member.personId,
        decidedAt: new Date(),
        ...(decision === 'approve' ? { expiresAt: new Date(Date.now() + downloadWindowMs) } : {}),
        updatedAt: new Date(),
      })
      .where(eq(casesExportRequests.id, requestId))
      .returning();
    await recordAudit(
      tx,
      {
        action: 'cases.export_decided',
        organisationId,
        objectType: 'case_export',
        objectId: requestId,
        details: { requestId, decision, cases: row.caseIds.length },
      },
      ctx.audit,
    );
    const [presented] = await presentRequests(ctx, tx, [updated!]);
    return presented!;
  });
}

/**
 * The requester downloads an approved bulk export, once, within 24 hours of its approval, after a step-up,
 * giving the archive's password now (so it is never stored). Every case is read again with the requester's
 * rights of this moment: a case they can no longer reach is left out (and counted in the audit).
 */
export async function downloadExport(ctx: Ctx, requestId: string, password: string): Promise<ExportArchive> {
  const member = requireSupervisor(ctx);
  const organisationId = member.membership.organisationId;
  const db = ctx.kernel.database.db;
  const request = await inTransaction(db, (tx) => loadRequest(tx, organisationId, requestId));
  if (request.requestedBy !== member.personId) throw new AppError('forbidden');
  requireRecentStepUp(ctx);
  // Claimed first: a second download (a double click, a replay) finds it taken.
  const claimed = await inTransaction(db, async (tx) => {
    await setTenant(tx, organisationId);
    return tx
      .update(casesExportRequests)
      .set({ status: 'downloaded', downloadedAt: new Date(), updatedAt: new Date() })
      .where(
        and(
          eq(casesExportRequests.id, requestId),
          eq(casesExportRequests.organisationId, organisationId),
          eq(casesExportRequests.status, 'approved'),
          // Past its window an approval is spent.
          gt(casesExportRequests.expiresAt, new Date()),
        ),
      )
      .returning();
  });
  const row = claimed[0];
  if (!row) throw new AppError('conflict');
  try {
    const cases: ExchangeCase[] = [];
    let skipped = 0;
    for (const caseId of row.caseIds) {
      const file = await readForExport(ctx, caseId, row.includeIdentifying, organisationId);
      if (file) cases.push(file);
      else skipped++;
    }
    const body = await archiveOf(cases, row.format as ExportFormat, row.includeIdentifying, password);
    await inTransaction(db, (tx) =>
      recordAudit(
        tx,
        {
          action: 'cases.cases_exported',
          organisationId,
          objectType: 'case_export',
          objectId: requestId,
          details: {
            requestId,
            cases: cases.length,
            skipped,
            format: row.format,
            identifying: row.includeIdentifying,
          },
        },
        ctx.audit,
      ),
    );
    return { fileName: `cairn-htcds-export-${dateStamp()}.zip`, body };
  } catch (error) {
    // Nothing left the server: the approval stands for another try.
    await releaseClaim(ctx, organisationId, requestId);
    throw error;
  }
}

async function releaseClaim(ctx: Ctx, organisationId: string, requestId: string): Promise<void> {
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    await tx
      .update(casesExportRequests)
      .set({ status: 'approved', downloadedAt: null, updatedAt: new Date() })
      .where(and(eq(casesExportRequests.id, requestId), eq(casesExportRequests.status, 'downloaded')));
  });
}
