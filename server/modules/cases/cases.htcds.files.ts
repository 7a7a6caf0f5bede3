import {
  configure,
  Uint8ArrayReader,
  Uint8ArrayWriter,
  ZipReader,
  ZipWriter,
  type Entry,
} from '@zip.js/zip.js';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import readXlsxFile from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { AppError } from '../../kernel/http/errors.js';
import { inspectZip } from '../directory/index.js';
import {
  caseKeyColumn,
  cellTextOf,
  headersOf,
  htcdsAttribution,
  recordTypes,
  squash,
  type HtcdsTables,
  type RawCell,
  type RecordType,
  type SourceTable,
} from './cases.htcds.js';
import { htcdsExtensions } from './cases.vocabulary.js';

/**
 * Files of HTCDS exchange: writing CSV, XLSX and JSON, sealing them in a password-protected (AES-256) zip,
 * and reading uploaded CSV, XLSX, zip (of CSV files) and JSON into tables. SECURITY: everything on the read
 * side runs on untrusted bytes, before any of it is believed — the same checks as the directory's import
 * (UTF-8 only, binary and non-CSV text refused, strict quoting, row and column caps; a workbook or zip is
 * inspected by the directory's `inspectZip` — bombs, lying sizes, macros, DTDs, path tricks — before any
 * reader unpacks it). A refusal is a `validation_failed` problem on `body` with a `cases.import_*` code.
 */

// The zip library would start web workers where it can; the server compresses in its own thread.
configure({ useWebWorkers: false });

export const exportFormats = ['csv', 'json', 'xlsx'] as const;
export type ExportFormat = (typeof exportFormats)[number];
export const importFormats = ['csv', 'xlsx', 'zip', 'json'] as const;
export type ImportFormat = (typeof importFormats)[number];

export const csvMediaType = 'text/csv';
export const xlsxMediaType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const zipMediaType = 'application/zip';
export const jsonMediaType = 'application/json';
export const importMediaTypes = [csvMediaType, xlsxMediaType, zipMediaType, jsonMediaType];

/** The most cases (or records of one type) a file may hold. */
export const maxImportRows = 20_000;
/** The most columns a table may have (XLSX's limit is the directory's, checked by inspectZip). */
export const maxImportColumns = 100;
/** The longest CSV line, in characters (a case's narrative may hold 20,000). */
const maxCsvRecord = 200_000;
/** The longest cell: a spreadsheet's own limit (no case field is longer). */
export const maxCellLength = 32_767;
/** The most related records of one case in a JSON file. */
const maxRelatedPerCase = 1_000;

function refuse(code: string, params?: Record<string, string | number>): AppError {
  return new AppError('validation_failed', {
    fields: [{ path: 'body', code: `cases.${code}`, ...(params ? { params } : {}) }],
  });
}

/** The directory's refusals (`directory.import_*`) as the cases import's own (`cases.import_*`). */
function asCasesRefusal(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  const field = error.options.fields?.[0];
  if (!field?.code.startsWith('directory.import_')) return error;
  return refuse(field.code.slice('directory.'.length), field.params);
}

// ---------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------

/** A file inside an export archive. */
export interface ArchiveFile {
  name: string;
  data: Buffer;
}

/**
 * SECURITY: a CSV cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return
 * first) is prefixed with `'` so it stays text (CSV injection) — the directory export's rule; the import
 * takes the apostrophe off again. Plain numbers cannot call anything and are left as they are.
 */
export function safeCell(value: string): string {
  if (/^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value)) return `'${value}`;
  return value;
}

/** One CSV file per record type (UTF-8 with a byte order mark, so spreadsheets read any script). */
export function csvFiles(tables: HtcdsTables): ArchiveFile[] {
  return recordTypes.map((type) => {
    const headers = headersOf(type);
    const rows = tables[type].map((record) => headers.map((header) => safeCell(cellTextOf(record[header]))));
    const text = stringify(rows, { header: true, columns: headers, record_delimiter: 'windows' });
    return { name: `${type}.csv`, data: Buffer.from(`\ufeff${text}`, 'utf8') };
  });
}

