import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { and, eq, lt, sql } from 'drizzle-orm';
import { v7 as timeOrderedId } from 'uuid';
import { recordAudit, type AuditContext } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Queryable, Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { translator } from '../../kernel/i18n/i18n.js';
import type { Kernel } from '../../kernel/kernel.js';
import { placeById } from '../directory/index.js';
import {
  asProblem,
  csvRows,
  FileRefused,
  formatOf,
  maxCsvBytes,
  maxImportRows,
  maxXlsxBytes,
  checkCsv,
  checkWorkbook,
  xlsxRows,
  type ImportFormat,
} from './journeys.import.files.js';
import {
  checkRow,
  fieldsOf,
  mappingIssues,
  proposeMapping,
  requiredFields,
  type ImportField,
  type ImportIssue,
  type ImportLayout,
} from './journeys.import.rows.js';
import type { JourneyImport, JourneyImportStatus } from './journeys.import.schemas.js';
import { contributorOf } from './journeys.policy.js';
import type { RouteInput } from './journeys.schemas.js';
import { journeysImportChunks, journeysImports } from './journeys.tables.js';
import './journeys.import.audit.js';

/**
 * Spreadsheet imports of routes (issue 7, "Ways in"). Three steps, each with bounded memory whatever the size:
 *
 * 1. Upload (`startImport`): the file is checked before the upload is answered (type by its bytes, size
 *    while it streams, an XLSX package inspected, a CSV parsed whole as UTF-8) and kept, sealed with the
 *    organisation's key, in pieces of 1 MiB (`journeys_import_chunks`); a refused file leaves nothing.
 * 2. Dry run (job `journeys.import_check`): the pieces are read back one at a time and parsed as a stream;
 *    every row is checked (journeys.import.rows.ts) and the report — counts, the first 1,000 problems with
 *    localisable reasons — is sealed on the import. Progress is stored as it goes.
 * 3. Commit (job `journeys.import_commit`), only for a clean dry run: the file is read and checked again and
 *    every route written in ONE transaction, in batches — all or nothing. Imported routes are contributions
 *    like the form's: `pending` until a moderator decides, so they reach the map (and its summary tables) only
 *    through moderation, as any route does.
 *
 * SECURITY: an import exists only for its importer (same person, same organisation; anyone else: 404); only
 * contributors may start or commit one. Job payloads carry ids only.
 */

declare module '../../kernel/jobs/jobs.js' {
  interface CairnJobs {
    /** The dry run of an uploaded route spreadsheet. */
    'journeys.import_check': { importId: string; organisationId: string };
    /** The all-or-nothing commit of a clean dry run. */
    'journeys.import_commit': { importId: string; organisationId: string };
  }
}

/** Size of the sealed pieces the file is kept in. */
const pieceBytes = 1024 * 1024;
/** An import waits this long for its dry run and commit; a finished one can be looked at for a day. */
const openLifetimeMs = 60 * 60 * 1000;
const resultLifetimeMs = 24 * 60 * 60 * 1000;
/** The report keeps at most this many problems; the counts cover them all. */
const maxReportedIssues = 1_000;
/** Routes written per statement in the commit. */
const batchRoutes = 2_000;
/** Batches the commit hands the database at once: one being written, the others queued behind it. */
const writesInFlight = 2;
/** The commit's reading lets the event loop run every this many routes (see runCommit). */
const yieldEvery = 250;
/** Stored progress is refreshed every this many rows. */
const progressEvery = 25_000;

interface Counts {
  rows: number;
  valid: number;
  invalid: number;
  issues: number;
  created: number;
}

interface Column {
  index: number;
  header: string;
  field: ImportField | null;
  sample: string;
}

/** What `report_sealed` holds. */
interface Report {
  fileName: string;
  columns: Column[];
  /** The mapping the dry run applied (the commit applies the same). */
  mapping: (ImportField | null)[];
  issues: ImportIssue[];
  truncated: boolean;
}

type ImportRow = typeof journeysImports.$inferSelect;

const emptyCounts: Counts = { rows: 0, valid: 0, invalid: 0, issues: 0, created: 0 };

/**
 * Progress of commits running in THIS process: a commit is one transaction, so nothing it writes is visible
 * elsewhere until it ends (on PostgreSQL it is also stored from outside the transaction as it goes).
 */
