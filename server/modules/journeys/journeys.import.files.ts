import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { readSheet } from 'read-excel-file/node';
import { AppError } from '../../kernel/http/errors.js';
import { inspectZip, maxImportBytes } from '../directory/index.js';

/**
 * Reading a route spreadsheet as a stream of rows. SECURITY: untrusted bytes. A CSV is read piece by piece
 * (UTF-8 only, strict quoting, a cap on every record), never whole, so a file of a million rows or of junk
 * costs the same bounded memory. An XLSX must be unpacked whole, so it keeps the directory's limits (10 MB,
 * the rows below) and is inspected by the directory's `inspectZip` (bombs, macros, DTDs…) before any reader
 * runs. The upload runs the same checks before it answers (`checkCsv`, `checkWorkbook`); the dry run runs
 * them again on the stored file. Refusals of the whole file are `journeys.import_*` codes; nothing is written
 * by anything here.
 */

export const csvMediaType = 'text/csv';
export const xlsxMediaType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const importMediaTypes = [csvMediaType, xlsxMediaType];
export type ImportFormat = 'csv' | 'xlsx';

/**
 * The largest CSV upload. Every Cairn upload stays under 100 MB (the uploads security suite sends each upload
 * route 100 MB and expects 413): a million compact rows (CTDC codes, tracker rows of country names) fit;
 * larger sets come as several files, each all or nothing.
 */
export const maxCsvBytes = 96 * 1024 * 1024;
/** An XLSX is unpacked in memory: the directory's limit. */
export const maxXlsxBytes = maxImportBytes;
/** The most data rows a file may hold (below the 1,048,576 rows of the largest spreadsheet). */
export const maxImportRows = 1_000_000;
/** The most columns. */
export const maxImportColumns = 100;
/** The longest CSV record, in characters. */
const maxRecordLength = 20_000;

/** A refusal of the whole file, with its stable code. */
export class FileRefused extends Error {
  constructor(
    readonly code: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
  }
}

/** The refusal as the API's problem (before anything was stored, at upload time). */
export function asProblem(refusal: FileRefused): AppError {
  return new AppError('validation_failed', {
    fields: [{ path: 'body', code: `journeys.${refusal.code}`, params: refusal.params }],
  });
}

/**
 * The format of an upload from its media type, or null; a charset other than UTF-8 is refused (the file would
 * be misread).
 */
export function formatOf(contentType: string | undefined): ImportFormat | null {
  const [main, ...parameters] = (contentType ?? '').split(';');
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=').map((part) => part.trim().toLowerCase().replace(/^"|"$/g, ''));
    if (name === 'charset' && !['utf-8', 'utf8', 'us-ascii'].includes(value ?? '')) return null;
  }
  const type = main!.trim().toLowerCase();
  return type === csvMediaType ? 'csv' : type === xlsxMediaType ? 'xlsx' : null;
}

/**
 * SECURITY: the first piece of an upload tells a CSV from what is not one (a workbook or archive renamed, an
 * image, random bytes, a web page or PDF), so junk is refused before the rest of it is received.
 */
export function sniffStart(format: ImportFormat, start: Buffer): void {
  if (start.length === 0) throw new FileRefused('import_empty');
  if (format === 'xlsx') {
    if (start.length < 4 || start.readUInt32LE(0) !== 0x04034b50) throw new FileRefused('import_not_xlsx');
    return;
  }
  if (start.length >= 4 && start.readUInt32BE(0) === 0x504b0304) throw new FileRefused('import_not_csv');
  if (start.includes(0)) throw new FileRefused('import_binary');
  // The piece may end inside a character: check all but its last three bytes.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(start.subarray(0, Math.max(0, start.length - 3)));
  } catch {
    throw new FileRefused('import_not_utf8');
  }
  const text = start.toString('utf8', 0, Math.min(start.length, 1024)).replace(/^\uFEFF/, '');
  if (/^\s*(<|%PDF-|\{\\rtf|%!PS)/.test(text)) throw new FileRefused('import_not_csv');
}

/** The delimiter of a CSV from its header line: `,`, `;` (the older CTDC file, many locales) or a tab. */
function delimiterOf(line: string): string {
  let best = ',';
  let most = 0;
  for (const candidate of [',', ';', '\t']) {
    const count = line.replace(/"[^"]*"/g, '').split(candidate).length - 1;
    if (count > most) {
      best = candidate;
      most = count;
    }
  }
  return best;
}

/** UTF-8 text from the pieces, refusing bytes that are not UTF-8 or hold NUL. */
async function* textOf(pieces: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  for await (const piece of pieces) {
    if (piece.includes(0)) throw new FileRefused('import_binary');
    let text: string;
    try {
      text = decoder.decode(piece, { stream: true });
    } catch {
      throw new FileRefused('import_not_utf8');
    }
    if (first) text = text.replace(/^\uFEFF/, '');
    first = false;
    yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new FileRefused('import_not_utf8');
  }
}

/**
 * The rows of a CSV read from its pieces, as trimmed text cells, header first. A parse error is a refusal
 * naming the line.
 */
