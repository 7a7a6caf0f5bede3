import { inflateRawSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { readSheet } from 'read-excel-file/node';
import { AppError } from '../../kernel/http/errors.js';

/**
 * Reading uploaded spreadsheets into a grid of text cells. SECURITY: everything here runs on untrusted bytes
 * from the network, before any of it is believed: size, row and cell caps, strict CSV quoting, UTF-8 only,
 * and zip-bomb checks before an XLSX reaches the spreadsheet reader. Any refusal is a `validation_failed`
 * problem on `body` with a `directory.import_*` code, and nothing has been written when it is thrown.
 */

/** The largest upload accepted (the route's body limit; larger bodies get 413). */
export const maxImportBytes = 10 * 1024 * 1024;
/** The most organisations one file may hold (the header row not counted). */
export const maxImportRows = 20_000;
/** The most columns a file may have. */
export const maxImportColumns = 100;
/** The longest cell, in characters (the longest profile text is 5,000). */
export const maxCellLength = 10_000;
/** An XLSX may unpack to at most this many bytes... */
export const maxUnzippedBytes = 50 * 1024 * 1024;
/** ...and to at most this many times its own size (real spreadsheets stay far below; bombs go far above). */
export const maxZipRatio = 100;
const maxZipEntries = 2_000;

export const csvMediaType = 'text/csv';
export const xlsxMediaType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export type ImportFormat = 'csv' | 'xlsx';

/** The cells of a file, first row first (the first row holds the headers). */
export type Grid = string[][];

function refuse(code: string, params?: Record<string, string | number>): AppError {
  return new AppError('validation_failed', {
    fields: [{ path: 'body', code: `directory.${code}`, ...(params ? { params } : {}) }],
  });
}

/** The format of an upload from its media type (parameters such as `charset` ignored), or null. */
export function formatOf(contentType: string | undefined): ImportFormat | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === csvMediaType) return 'csv';
  if (type === xlsxMediaType) return 'xlsx';
  return null;
}

/** Reads an uploaded file into a grid, or throws a localised refusal that names what is wrong with it. */
export async function readGrid(body: Buffer, format: ImportFormat): Promise<Grid> {
  if (body.length === 0) throw refuse('import_empty');
  const grid = format === 'csv' ? readCsv(body) : await readXlsx(body);
  // Trailing empty rows are common in spreadsheets; they are not organisations.
  while (grid.length > 0 && grid[grid.length - 1]!.every((cell) => cell === '')) grid.pop();
  if (grid.length === 0 || grid[0]!.every((cell) => cell === '')) throw refuse('import_empty');
  if (grid.length - 1 > maxImportRows) throw refuse('import_too_many_rows', { maximum: maxImportRows });
  if (grid[0]!.length > maxImportColumns)
    throw refuse('import_too_many_columns', { maximum: maxImportColumns });
  if (grid.length === 1) throw refuse('import_no_rows');
  return grid;
}

/** The delimiter of a CSV, from its header line: spreadsheets in many locales write `;` instead of `,`. */
function delimiterOf(text: string): string {
  const end = text.indexOf('\n');
  const line = end < 0 ? text : text.slice(0, end);
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', ';', '\t']) {
    // Quoted headers may contain the other candidates; counting outside quotes is enough for a first line.
    const count = line.replace(/"[^"]*"/g, '').split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

function readCsv(body: Buffer): Grid {
  // SECURITY: binary files (spreadsheets renamed .csv, images, random bytes) are refused before parsing.
  if (body.length >= 4 && body.readUInt32BE(0) === 0x504b0304) throw refuse('import_not_csv');
  if (body.includes(0)) throw refuse('import_binary');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw refuse('import_not_utf8');
  }
  let records: string[][];
  try {
    // Without `columns`, csv-parse yields arrays of strings.
    const parsed: unknown = parse(text, {
      delimiter: delimiterOf(text),
      // Strict quoting: a stray quote is an error, not a guess.
      relax_quotes: false,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: maxCellLength,
      // One record past the cap is enough to know the file is too long.
      to: maxImportRows + 2,
    });
    records = parsed as string[][];
  } catch (error) {
    const { code, lines } = error as { code?: string; lines?: number };
    if (code === 'CSV_MAX_RECORD_SIZE') throw refuse('import_cell_too_long', { maximum: maxCellLength });
    throw refuse('import_bad_csv', { line: typeof lines === 'number' ? lines : 0 });
  }
  return records.map((record) => record.map((cell) => cell.trim()));
}

/** Text of a spreadsheet cell: numbers as written, dates as ISO dates, nothing for empty cells. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

async function readXlsx(body: Buffer): Promise<Grid> {
  const entries = inspectZip(body);
  const names = new Set(entries);
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) throw refuse('import_not_xlsx');
  let rows: unknown[][];
  try {
    rows = await readSheet(body);
  } catch {
    throw refuse('import_not_xlsx');
  }
  if (rows.length - 1 > maxImportRows) throw refuse('import_too_many_rows', { maximum: maxImportRows });
  return rows.map((row) =>
    row.map((value) => {
      const text = cellText(value);
      if (text.length > maxCellLength) throw refuse('import_cell_too_long', { maximum: maxCellLength });
      return text;
    }),
  );
}

/**
 * SECURITY: checks a zip archive before any library unpacks it, and returns its entry names. The central
 * directory is read, every entry is really inflated with a byte budget (declared sizes can lie), actual sizes
 * must equal declared ones, and the local entries must lie back to back and end where the central directory
 * starts — so a streaming reader that walks the local headers sees exactly the entries checked here.
 * Refused: not a zip, encrypted, zip64, multi-disk, unknown compression, more than 50 MB unpacked, or a ratio
 * above 100.
 */