const progress = new Map<string, { processed: number; total: number }>();

const reportPlace = (row: { id: string; organisationId: string }) => ({
  organisationId: row.organisationId,
  table: 'journeys_imports',
  column: 'report_sealed',
  rowId: row.id,
});
const piecePlace = (piece: { id: string; organisationId: string }) => ({
  organisationId: piece.organisationId,
  table: 'journeys_import_chunks',
  column: 'sealed',
  rowId: piece.id,
});

/** Registers the sealed columns of imports with the keyring and the import jobs with the queue. */
export function setupJourneyImports(kernel: Kernel): void {
  kernel.keys.registerEncryptedTable({
    table: journeysImports,
    id: journeysImports.id,
    organisation: journeysImports.organisationId,
    encrypted: [journeysImports.reportSealed],
  });
  kernel.keys.registerEncryptedTable({
    table: journeysImportChunks,
    id: journeysImportChunks.id,
    organisation: journeysImportChunks.organisationId,
    encrypted: [journeysImportChunks.sealed],
  });
  kernel.jobs.register('journeys.import_check', (payload) => runCheck(kernel, payload));
  kernel.jobs.register('journeys.import_commit', (payload) => runCommit(kernel, payload));
}

function requireContributor(ctx: Ctx) {
  const contributor = contributorOf(ctx.actor);
  if (!contributor) throw new AppError('forbidden');
  return contributor;
}

async function sealReport(
  kernel: Kernel,
  tx: Tx,
  row: { id: string; organisationId: string },
  report: Report,
) {
  return kernel.keys.sealField(tx, reportPlace(row), JSON.stringify(report));
}

async function openReport(kernel: Kernel, db: Queryable, row: ImportRow): Promise<Report> {
  if (!row.reportSealed) return { fileName: '', columns: [], mapping: [], issues: [], truncated: false };
  return JSON.parse(await kernel.keys.openField(db, reportPlace(row), row.reportSealed)) as Report;
}

// --- upload -------------------------------------------------------------------------------------------------

/** The upload, as the route hands it over: the body is still a stream. */
export interface ImportUpload {
  body: AsyncIterable<Buffer | string>;
  contentType: string | undefined;
  /** The Content-Length header, when the client sent one. */
  contentLength?: string | undefined;
  fileName: string;
  layout: ImportLayout;
  mapping?: (ImportField | null)[];
}

/**
 * The body's pieces, counted against the limit. Past the limit it ends early and says so (`overLimit`), so a
 * body over the limit is 413 whatever it holds, as on every upload route. It walks the request's own iterator,
 * so whoever stops reading it early (a parser that refused the file) leaves the rest for `drain`.
 */
function meteredBody(body: AsyncIterable<Buffer | string>, limit: number) {
  const source = body[Symbol.asyncIterator]();
  const state = { bytes: 0, overLimit: false };
  const next = async (): Promise<Buffer | null> => {
    if (state.overLimit) return null;
    const part = await source.next();
    if (part.done) return null;
    const buffer = typeof part.value === 'string' ? Buffer.from(part.value) : part.value;
    state.bytes += buffer.length;
    if (state.bytes > limit) {
      state.overLimit = true;
      return null;
    }
    return buffer;
  };
  return {
    state,
    next,
    /** Reads the rest of the body without keeping it, up to the limit. */
    async drain(): Promise<void> {
      while ((await next()) !== null);
    },
  };
}

/** A refused upload's problem: 413 past the limit, otherwise the file's own refusal. */
function uploadRefusal(overLimit: boolean, error: unknown): unknown {
  if (overLimit) return new AppError('payload_too_large');
  return error instanceof FileRefused ? asProblem(error) : error;
}

/** The import's first state, as inserted (in `tx`) when its upload starts. */
async function insertImport(
  ctx: Ctx,
  tx: Tx,
  row: { id: string; organisationId: string; personId: string; format: ImportFormat },
  upload: ImportUpload,
  report: Report,
): Promise<void> {
  await setTenant(tx, row.organisationId);
  // Expired imports hold whole files (sealed): drop the organisation's while we are here.
  await tx
    .delete(journeysImports)
    .where(
      and(eq(journeysImports.organisationId, row.organisationId), lt(journeysImports.expiresAt, new Date())),
    );
  await tx.insert(journeysImports).values({
    ...row,
    layout: upload.layout,
    status: 'uploading',
    mapping: upload.mapping ?? null,
    counts: emptyCounts,
    reportSealed: await sealReport(ctx.kernel, tx, row, report),
    expiresAt: new Date(Date.now() + openLifetimeMs),
  });
}