export async function* csvRows(pieces: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  const text = textOf(pieces);
  const head = await text.next();
  if (head.done || head.value.trim() === '') throw new FileRefused('import_empty');
  const firstLine = head.value.split('\n', 1)[0]!;
  const parser = parse({
    delimiter: delimiterOf(firstLine),
    relax_quotes: false,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: maxRecordLength,
  });
  async function* all(): AsyncGenerator<string> {
    yield head.value as string;
    yield* text;
  }
  const source = Readable.from(all());
  // A refusal raised while reading the pieces reaches the parser, and so the loop below.
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (record.length > maxImportColumns)
        throw new FileRefused('import_too_many_columns', { maximum: maxImportColumns });
      yield record.map((cell) => cell.trim());
    }
  } catch (error) {
    // Only the parser's own errors say the file is not a CSV; a refusal or a failure upstream stays itself.
    if (!(error instanceof CsvError)) throw error;
    const { code, lines } = error as { code?: string; lines?: number };
    if (code === 'CSV_MAX_RECORD_SIZE')
      throw new FileRefused('import_cell_too_long', { maximum: maxRecordLength });
    throw new FileRefused('import_bad_csv', { line: typeof lines === 'number' ? lines : 0 });
  } finally {
    source.destroy();
  }
}

/** Text of a workbook cell: numbers as written, dates as ISO dates. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/**
 * SECURITY: the directory's inspection of a workbook package (bombs, path tricks, active content, DTDs, absurd
 * references) in this import's words, and the parts every workbook has. Throws a FileRefused.
 */
function inspectWorkbook(body: Buffer): void {
  if (body.length === 0) throw new FileRefused('import_empty');
  let names: string[];
  try {
    names = inspectZip(body);
  } catch (error) {
    // The directory's refusals keep their meaning; they are said in this import's words.
    const code = error instanceof AppError ? error.options.fields?.[0]?.code : undefined;
    if (code?.startsWith('directory.import_'))
      throw new FileRefused(
        code.slice('directory.'.length),
        error instanceof AppError ? (error.options.fields?.[0]?.params ?? {}) : {},
      );
    throw new FileRefused('import_not_xlsx');
  }
  if (!names.includes('[Content_Types].xml') || !names.includes('xl/workbook.xml'))
    throw new FileRefused('import_not_xlsx');
}

/** The first sheet's rows as text cells, after the package's inspection. */
async function workbookRows(body: Buffer): Promise<string[][]> {
  inspectWorkbook(body);
  let rows: unknown[][];
  try {
    rows = await readSheet(body);
  } catch {
    throw new FileRefused('import_not_xlsx');
  }
  return rows.map((row) => row.map(cellText));
}

/** The rows of an XLSX workbook's first sheet, after the directory's inspection of the package. */
export async function* xlsxRows(pieces: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  const parts: Buffer[] = [];
  for await (const piece of pieces) parts.push(piece);
  for (const row of await workbookRows(Buffer.concat(parts))) yield row;
}

/** Whether a row holds nothing (spreadsheets leave such rows behind; they are not routes). */
const isBlank = (cells: string[]) => cells.every((cell) => cell === '');

/** The file-level caps on a sequence of rows, header first: a header, at least one row, not too many. */
async function checkRows(rows: AsyncIterable<string[]> | Iterable<string[]>): Promise<void> {
  let header = false;
  let count = 0;
  for await (const cells of rows) {
    if (!header) {
      if (isBlank(cells)) continue;
      header = true;
      if (cells.length > maxImportColumns)
        throw new FileRefused('import_too_many_columns', { maximum: maxImportColumns });
      continue;
    }
    if (isBlank(cells)) continue;
    if (++count > maxImportRows) throw new FileRefused('import_too_many_rows', { maximum: maxImportRows });
  }
  if (!header) throw new FileRefused('import_empty');
  if (count === 0) throw new FileRefused('import_no_rows');
}

/**
 * SECURITY: the upload's check of a CSV as it streams in, before the upload is answered: the first piece is
 * sniffed (a workbook, image, web page or PDF is not a CSV), every byte must be UTF-8 without NUL, the whole
 * file must parse with strict quoting, and the header, row and column caps must hold. Rows are counted,
 * never kept. Throws a FileRefused.
 */
export async function checkCsv(pieces: AsyncIterable<Buffer>): Promise<void> {
  async function* sniffed(): AsyncGenerator<Buffer> {
    let first = true;
    for await (const piece of pieces) {
      if (first && piece.length > 0) sniffStart('csv', piece);
      if (piece.length > 0) first = false;
      yield piece;
    }
  }
  await checkRows(csvRows(sniffed()));
}

/**
 * SECURITY: the upload's check of a whole XLSX (at most `maxXlsxBytes`) before the upload is answered: the
 * package inspection, then the first sheet read, with the header, row and column caps. Throws a FileRefused.
 */
export async function checkWorkbook(body: Buffer): Promise<void> {
  if (body.length > 0) sniffStart('xlsx', body);
  const rows = await workbookRows(body);
  if (rows.some((row) => row.length > maxImportColumns))
    throw new FileRefused('import_too_many_columns', { maximum: maxImportColumns });
  await checkRows(rows);
}