/** What an export holds, for its README, JSON header and XLSX "about" sheet. */
export interface ExportFacts {
  exportedAt: string;
  cases: number;
  includesIdentifying: boolean;
}

function aboutLines(facts: ExportFacts): string[] {
  return [
    'Cairn — case files in the Human Trafficking Case Data Standard (HTCDS) v2.0',
    htcdsAttribution,
    `Exported: ${facts.exportedAt}. Case files: ${facts.cases}. Identifying sections included: ${
      facts.includesIdentifying ? 'yes' : 'no (those columns are empty)'
    }.`,
    'Layout: one table per record type (cases, perpetrators, trafficking_events, support_plan, case_comments, ' +
      'follow_ups, consents, identity_documents), linked by _case_key (the case reference). Lists are ' +
      'separated by "; ", checkboxes are TRUE/FALSE, dates YYYY-MM-DD.',
    `Cairn's picklist extensions: ${Object.entries(htcdsExtensions)
      .map(([field, values]) => `${field}: ${values.join(', ')}`)
      .join('; ')}.`,
    'Handle this file as the survivors’ data it is: keep it encrypted, share it only as agreed, delete it ' +
      'when it has served its purpose.',
  ];
}

/** The workbook: one sheet per record type, and an "about" sheet with the attribution. */
export async function xlsxFile(tables: HtcdsTables, facts: ExportFacts): Promise<ArchiveFile> {
  const sheets: { sheet: string; data: { value: string; fontWeight?: 'bold' }[][] }[] = recordTypes.map(
    (type) => {
      const headers = headersOf(type);
      // Every cell is text: a string cell is never a formula, whatever it starts with.
      const data = [
        headers.map((header) => ({ value: header, fontWeight: 'bold' as const })),
        ...tables[type].map((record) => headers.map((header) => ({ value: cellTextOf(record[header]) }))),
      ];
      return { sheet: type, data };
    },
  );
  sheets.push({ sheet: 'about', data: aboutLines(facts).map((line) => [{ value: line }]) });
  const data = await writeXlsxFile(sheets as never).toBuffer();
  return { name: 'cases.xlsx', data };
}

/** The JSON document: the attribution, then the cases with their related records nested by record type. */
export function jsonFile(tables: HtcdsTables, facts: ExportFacts): ArchiveFile {
  const related = recordTypes.filter((type) => type !== 'cases');
  const cases = tables.cases.map((record) => {
    const key = record[caseKeyColumn];
    const nested: Record<string, unknown> = { ...record };
    for (const type of related) {
      const items = tables[type]
        .filter((item) => item[caseKeyColumn] === key)
        .map(({ [caseKeyColumn]: _key, ...rest }) => rest);
      if (items.length > 0) nested[type] = items;
    }
    return nested;
  });
  const document = {
    standard: 'Human Trafficking Case Data Standard (HTCDS) v2.0',
    attribution: htcdsAttribution,
    exportedAt: facts.exportedAt,
    includesIdentifying: facts.includesIdentifying,
    extensions: htcdsExtensions,
    cases,
  };
  return { name: 'cases.json', data: Buffer.from(JSON.stringify(document, null, 2), 'utf8') };
}

/** The archive's README: the attribution and the layout, in plain text. */
export function readmeFile(facts: ExportFacts): ArchiveFile {
  return { name: 'README.txt', data: Buffer.from(`${aboutLines(facts).join('\n\n')}\n`, 'utf8') };
}

/**
 * The export archive: a WinZip-AES zip (AES-256, every entry encrypted, names included in the clear as
 * the format has them — they say nothing about a survivor). SECURITY: the password is used here and
 * nowhere else; it is never stored or logged.
 */
export async function encryptedZip(files: ArchiveFile[], password: string): Promise<Buffer> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), {
    password,
    encryptionStrength: 3,
    zipCrypto: false,
    useWebWorkers: false,
    level: 6,
  });
  for (const file of files) await writer.add(file.name, new Uint8ArrayReader(new Uint8Array(file.data)));
  return Buffer.from(await writer.close());
}

// ---------------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------------