/** Keeps one piece of the file, sealed with the organisation's key. */
async function storePiece(
  ctx: Ctx,
  tx: Tx,
  row: { id: string; organisationId: string },
  seq: number,
  piece: Buffer,
): Promise<void> {
  const pieceId = randomUUID();
  await tx.insert(journeysImportChunks).values({
    id: pieceId,
    importId: row.id,
    organisationId: row.organisationId,
    seq,
    sealed: await ctx.kernel.keys.sealField(
      tx,
      piecePlace({ id: pieceId, organisationId: row.organisationId }),
      piece.toString('base64'),
    ),
  });
}

/** Marks the upload complete and queues its dry run, in `tx`. */
async function finishUpload(
  ctx: Ctx,
  tx: Tx,
  row: { id: string; organisationId: string },
  bytes: number,
  pieces: number,
): Promise<ImportRow> {
  const [updated] = await tx
    .update(journeysImports)
    .set({ status: 'checking', bytes, chunks: pieces, updatedAt: new Date() })
    .where(eq(journeysImports.id, row.id))
    .returning();
  await ctx.kernel.jobs.enqueue(
    tx,
    'journeys.import_check',
    { importId: row.id, organisationId: row.organisationId },
    { maxAttempts: 3 },
  );
  return updated!;
}

/**
 * Receives a file and starts its dry run in the background. SECURITY: the file is checked BEFORE the upload
 * is answered, and a refused upload leaves nothing behind:
 * - a declared length over the limit is 413 before a byte is read; a streamed body is counted as it comes
 *   and is 413 as soon as it passes the limit, whatever it holds;
 * - the type is decided by the bytes, not the name: a CSV is sniffed, decoded as strict UTF-8 and parsed
 *   whole (quoting, record, column and row caps) as it streams in, kept sealed piece by piece meanwhile; an
 *   XLSX (10 MB at most) is received whole and its package inspected (zip bombs, entry names, macros and
 *   other active content, DTDs and entities, absurd references) and its first sheet read, before anything is
 *   stored.
 * After the first problem nothing more is kept or parsed; the rest of the body is only counted, so that the
 * answer (413, or the file's refusal) is the one any upload route gives.
 */
export async function startImport(ctx: Ctx, upload: ImportUpload): Promise<JourneyImport> {
  const contributor = requireContributor(ctx);
  const organisationId = contributor.membership.organisationId;
  const format = formatOf(upload.contentType);
  if (!format) throw new AppError('unsupported_media_type');
  const limit = format === 'csv' ? maxCsvBytes : maxXlsxBytes;
  const declared = Number(upload.contentLength);
  if (Number.isFinite(declared) && declared > limit) throw new AppError('payload_too_large');
  const db = ctx.kernel.database.db;
  const id = randomUUID();
  const row = { id, organisationId, personId: contributor.personId, format };
  const report: Report = {
    fileName: upload.fileName,
    columns: [],
    mapping: upload.mapping ?? [],
    issues: [],
    truncated: false,
  };
  const body = meteredBody(upload.body, limit);

  if (format === 'xlsx') {
    const parts: Buffer[] = [];
    for (let part = await body.next(); part !== null; part = await body.next()) parts.push(part);
    if (body.state.overLimit) throw new AppError('payload_too_large');
    const file = Buffer.concat(parts);
    try {
      await checkWorkbook(file);
    } catch (error) {
      throw uploadRefusal(false, error);
    }
    // Checked: the import, its pieces and its dry run are written together.
    const stored = await inTransaction(db, async (tx) => {
      await insertImport(ctx, tx, row, upload, report);
      let seq = 0;
      for (let at = 0; at < file.length; at += pieceBytes)
        await storePiece(ctx, tx, row, seq++, file.subarray(at, at + pieceBytes));
      return finishUpload(ctx, tx, row, file.length, seq);
    });
    return presentImport(ctx, stored, report);
  }

  // A CSV may be large: it is checked as it streams in, and kept sealed piece by piece meanwhile.
  await inTransaction(db, (tx) => insertImport(ctx, tx, row, upload, report));
  let pieces = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const store = (piece: Buffer) =>
    inTransaction(db, async (tx) => {
      await setTenant(tx, organisationId);
      await storePiece(ctx, tx, row, pieces++, piece);
    });
  async function* kept(): AsyncGenerator<Buffer> {
    for (let part = await body.next(); part !== null; part = await body.next()) {
      pending.push(part);
      pendingBytes += part.length;
      while (pendingBytes >= pieceBytes) {
        const all = Buffer.concat(pending);
        await store(all.subarray(0, pieceBytes));
        pending = [all.subarray(pieceBytes)];
        pendingBytes = all.length - pieceBytes;
      }
      yield part;
    }
  }
  try {
    try {
      await checkCsv(kept());
    } catch (error) {
      // The parser stopped; the rest of the body decides between 413 and this refusal.
      await body.drain();
      throw error;
    }
    if (body.state.overLimit) throw new AppError('payload_too_large');
    if (pendingBytes > 0) await store(Buffer.concat(pending));
  } catch (error) {
    // Nothing of a refused upload is kept (its pieces go with it).
    await inTransaction(db, async (tx) => {
      await setTenant(tx, organisationId);
      await tx.delete(journeysImports).where(eq(journeysImports.id, id));
    });
    throw uploadRefusal(body.state.overLimit, error);
  }
  const stored = await inTransaction(db, async (tx) => {
    await setTenant(tx, organisationId);
    return finishUpload(ctx, tx, row, body.state.bytes, pieces);
  });
  return presentImport(ctx, stored, report);
}

