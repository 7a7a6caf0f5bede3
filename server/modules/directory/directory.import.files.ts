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

/**
 * The format of an upload from its media type, or null. A `charset` other than UTF-8 (or its subset ASCII)
 * is an unsupported media type: the file would be read as UTF-8 regardless, and misread.
 */
export function formatOf(contentType: string | undefined): ImportFormat | null {
  const [main, ...parameters] = (contentType ?? '').split(';');
  const type = main!.trim().toLowerCase();
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=').map((part) => part.trim().toLowerCase().replace(/^"|"$/g, ''));
    if (name === 'charset' && !['utf-8', 'utf8', 'us-ascii'].includes(value ?? '')) return null;
  }
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
  // SECURITY: text formats that are not CSV (a web page or SVG with script, XML, PDF, RTF, PostScript) are
  // refused by their opening, rather than read as one odd column: no honest CSV header starts like these.
  if (/^\s*(<|%PDF-|\{\\rtf|%!PS)/.test(text)) throw refuse('import_not_csv');
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
 * Refused: not a zip, encrypted, zip64, multi-disk, unknown compression, more than 50 MB unpacked, a ratio
 * above 100, an archive comment, symbolic links, unsafe or duplicate entry names, active content (macros,
 * ActiveX, embedded objects, external links and connections), and XML parts that fail inspectXmlPart.
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
  // A workbook has no archive comment; a comment is where a polyglot hides its other format (a web page,
  // a script) behind a valid zip.
  if (eocd < 0 || zip.readUInt16LE(eocd + 20) !== 0) throw refuse('import_not_xlsx');
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
    // A symbolic link (Unix host, file type 0o120000 in the external attributes) points outside the package.
    const unixHost = zip[p + 5] === 3;
    if (unixHost && ((zip.readUInt32LE(p + 38) >>> 16) & 0o170000) === 0o120000)
      throw refuse('import_not_xlsx');
    p += 46 + nameLength + extraLength + commentLength;
    if (p > eocd) throw refuse('import_not_xlsx');
    // Bit 0: encrypted. Zip64 marks sizes 0xffffffff; no 10 MB spreadsheet needs it.
    if (entry.flags & 1 || entry.compressed === 0xffffffff || entry.size === 0xffffffff)
      throw refuse('import_not_xlsx');
    if (entry.method !== 0 && entry.method !== 8) throw refuse('import_not_xlsx');
    declaredTotal += entry.size;
    if (declaredTotal > maxUnzippedBytes) throw refuse('import_zip_bomb');
    if (!isPlainPartName(entry.name)) throw refuse('import_not_xlsx');
    entries.push(entry);
  }
  if (p !== eocd) throw refuse('import_not_xlsx');
  // Two entries of one name (parts are case-insensitive) let two readers see two different workbooks.
  if (new Set(entries.map((e) => e.name.toLowerCase())).size !== entries.length)
    throw refuse('import_not_xlsx');
  if (entries.some((e) => isActivePart(e.name))) throw refuse('import_active_content');

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
    let content: Buffer;
    if (entry.method === 0) {
      content = data;
    } else {
      try {
        content = inflateRawSync(data, { maxOutputLength: maxUnzippedBytes - inflatedTotal + 1 });
      } catch (error) {
        if (error instanceof RangeError) throw refuse('import_zip_bomb');
        throw refuse('import_not_xlsx');
      }
    }
    const actual = content.length;
    if (actual !== entry.size) throw refuse('import_not_xlsx');
    if (/\.(xml|rels)$/i.test(entry.name)) inspectXmlPart(content);
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

/**
 * SECURITY: a part name is a plain relative path inside the package (OPC): no absolute path, drive letter,
 * backslash, `.` or `..` segment, empty segment, control character or undecodable byte. The reader never
 * writes entries to disk, but a name that would escape a folder (zip slip) marks a crafted file.
 */
function isPlainPartName(name: string): boolean {
  if (name === '' || name.includes('\uFFFD') || /[\\\p{Cc}]/u.test(name) || /^[A-Za-z]:/.test(name))
    return false;
  const segments = name.split('/');
  // A trailing slash marks a folder entry, which some zip tools add.
  if (segments[segments.length - 1] === '') segments.pop();
  return (
    segments.length > 0 && segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..')
  );
}

/**
 * Parts that make a workbook more than data: macros (VBA, Excel 4 macro sheets), ActiveX controls, embedded
 * OLE objects (any file, even another archive), links to other workbooks and external data connections.
 * Cairn would not run them, but a spreadsheet of organisations has no need of them, and whoever opens the
 * same file in Excel might.
 */
function isActivePart(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    /(^|\/)vbaproject(signature)?\.bin$|(^|\/)vbadata\.xml$/.test(lower) ||
    /^(xl\/(activex|embeddings|externallinks|macrosheets|dialogsheets|querytables)\/|customui\/)/.test(
      lower,
    ) ||
    lower === 'xl/connections.xml'
  );
}

/** Relationship types that pull in active or outside content (a template or object fetched from a URL). */
const activeRelationship =
  /\/(vbaProject|activeXControl|activeXControlBinary|oleObject|package|externalLink|externalLinkPath|attachedTemplate|connections|queryTable|xlMacrosheet|xlIntlMacrosheet|dialogsheet)$/;

/** How deep XML elements may nest (real parts stay under 20; deeper only costs whoever parses it). */
const maxXmlDepth = 64;
/** The largest sheet Excel itself can make. */
const maxSheetRows = 1_048_576;
const maxSheetColumns = 16_384;