export function inspectZip(zip: Buffer): string[] {
  if (zip.length < 22 || zip.readUInt32LE(0) !== 0x04034b50) throw refuse('import_not_xlsx');
  // End of central directory: 22 bytes plus a comment of up to 65,535 bytes, at the very end.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50 && i + 22 + zip.readUInt16LE(i + 20) === zip.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw refuse('import_not_xlsx');
  const disk = zip.readUInt16LE(eocd + 4);
  const cdDisk = zip.readUInt16LE(eocd + 6);
  const count = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  if (disk !== 0 || cdDisk !== 0 || count === 0xffff || cdOffset === 0xffffffff)
    throw refuse('import_not_xlsx');
  if (count === 0 || count > maxZipEntries || cdOffset + cdSize !== eocd) throw refuse('import_not_xlsx');

  interface Entry {
    name: string;
    flags: number;
    method: number;
    compressed: number;
    size: number;
    offset: number;
  }
  const entries: Entry[] = [];
  let declaredTotal = 0;
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || zip.readUInt32LE(p) !== 0x02014b50) throw refuse('import_not_xlsx');
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const entry: Entry = {
      flags: zip.readUInt16LE(p + 8),
      method: zip.readUInt16LE(p + 10),
      compressed: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      offset: zip.readUInt32LE(p + 42),
      name: zip.toString('utf8', p + 46, p + 46 + nameLength),
    };
    p += 46 + nameLength + extraLength + commentLength;
    if (p > eocd) throw refuse('import_not_xlsx');
    // Bit 0: encrypted. Zip64 marks sizes 0xffffffff; no 10 MB spreadsheet needs it.
    if (entry.flags & 1 || entry.compressed === 0xffffffff || entry.size === 0xffffffff)
      throw refuse('import_not_xlsx');
    if (entry.method !== 0 && entry.method !== 8) throw refuse('import_not_xlsx');
    declaredTotal += entry.size;
    if (declaredTotal > maxUnzippedBytes) throw refuse('import_zip_bomb');
    entries.push(entry);
  }
  if (p !== eocd) throw refuse('import_not_xlsx');

  let expectedOffset = 0;
  let inflatedTotal = 0;
  for (const entry of [...entries].sort((a, b) => a.offset - b.offset)) {
    const at = entry.offset;
    if (at !== expectedOffset || at + 30 > cdOffset || zip.readUInt32LE(at) !== 0x04034b50)
      throw refuse('import_not_xlsx');
    const localFlags = zip.readUInt16LE(at + 6);
    const localMethod = zip.readUInt16LE(at + 8);
    const localCompressed = zip.readUInt32LE(at + 18);
    const localSize = zip.readUInt32LE(at + 22);
    const nameLength = zip.readUInt16LE(at + 26);
    const extraLength = zip.readUInt16LE(at + 28);
    const localName = zip.toString('utf8', at + 30, at + 30 + nameLength);
    const hasDescriptor = (localFlags & 8) !== 0;
    if (localName !== entry.name || localMethod !== entry.method || (localFlags & 1) !== 0)
      throw refuse('import_not_xlsx');
    // Without a data descriptor the local sizes are what a streaming reader trusts: they must agree.
    if (!hasDescriptor && (localCompressed !== entry.compressed || localSize !== entry.size))
      throw refuse('import_not_xlsx');
    const start = at + 30 + nameLength + extraLength;
    let end = start + entry.compressed;
    if (end > cdOffset) throw refuse('import_not_xlsx');
    const data = zip.subarray(start, end);
    let actual: number;
    if (entry.method === 0) {
      actual = data.length;
    } else {
      try {
        actual = inflateRawSync(data, { maxOutputLength: maxUnzippedBytes - inflatedTotal + 1 }).length;
      } catch (error) {
        if (error instanceof RangeError) throw refuse('import_zip_bomb');
        throw refuse('import_not_xlsx');
      }
    }
    if (actual !== entry.size) throw refuse('import_not_xlsx');
    inflatedTotal += actual;
    if (inflatedTotal > maxUnzippedBytes) throw refuse('import_zip_bomb');
    if (hasDescriptor) {
      // CRC, sizes, and an optional signature before them.
      end += end + 4 <= cdOffset && zip.readUInt32LE(end) === 0x08074b50 ? 16 : 12;
    }
    expectedOffset = end;
  }
  if (expectedOffset !== cdOffset) throw refuse('import_not_xlsx');
  if (inflatedTotal > maxZipRatio * zip.length) throw refuse('import_zip_bomb');
  return entries.map((e) => e.name);
}