// --- reading the stored file --------------------------------------------------------------------------------

/** The stored pieces, in order, one at a time (each read in `tx`, or in a short transaction of its own). */
async function* piecesOf(kernel: Kernel, row: ImportRow, tx?: Tx): AsyncGenerator<Buffer> {
  for (let seq = 0; seq < row.chunks; seq++) {
    const read = async (q: Tx) => {
      const [piece] = await q
        .select()
        .from(journeysImportChunks)
        .where(and(eq(journeysImportChunks.importId, row.id), eq(journeysImportChunks.seq, seq)));
      if (!piece) throw new Error('import piece missing');
      return Buffer.from(await kernel.keys.openField(q, piecePlace(piece), piece.sealed), 'base64');
    };
    yield tx
      ? await read(tx)
      : await inTransaction(kernel.database.db, async (q) => {
          await setTenant(q, row.organisationId);
          return read(q);
        });
  }
}

/** The file's rows, header first, from its stored pieces. */
function rowsOf(kernel: Kernel, row: ImportRow, tx?: Tx): AsyncGenerator<string[]> {
  const pieces = piecesOf(kernel, row, tx);
  return (row.format as ImportFormat) === 'csv' ? csvRows(pieces) : xlsxRows(pieces);
}

/**
 * Walks the file's data rows through the check, calling `each` with every row's outcome. File-level problems
 * (unreadable file, too many rows, missing columns) come back as issues on row 0 or 1.
 */
async function walk(
  kernel: Kernel,
  row: ImportRow,
  mappingAsked: (ImportField | null)[] | null,
  each: (line: number, outcome: ReturnType<typeof checkRow>, cells: string[]) => Promise<void> | void,
  tx?: Tx,
): Promise<{ headers: string[]; mapping: (ImportField | null)[]; fileIssues: ImportIssue[]; rows: number }> {
  const layout = row.layout as ImportLayout;
  let headers: string[] = [];
  let mapping: (ImportField | null)[] = [];
  const fileIssues: ImportIssue[] = [];
  let line = 0;
  let rows = 0;
  try {
    for await (const cells of rowsOf(kernel, row, tx)) {
      line += 1;
      if (line === 1) {
        headers = cells;
        mapping = mappingAsked
          ? headers.map((_, i) => mappingAsked[i] ?? null)
          : proposeMapping(layout, headers);
        fileIssues.push(...mappingIssues(layout, mapping));
        if (fileIssues.length > 0) break;
        continue;
      }
      if (cells.every((cell) => cell === '')) continue;
      rows += 1;
      if (rows > maxImportRows) {
        fileIssues.push({
          row: 0,
          column: null,
          code: 'journeys.import_too_many_rows',
          params: { maximum: maxImportRows },
        });
        break;
      }
      await each(line, checkRow(layout, line, cells, mapping), cells);
    }
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error;
    fileIssues.push({ row: 0, column: null, code: `journeys.${error.code}`, params: error.params });
  }
  if (line === 0) fileIssues.push({ row: 0, column: null, code: 'journeys.import_empty' });
  else if (rows === 0 && fileIssues.length === 0)
    fileIssues.push({ row: 0, column: null, code: 'journeys.import_no_rows' });
  return { headers, mapping, fileIssues, rows };
}