const attributePatterns = Object.fromEntries(
  ['r', 'Type', 'ContentType'].map((name) => [
    name,
    new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`),
  ]),
) as Record<'r' | 'Type' | 'ContentType', RegExp>;

/** The value of an attribute in the text of a start tag, or undefined. */
function attribute(tag: string, name: keyof typeof attributePatterns): string | undefined {
  const match = attributePatterns[name].exec(tag);
  return match ? (match[1] ?? match[2]) : undefined;
}

/** The column number of a cell's letters (A = 1). */
function columnNumber(letters: string): number {
  let n = 0;
  for (const letter of letters) n = n * 26 + letter.charCodeAt(0) - 64;
  return n;
}

/**
 * SECURITY: checks one XML part of a workbook before the spreadsheet reader parses it, in a single pass
 * over its bytes (markup is ASCII, so UTF-8 text can be walked byte by byte):
 * - no DTD (`<!DOCTYPE`, `<!ENTITY`): OOXML forbids them, and they are how entity expansion ("billion
 *   laughs") and external entities get in;
 * - UTF-8 only (a UTF-16 part would slip past this scan);
 * - elements nested at most 64 deep;
 * - cell and row references (`<c r>`, `<row r>`) inside Excel's own limits, and cells that hold something
 *   within Cairn's row and column caps. The reader fills every gap up to a reference with empty cells and
 *   rows: one cell at row 30,000,000 or column ZZZZ in a 600-byte file exhausted the server's memory.
 */
export function inspectXmlPart(xml: Buffer): void {
  if ((xml[0] === 0xff && xml[1] === 0xfe) || (xml[0] === 0xfe && xml[1] === 0xff))
    throw refuse('import_not_xlsx');
  let depth = 0;
  let at = xml.indexOf(0x3c); // <
  while (at >= 0) {
    const next = xml[at + 1];
    let end: number;
    if (next === 0x3f) {
      // <? … ?> processing instruction (the XML declaration)
      end = xml.indexOf('?>', at + 2, 'latin1');
      if (end < 0) throw refuse('import_not_xlsx');
      end += 1;
    } else if (next === 0x21) {
      if (xml.toString('latin1', at, at + 4) === '<!--') {
        end = xml.indexOf('-->', at + 4, 'latin1');
        if (end < 0) throw refuse('import_not_xlsx');
        end += 2;
      } else if (xml.toString('latin1', at, at + 9) === '<![CDATA[') {
        end = xml.indexOf(']]>', at + 9, 'latin1');
        if (end < 0) throw refuse('import_not_xlsx');
        end += 2;
      } else {
        // <!DOCTYPE, <!ENTITY, or anything else that is not a comment or CDATA.
        throw refuse('import_not_xlsx');
      }
    } else if (next === 0x2f) {
      // </name>
      end = xml.indexOf(0x3e, at + 2);
      if (end < 0 || --depth < 0) throw refuse('import_not_xlsx');
    } else {
      // <name attributes…> or <name …/>: find the closing > outside quoted attribute values.
      let quote = 0;
      end = -1;
      for (let i = at + 1; i < xml.length; i++) {
        const byte = xml[i]!;
        if (quote) {
          if (byte === quote) quote = 0;
        } else if (byte === 0x22 || byte === 0x27) quote = byte;
        else if (byte === 0x3e) {
          end = i;
          break;
        } else if (byte === 0x3c) break;
      }
      if (end < 0) throw refuse('import_not_xlsx');
      const selfClosing = xml[end - 1] === 0x2f;
      if (!selfClosing && ++depth > maxXmlDepth) throw refuse('import_not_xlsx');
      checkElement(xml.toString('utf8', at + 1, selfClosing ? end - 1 : end), selfClosing);
    }
    at = xml.indexOf(0x3c, end + 1);
  }
}

/** The checks on one start tag (its text without the angle brackets). */
function checkElement(tag: string, selfClosing: boolean): void {
  const name = /^[^\s/>]+/.exec(tag)?.[0] ?? '';
  if (name === 'Relationship') {
    const type = attribute(tag, 'Type') ?? '';
    if (activeRelationship.test(type)) throw refuse('import_active_content');
  } else if (name === 'Default' || name === 'Override') {
    // [Content_Types].xml: a macro-enabled workbook or an ActiveX/VBA part, whatever its part name.
    if (/macroEnabled|vbaProject|activeX|oleObject/i.test(attribute(tag, 'ContentType') ?? ''))
      throw refuse('import_active_content');
  } else if (name === 'row') {
    const r = attribute(tag, 'r');
    if (r !== undefined && !(/^[1-9]\d{0,6}$/.test(r) && Number(r) <= maxSheetRows))
      throw refuse('import_not_xlsx');
  } else if (name === 'c') {
    const r = attribute(tag, 'r');
    if (r === undefined) return;
    const ref = /^([A-Z]{1,3})([1-9]\d{0,6})$/.exec(r);
    if (!ref) throw refuse('import_not_xlsx');
    const column = columnNumber(ref[1]!);
    const row = Number(ref[2]);
    if (column > maxSheetColumns || row > maxSheetRows) throw refuse('import_not_xlsx');
    // An empty (self-closing) cell only carries formatting; one with content must fit Cairn's caps.
    if (!selfClosing && column > maxImportColumns)
      throw refuse('import_too_many_columns', { maximum: maxImportColumns });
    if (!selfClosing && row > maxImportRows + 1)
      throw refuse('import_too_many_rows', { maximum: maxImportRows });
  }
}