/**
 * The format of an upload from its media type, or null (then 415). A `charset` other than UTF-8 (or its
 * subset ASCII) is refused: the file would be read as UTF-8 regardless, and misread.
 */
export function importFormatOf(contentType: string | undefined): ImportFormat | null {
  const [main, ...parameters] = (contentType ?? '').split(';');
  const type = main!.trim().toLowerCase();
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=').map((part) => part.trim().toLowerCase().replace(/^"|"$/g, ''));
    if (name === 'charset' && !['utf-8', 'utf8', 'us-ascii'].includes(value ?? '')) return null;
  }
  if (type === csvMediaType) return 'csv';
  if (type === xlsxMediaType) return 'xlsx';
  if (type === zipMediaType) return 'zip';
  if (type === jsonMediaType) return 'json';
  return null;
}

/** Decodes UTF-8 text, refusing binary data and other encodings. */
function utf8Text(body: Buffer): string {
  if (body.includes(0)) throw refuse('import_binary');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw refuse('import_not_utf8');
  }
}

/** The delimiter of a CSV, from its header line: spreadsheets in many locales write `;` instead of `,`. */
function delimiterOf(text: string): string {
  const end = text.indexOf('\n');
  const line = end < 0 ? text : text.slice(0, end);
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', ';', '\t']) {
    const count = line.replace(/"[^"]*"/g, '').split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/** Checks the size of a grid (the header row first) and returns it as a table of a record type. */
function tableOf(type: RecordType, grid: string[][], text: boolean, required: boolean): SourceTable {
  for (const cells of grid)
    for (const cell of cells)
      if (cell.length > maxCellLength) throw refuse('import_cell_too_long', { maximum: maxCellLength });
  while (grid.length > 0 && grid[grid.length - 1]!.every((cell) => cell === '')) grid.pop();
  if (grid.length === 0 || grid[0]!.every((cell) => cell === '')) {
    if (required) throw refuse('import_empty');
    return { type, headers: [], rows: [], text };
  }
  if (grid.length - 1 > maxImportRows) throw refuse('import_too_many_rows', { maximum: maxImportRows });
  if (grid[0]!.length > maxImportColumns)
    throw refuse('import_too_many_columns', { maximum: maxImportColumns });
  if (grid.length === 1 && required) throw refuse('import_no_rows');
  const rows = grid
    .slice(1)
    .map((cells, index) => ({ row: index + 2, cells: cells }))
    .filter(({ cells }) => cells.some((cell) => cell !== ''));
  return { type, headers: grid[0]!, rows, text };
}

/** Reads a CSV file (the same checks as the directory's CSV reader, with room for a case's narrative). */
function readCsv(body: Buffer, type: RecordType, required: boolean): SourceTable {
  // SECURITY: binary files (a workbook or zip renamed .csv, images, random bytes) are refused before parsing.
  if (body.length >= 4 && body.readUInt32BE(0) === 0x504b0304) throw refuse('import_not_csv');
  const text = utf8Text(body);
  // SECURITY: text formats that are not CSV (a web page or SVG with script, XML, PDF, RTF, PostScript).
  if (/^\s*(<|%PDF-|\{\\rtf|%!PS)/.test(text)) throw refuse('import_not_csv');
  let records: string[][];
  try {
    const parsed: unknown = parse(text, {
      delimiter: delimiterOf(text),
      relax_quotes: false,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: maxCsvRecord,
      to: maxImportRows + 2,
    });
    // Without `columns`, csv-parse yields arrays of strings.
    records = parsed as string[][];
  } catch (error) {
    const { code, lines } = error as { code?: string; lines?: number };
    if (code === 'CSV_MAX_RECORD_SIZE') throw refuse('import_line_too_long', { maximum: maxCsvRecord });
    throw refuse('import_bad_csv', { line: typeof lines === 'number' ? lines : 0 });
  }
  if (records.length > maxImportRows + 1) throw refuse('import_too_many_rows', { maximum: maxImportRows });
  return tableOf(
    type,
    records.map((record) => record.map((cell) => cell.trim())),
    true,
    required,
  );
}

/** The record type a sheet or file name stands for (`Trafficking events.csv`, `perpetrators`), or null. */
function recordTypeOf(name: string): RecordType | null {
  const base = squash(name.replace(/^.*\//, '').replace(/\.(csv|txt)$/i, ''));
  const aliases: Record<string, RecordType> = {
    case: 'cases',
    casefiles: 'cases',
    events: 'trafficking_events',
    historictraffickingevents: 'trafficking_events',
    supportplans: 'support_plan',
    comments: 'case_comments',
    followup: 'follow_ups',
    consent: 'consents',
    documents: 'identity_documents',
    perpetrator: 'perpetrators',
  };
  return recordTypes.find((type) => squash(type) === base) ?? aliases[base] ?? null;
}

/** Text of a spreadsheet cell: numbers as written, dates as ISO dates, checkboxes TRUE/FALSE. */
function sheetCellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return String(value);
  return '';
}

async function readXlsx(body: Buffer): Promise<SourceTable[]> {
  let names: string[];
  try {
    names = inspectZip(body);
  } catch (error) {
    throw asCasesRefusal(error);
  }
  if (!names.includes('[Content_Types].xml') || !names.includes('xl/workbook.xml'))
    throw refuse('import_not_xlsx');
  let sheets: { sheet: string; data: unknown[][] }[];
  try {
    sheets = await readXlsxFile(body);
  } catch {
    throw refuse('import_not_xlsx');
  }
  const readable = sheets.filter(
    (sheet) => !/^(about|readme|read me|choices|settings|survey)$/i.test(sheet.sheet),
  );
  const named = readable.map((sheet) => ({ sheet, type: recordTypeOf(sheet.sheet) }));
  // A workbook without a `cases` sheet (one made from the XLSForm) holds the cases on its first sheet.
  if (!named.some(({ type }) => type === 'cases') && named.length > 0) named[0]!.type = 'cases';
  const tables: SourceTable[] = [];
  for (const { sheet, type } of named) {
    if (!type || tables.some((table) => table.type === type)) continue;
    tables.push(
      tableOf(
        type,
        sheet.data.map((row) => row.map(sheetCellText)),
        false,
        type === 'cases',
      ),
    );
  }
  if (!tables.some((table) => table.type === 'cases')) throw refuse('import_empty');
  return tables;
}

async function readZip(body: Buffer): Promise<SourceTable[]> {
  if (body.length < 4 || body.readUInt32LE(0) !== 0x04034b50) throw refuse('import_not_zip');
  try {
    // SECURITY: the same inspection as a workbook's, before the zip reader touches the archive.
    inspectZip(body);
  } catch (error) {
    const refusal = asCasesRefusal(error);
    if (refusal instanceof AppError && refusal.options.fields?.[0]?.code === 'cases.import_not_xlsx')
      throw refuse('import_not_zip');
    throw refusal;
  }
  const reader = new ZipReader(new Uint8ArrayReader(new Uint8Array(body)), { useWebWorkers: false });
  let entries: Entry[];
  try {
    entries = await reader.getEntries();
  } catch {
    throw refuse('import_not_zip');
  }
  const tables: SourceTable[] = [];
  try {
    for (const entry of entries) {
      if (entry.directory || /(^|\/)(__MACOSX|\.)/.test(entry.filename)) continue;
      if (!/\.csv$/i.test(entry.filename)) continue;
      const type = recordTypeOf(entry.filename);
      if (!type) throw refuse('import_unknown_file');
      if (tables.some((table) => table.type === type)) throw refuse('import_unknown_file');
      const data = Buffer.from(await entry.getData(new Uint8ArrayWriter()));
      tables.push(
        data.length === 0
          ? { type, headers: [], rows: [], text: true }
          : readCsv(data, type, type === 'cases'),
      );
    }
  } finally {
    await reader.close();
  }
  if (!tables.some((table) => table.type === 'cases')) throw refuse('import_no_cases_file');
  return tables;
}

/** A JSON value as a cell: text, or a list of texts. Objects and nested lists are not cells. */
function jsonCell(value: unknown): RawCell | null {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean')
    return typeof value === 'boolean' ? (value ? 'TRUE' : 'FALSE') : String(value);
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value) {
      const cell = jsonCell(item);
      if (typeof cell !== 'string') return null;
      items.push(cell);
    }
    return items;
  }
  return null;
}

function readJson(body: Buffer): SourceTable[] {
  let text = utf8Text(body);
  if (text.startsWith('\ufeff')) text = text.slice(1);
  if (text.trim() === '') throw refuse('import_empty');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw refuse('import_not_json');
  }
  const list = Array.isArray(document)
    ? document
    : document && typeof document === 'object'
      ? (document as { cases?: unknown }).cases
      : undefined;
  if (!Array.isArray(list)) throw refuse('import_bad_json');
  if (list.length === 0) throw refuse('import_no_rows');
  if (list.length > maxImportRows) throw refuse('import_too_many_rows', { maximum: maxImportRows });
  const related = recordTypes.filter((type) => type !== 'cases');
  const build = (type: RecordType) => ({
    type,
    headers: [] as string[],
    rows: [] as SourceTable['rows'],
    text: false,
  });
  const tables = new Map<RecordType, ReturnType<typeof build>>(
    recordTypes.map((type) => [type, build(type)]),
  );
  const column = (table: ReturnType<typeof build>, name: string) => {
    let index = table.headers.indexOf(name);
    if (index < 0) {
      if (table.headers.length >= maxImportColumns)
        throw refuse('import_too_many_columns', { maximum: maxImportColumns });
      index = table.headers.push(name) - 1;
    }
    return index;
  };
  const fill = (
    table: ReturnType<typeof build>,
    object: Record<string, unknown>,
    skip: readonly string[],
  ) => {
    const cells: RawCell[] = [];
    for (const [name, value] of Object.entries(object)) {
      if (skip.includes(name)) continue;
      const cell = jsonCell(value);
      if (cell === null) throw refuse('import_bad_json');
      cells[column(table, name)] = cell;
    }
    return cells;
  };
  list.forEach((item, index) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw refuse('import_bad_json');
    const object = item as Record<string, unknown>;
    const given = object[caseKeyColumn];
    // A case without a key gets its position, so its related records stay with it.
    const key = typeof given === 'string' && given.trim() !== '' ? given.trim() : `#${index + 1}`;
    const cases = tables.get('cases')!;
    const cells = fill(cases, { ...object, [caseKeyColumn]: key }, related);
    cases.rows.push({ row: index + 1, cells });
    for (const type of related) {
      const items = object[type];
      if (items === undefined || items === null) continue;
      if (!Array.isArray(items) || items.length > maxRelatedPerCase) throw refuse('import_bad_json');
      items.forEach((entry: unknown, position) => {
        if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw refuse('import_bad_json');
        const table = tables.get(type)!;
        const rowCells = fill(table, { ...(entry as Record<string, unknown>), [caseKeyColumn]: key }, []);
        table.rows.push({ row: index + 1, item: position + 1, cells: rowCells });
      });
      if (tables.get(type)!.rows.length > maxImportRows * 5)
        throw refuse('import_too_many_rows', { maximum: maxImportRows });
    }
  });
  return [...tables.values()].map((table) => ({
    ...table,
    // Sparse rows (a key missing from one object) read as empty cells.
    rows: table.rows.map((row) => ({ ...row, cells: Array.from(row.cells, (cell) => cell ?? '') })),
  }));
}

/**
 * Reads an uploaded file into tables (the cases table first), or throws a localised refusal naming what is
 * wrong with the file. Nothing has been written when it throws.
 */
export async function readImportFile(body: Buffer, format: ImportFormat): Promise<SourceTable[]> {
  if (body.length === 0) throw refuse('import_empty');
  switch (format) {
    case 'csv':
      return [readCsv(body, 'cases', true)];
    case 'xlsx':
      if (body.length < 4 || body.readUInt32LE(0) !== 0x04034b50) throw refuse('import_not_xlsx');
      return readXlsx(body);
    case 'zip':
      return readZip(body);
    case 'json':
      return readJson(body);
  }
}