async function loadImport(
  kernel: Kernel,
  importId: string,
  organisationId: string,
): Promise<ImportRow | null> {
  return inTransaction(kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const [row] = await tx.select().from(journeysImports).where(eq(journeysImports.id, importId));
    return row ?? null;
  });
}

async function updateImport(
  kernel: Kernel,
  row: { id: string; organisationId: string },
  change: (tx: Tx) => Promise<Partial<typeof journeysImports.$inferInsert>>,
  audit?: (tx: Tx) => Promise<void>,
): Promise<void> {
  await inTransaction(kernel.database.db, async (tx) => {
    await setTenant(tx, row.organisationId);
    await tx
      .update(journeysImports)
      .set({ ...(await change(tx)), updatedAt: new Date() })
      .where(eq(journeysImports.id, row.id));
    if (audit) await audit(tx);
  });
}

const quoteSample = (cell: string) => (cell.length > 60 ? `${cell.slice(0, 59)}…` : cell);

// --- dry run ------------------------------------------------------------------------------------------------

/** The dry run (a job): checks every row, stores the sealed report. Changes nothing else. */
export async function runCheck(
  kernel: Kernel,
  payload: { importId: string; organisationId: string },
): Promise<void> {
  const row = await loadImport(kernel, payload.importId, payload.organisationId);
  if (!row || row.status !== 'checking') return;
  const stored = await openReport(kernel, kernel.database.db, row);
  const counts: Counts = { ...emptyCounts };
  const issues: ImportIssue[] = [];
  const samples = new Map<number, string>();
  let sampled = 0;
  const result = await walk(
    kernel,
    row,
    (row.mapping as (ImportField | null)[] | null) ?? null,
    async (_line, outcome, cells) => {
      counts.rows += 1;
      if (outcome.route) counts.valid += 1;
      else counts.invalid += 1;
      counts.issues += outcome.issues.length;
      for (const issue of outcome.issues) if (issues.length < maxReportedIssues) issues.push(issue);
      if (sampled < 50) {
        sampled += 1;
        cells.forEach((cell, index) => {
          if (cell !== '' && !samples.has(index)) samples.set(index, quoteSample(cell));
        });
      }
      if (counts.rows % progressEvery === 0) {
        const processed = counts.rows;
        await updateImport(kernel, row, async () => ({ processedRows: processed }));
      }
    },
  );
  counts.issues += result.fileIssues.length;
  if (result.fileIssues.length > 0) counts.valid = 0;
  const allIssues = [...result.fileIssues, ...issues];
  const report: Report = {
    fileName: stored.fileName,
    columns: result.headers.map((header, index) => ({
      index,
      header: quoteSample(header),
      field: result.mapping[index] ?? null,
      sample: samples.get(index) ?? '',
    })),
    mapping: result.mapping,
    issues: allIssues.slice(0, maxReportedIssues),
    truncated: counts.issues > maxReportedIssues,
  };
  await updateImport(
    kernel,
    row,
    async (tx) => ({
      status: 'checked',
      totalRows: counts.rows,
      processedRows: counts.rows,
      counts,
      reportSealed: await sealReport(kernel, tx, row, report),
      expiresAt: new Date(Date.now() + openLifetimeMs),
    }),
    (tx) =>
      recordAudit(
        tx,
        {
          action: 'journeys.import_checked',
          organisationId: row.organisationId,
          objectType: 'journey_import',
          objectId: row.id,
          details: {
            importId: row.id,
            layout: row.layout,
            format: row.format,
            rows: counts.rows,
            issues: counts.issues,
          },
        },
        { actorPersonId: row.personId },
      ),
  );
}

// --- commit -------------------------------------------------------------------------------------------------

/** Thrown inside the commit's transaction to roll it back with the rows that no longer pass. */
class RowsRefused extends Error {
  constructor(readonly issues: ImportIssue[]) {
    super('rows refused');
  }
}

/** The caller's own import (same person, same organisation), or 404. */
async function ownImport(ctx: Ctx, tx: Tx, importId: string, forUpdate = false): Promise<ImportRow> {
  const contributor = requireContributor(ctx);
  await setTenant(tx, contributor.membership.organisationId);
  const query = tx
    .select()
    .from(journeysImports)
    .where(
      and(
        eq(journeysImports.id, importId),
        eq(journeysImports.organisationId, contributor.membership.organisationId),
        eq(journeysImports.personId, contributor.personId),
      ),
    );
  const [row] = forUpdate ? await query.for('update') : await query;
  if (!row || row.expiresAt < new Date()) throw new AppError('not_found');
  return row;
}

/** One of the caller's imports: its report, and its progress while it is checked or committed. */
export async function getImport(ctx: Ctx, importId: string): Promise<JourneyImport> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const row = await ownImport(ctx, tx, importId);
    return presentImport(ctx, row, await openReport(ctx.kernel, tx, row));
  });
}

/** Asks for the commit of a clean dry run (409 otherwise); it runs in the background. */
export async function commitImport(ctx: Ctx, importId: string): Promise<JourneyImport> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const row = await ownImport(ctx, tx, importId, true);
    const counts = row.counts as Counts;
    // Claiming it makes a second commit (a double click, a retry) a conflict.
    if (row.status !== 'checked' || counts.issues > 0 || counts.valid === 0) throw new AppError('conflict');
    const [updated] = await tx
      .update(journeysImports)
      .set({ status: 'committing', processedRows: 0, updatedAt: new Date() })
      .where(eq(journeysImports.id, importId))
      .returning();
    await ctx.kernel.jobs.enqueue(
      tx,
      'journeys.import_commit',
      { importId, organisationId: row.organisationId },
      { maxAttempts: 3 },
    );
    await recordAudit(
      tx,
      {
        action: 'journeys.import_commit_requested',
        organisationId: row.organisationId,
        objectType: 'journey_import',
        objectId: importId,
        details: { importId, rows: counts.rows },
      },
      ctx.audit,
    );
    return presentImport(ctx, updated!, await openReport(ctx.kernel, tx, row));
  });
}

/** The legs of a route in the form's order: origin, intended destination, transit points, exploitation. */
function legsOf(route: RouteInput) {
  const stops = [
    { role: 'origin', place: route.origin, borderCrossing: false },
    ...(route.destination ? [{ role: 'destination', place: route.destination, borderCrossing: false }] : []),
    ...route.transits.map((place) => ({ role: 'transit', place, borderCrossing: place.borderCrossing })),
    ...route.exploitation.map((place) => ({
      role: 'exploitation',
      place,
      borderCrossing: place.borderCrossing,
    })),
  ];
  return stops.map(({ role, place, borderCrossing }, position) => {
    const city = place.placeId !== undefined ? placeById(place.placeId) : null;
    return {
      position,
      role,
      place_id: city ? city.id : null,
      place_name: city ? city.name : null,
      country: place.country,
      region: city ? city.region : (place.region ?? null),
      border_crossing: borderCrossing,
    };
  });
}

/**
 * Writes a batch of routes and their legs in one statement, whatever the batch's size. Their ids are time-ordered
 * (UUIDv7), so a million routes are appended at the right edge of the routes' and the legs' keys instead of being
 * scattered over pages that no longer fit in the database's cache. The routes go as JSON (each
 * has a list of exploitation types); the legs, three or four to a route, as one array per column (`unnest`).
 */
async function insertBatch(
  tx: Tx,
  owner: { organisationId: string; personId: string },
  routes: RouteInput[],
): Promise<number> {
  const routeRows = [];
  const legs = {
    routeId: [] as string[],
    position: [] as number[],
    role: [] as string[],
    placeId: [] as (number | null)[],
    placeName: [] as (string | null)[],
    country: [] as string[],
    region: [] as (string | null)[],
    borderCrossing: [] as boolean[],
  };
  for (const route of routes) {
    const id = timeOrderedId();
    routeRows.push({
      id,
      year: route.year,
      quarter: route.quarter ?? null,
      exploitation_types: route.exploitationTypes,
      industry: route.industry ?? null,
      recruitment_method: route.recruitmentMethod ?? null,
      people: route.people,
      gender_band: route.genderBand,
      age_band: route.ageBand,
      nationality_band: route.nationalityBand,
    });
    for (const leg of legsOf(route)) {
      legs.routeId.push(id);
      legs.position.push(leg.position);
      legs.role.push(leg.role);
      legs.placeId.push(leg.place_id);
      legs.placeName.push(leg.place_name);
      legs.country.push(leg.country);
      legs.region.push(leg.region);
      legs.borderCrossing.push(leg.border_crossing);
    }
  }
  // One statement (the check that the legs' routes exist, run at its end, sees the routes its first part wrote): the
  // database works on the whole batch while the next one is read, with no reply to wait for halfway.
  await tx.execute(sql`with routes as (
      insert into journeys_routes (id, organisation_id, contributed_by, status, source, year, quarter,
        exploitation_types, industry, recruitment_method, people, gender_band, age_band, nationality_band)
      select r.id, ${owner.organisationId}::uuid, ${owner.personId}::uuid, 'pending', 'import', r.year, r.quarter,
        r.exploitation_types, r.industry, r.recruitment_method, r.people, r.gender_band, r.age_band,
        r.nationality_band
      from jsonb_to_recordset(${JSON.stringify(routeRows)}::jsonb) as r(id uuid, year smallint, quarter smallint,
        exploitation_types text[], industry text, recruitment_method text, people integer, gender_band text,
        age_band text, nationality_band text))
    insert into journeys_legs (route_id, organisation_id, position, role, place_id, place_name, country,
      region, border_crossing)
    select l.route_id, ${owner.organisationId}::uuid, l.position, l.role, l.place_id, l.place_name,
      l.country, l.region, l.border_crossing
    from unnest(${sql.param(legs.routeId)}::uuid[],
      ${sql.param(legs.position)}::smallint[], ${sql.param(legs.role)}::text[],
      ${sql.param(legs.placeId)}::integer[], ${sql.param(legs.placeName)}::text[],
      ${sql.param(legs.country)}::text[], ${sql.param(legs.region)}::text[],
      ${sql.param(legs.borderCrossing)}::boolean[])
      as l(route_id, position, role, place_id, place_name, country, region, border_crossing)`);
  return legs.routeId.length;
}

/**
 * The commit (a job): reads and checks the file again and writes every route in ONE transaction — or none,
 * marking the import failed with the reason. A retry after a crash finds it still `committing` and starts over
 * (the crashed transaction wrote nothing).
 */
export async function runCommit(
  kernel: Kernel,
  payload: { importId: string; organisationId: string },
): Promise<void> {
  const row = await loadImport(kernel, payload.importId, payload.organisationId);
  if (!row || row.status !== 'committing') return;
  const report = await openReport(kernel, kernel.database.db, row);
  const owner = { organisationId: row.organisationId, personId: row.personId };
  const audit: AuditContext = { actorPersonId: row.personId };
  const state = { processed: 0, total: row.totalRows };
  // A second run of the same commit (see below) must not hide the first one's progress.
  if (!progress.has(row.id)) progress.set(row.id, state);
  // On PostgreSQL, progress is also stored from outside the transaction, for pollers in other processes, and the
  // file's pieces are read outside it too, so reading never waits behind a write. PGlite has one connection,
  // held by the transaction: there the map above is all, and the pieces are read in the transaction.
  const otherConnections = kernel.database.kind === 'postgresql';
  try {
    await inTransaction(kernel.database.db, async (tx) => {
      await setTenant(tx, row.organisationId);
      // One run of an import's commit at a time. A second run — the job taken over by another worker, or run
      // again after a crash — waits here for the first to end, then finds the import no longer committing.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`journeys.import_commit:${row.id}`}))`);
      const [current] = await tx
        .select({ status: journeysImports.status })
        .from(journeysImports)
        .where(eq(journeysImports.id, row.id));
      if (current?.status !== 'committing') return;
      let batch: RouteInput[] = [];
      let routes = 0;
      let legs = 0;
      const refused: ImportIssue[] = [];
      // The next batches are read and checked while the database writes the previous ones. Up to
      // `writesInFlight` batches are sent ahead, so the database has the next one queued when it finishes one.
      // A failed write is kept (not left unhandled) and thrown at a later flush or at the end.
      const writes: Promise<void>[] = [];
      const flush = async () => {
        while (writes.length >= writesInFlight) await writes.shift();
        if (batch.length === 0) return;
        const written = batch;
        batch = [];
        const write = insertBatch(tx, owner, written).then((count) => {
          legs += count;
          routes += written.length;
        });
        write.catch(() => undefined);
        writes.push(write);
      };
      let result: Awaited<ReturnType<typeof walk>>;
      try {
        result = await walk(
          kernel,
          row,
          report.mapping,
          async (_line, outcome) => {
            if (!outcome.route) {
              if (refused.length < maxReportedIssues) refused.push(...outcome.issues);
              return;
            }
            if (refused.length > 0) return;
            batch.push(outcome.route);
            // Rows already parsed are walked in microtasks, which starve the socket: let it send the batch
            // being written and take its reply now and then.
            if (batch.length % yieldEvery === 0) await setImmediate();
            if (batch.length >= batchRoutes) {
              await flush();
              state.processed = routes;
              if (otherConnections && routes % progressEvery < batchRoutes) {
                const processed = routes;
                await updateImport(kernel, row, async () => ({ processedRows: processed }));
              }
            }
          },
          otherConnections ? undefined : tx,
        );
      } finally {
        // No write outlives the reading, whatever ended it (its failure is thrown by the flush below).
        await Promise.allSettled(writes);
      }
      if (result.fileIssues.length > 0 || refused.length > 0)
        throw new RowsRefused([...result.fileIssues, ...refused]);
      await flush();
      for (const write of writes) await write;
      state.processed = routes;
      await tx.delete(journeysImportChunks).where(eq(journeysImportChunks.importId, row.id));
      const counts: Counts = { ...(row.counts as Counts), created: routes };
      await tx
        .update(journeysImports)
        .set({
          status: 'committed',
          processedRows: routes,
          counts,
          chunks: 0,
          expiresAt: new Date(Date.now() + resultLifetimeMs),
          updatedAt: new Date(),
        })
        .where(eq(journeysImports.id, row.id));
      // One event for the whole import: routes hold codes and counts only (no survivor data), and a million
      // events would hold the audit chain for minutes. Its id ties every imported route's `source = import`.
      await recordAudit(
        tx,
        {
          action: 'journeys.routes_imported',
          organisationId: row.organisationId,
          objectType: 'journey_import',
          objectId: row.id,
          details: { importId: row.id, layout: row.layout, routes, legs },
        },
        audit,
      );
    });
  } catch (error) {
    const issues: ImportIssue[] =
      error instanceof RowsRefused
        ? error.issues
        : [{ row: 0, column: null, code: 'journeys.import_commit_failed' }];
    if (!(error instanceof RowsRefused))
      kernel.log.error({ err: error, importId: row.id }, 'journey import commit failed');
    await updateImport(kernel, row, async (tx) => ({
      status: 'failed',
      counts: { ...(row.counts as Counts), issues: issues.length, created: 0 },
      reportSealed: await sealReport(kernel, tx, row, {
        ...report,
        issues: issues.slice(0, maxReportedIssues),
        truncated: issues.length > maxReportedIssues,
      }),
      expiresAt: new Date(Date.now() + resultLifetimeMs),
    }));
  } finally {
    if (progress.get(row.id) === state) progress.delete(row.id);
  }
}

// --- presenting ---------------------------------------------------------------------------------------------

/** An import as its importer sees it, the report in the reader's language. */
function presentImport(ctx: Ctx, row: ImportRow, report: Report): JourneyImport {
  const t = translator(ctx.language);
  const counts = row.counts as Counts;
  const status = row.status as JourneyImportStatus;
  return {
    id: row.id,
    layout: row.layout as ImportLayout,
    format: row.format as ImportFormat,
    status,
    fileName: report.fileName,
    columns: report.columns,
    fields: [...fieldsOf(row.layout as ImportLayout)],
    requiredFields: [...requiredFields[row.layout as ImportLayout]],
    counts,
    report: report.issues.map((issue) => ({
      row: issue.row,
      column: issue.column,
      code: issue.code,
      message: t(`validation.${issue.code}`, { ...issue.params, defaultValue: t('validation.invalid') }),
    })),
    reportTruncated: report.truncated,
    progress: progress.get(row.id) ?? { processed: row.processedRows, total: row.totalRows },
    canCommit: status === 'checked' && counts.issues === 0 && counts.valid > 0,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}
