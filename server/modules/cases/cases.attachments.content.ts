import { constants as zlib, inflateSync } from 'node:zlib';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Metadata } from 'sharp';
import { AppError, type ErrorCode } from '../../kernel/http/errors.js';

/**
 * What an attachment is, found from its bytes (issue 5: "size and type limits checked by content, not by
 * name"). SECURITY: everything here runs on untrusted bytes from the network, before any of it is believed.
 * A file is accepted only when
 *   - the library `file-type` and Cairn's own signature table both name the same allowed format, exactly one
 *     signature matches, and the declared Content-Type names that format too;
 *   - nothing of another format hides in it where readers look for one (a PDF header in the first kilobyte,
 *     a zip directory at the end: the usual polyglots);
 *   - it parses as its format: photos decode (and are re-encoded, which drops EXIF, GPS, XMP and anything
 *     appended), audio containers walk from their first byte to their last, PDFs end where they say and carry
 *     no scripts, embedded files or launch actions, text is UTF-8 without control characters or markup.
 * Every refusal is a localised problem with a `cases.attachment_*` code on `body`; nothing is written before.
 */

/** The largest attachment accepted (the route's body limit: larger bodies get 413 before being read). */
export const maxAttachmentBytes = 20 * 1024 * 1024;
/** The most pixels a photo may declare: a pixel flood is refused from its header, before decoding. */
export const maxImagePixels = 40_000_000;

export type AttachmentFormat =
  'pdf' | 'text' | 'jpeg' | 'png' | 'webp' | 'heic' | 'mp3' | 'm4a' | 'ogg' | 'wav';
export type AttachmentKind = 'document' | 'photo' | 'audio';
export const attachmentKinds = ['document', 'photo', 'audio'] as const;

interface FormatFacts {
  kind: AttachmentKind;
  /** The Content-Types an uploader may declare for it (the first is the canonical one). */
  declared: readonly string[];
  /** The media type it is stored and served as (HEIC photos are re-encoded as JPEG). */
  served: string;
  /** File name extensions that fit what is served (the first is added to a name that has none of them). */
  extensions: readonly string[];
}

const formats: Record<AttachmentFormat, FormatFacts> = {
  pdf: { kind: 'document', declared: ['application/pdf'], served: 'application/pdf', extensions: ['pdf'] },
  text: {
    kind: 'document',
    declared: ['text/plain'],
    served: 'text/plain; charset=utf-8',
    extensions: ['txt'],
  },
  jpeg: { kind: 'photo', declared: ['image/jpeg'], served: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  png: { kind: 'photo', declared: ['image/png'], served: 'image/png', extensions: ['png'] },
  webp: { kind: 'photo', declared: ['image/webp'], served: 'image/webp', extensions: ['webp'] },
  heic: { kind: 'photo', declared: ['image/heic', 'image/heif'], served: 'image/jpeg', extensions: ['jpg'] },
  mp3: { kind: 'audio', declared: ['audio/mpeg'], served: 'audio/mpeg', extensions: ['mp3'] },
  m4a: { kind: 'audio', declared: ['audio/mp4', 'audio/x-m4a'], served: 'audio/mp4', extensions: ['m4a'] },
  ogg: { kind: 'audio', declared: ['audio/ogg'], served: 'audio/ogg', extensions: ['ogg', 'oga', 'opus'] },
  wav: {
    kind: 'audio',
    declared: ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'],
    served: 'audio/wav',
    extensions: ['wav'],
  },
};

/**
 * Whether this build of the image library decodes HEIC (HEVC-compressed) photos. The prebuilt one decodes
 * AVIF only (HEVC is patent-encumbered); a build with a HEVC decoder lists `.heic` among its input suffixes.
 */
const heicReadable = (sharp.format.heif?.input.fileSuffix ?? []).includes('.heic');

/** Every Content-Type an upload may be sent with (the route registers a body parser for each). */
export const acceptedMediaTypes: readonly string[] = (
  Object.entries(formats) as [AttachmentFormat, FormatFacts][]
)
  .filter(([format]) => format !== 'heic' || heicReadable)
  .flatMap(([, facts]) => facts.declared);

/** Every media type a download may be served as. */
export const servedMediaTypes: readonly string[] = [
  ...new Set(Object.values(formats).map((facts) => facts.served)),
];

const declaredFormats = new Map<string, AttachmentFormat>(
  (Object.entries(formats) as [AttachmentFormat, FormatFacts][]).flatMap(([format, facts]) =>
    facts.declared.map((type) => [type, format] as const),
  ),
);

/** What file-type names, mapped to the format it would be; anything else it names is refused. */
const detectedFormats: Record<string, AttachmentFormat> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/apng': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heic',
  'audio/mpeg': 'mp3',
  'audio/x-m4a': 'm4a',
  'audio/mp4': 'm4a',
  // An MP4 whose brand says "video" may hold only sound (many phones' recorders): the box walk decides.
  'video/mp4': 'm4a',
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/ogg; codecs=opus': 'ogg',
  'application/ogg': 'ogg',
  'audio/wav': 'wav',
  'audio/vnd.wave': 'wav',
  'audio/x-wav': 'wav',
};

function refusal(code: ErrorCode, reason: string, params?: Record<string, string | number>): AppError {
  return new AppError(code, {
    fields: [{ path: 'body', code: `cases.${reason}`, ...(params ? { params } : {}) }],
  });
}
const refuse = (reason: string, params?: Record<string, string | number>) =>
  refusal('validation_failed', reason, params);
const unsupported = (reason: string, params?: Record<string, string | number>) =>
  refusal('unsupported_media_type', reason, params);

/** A short, non-identifying label of a format for messages (e.g. "PDF"). */
const formatLabels: Record<AttachmentFormat, string> = {
  pdf: 'PDF',
  text: 'TXT',
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  heic: 'HEIC',
  mp3: 'MP3',
  m4a: 'M4A',
  ogg: 'Ogg',
  wav: 'WAV',
};

/**
 * The format an upload's Content-Type declares, or a 415. Parameters are refused (a charset on a photo means
 * the sender thinks it is text), except `charset=utf-8` (or its subset US-ASCII) on plain text.
 */
export function declaredFormat(contentType: string | undefined): AttachmentFormat {
  const [main, ...parameters] = (contentType ?? '').split(';');
  const format = declaredFormats.get(main!.trim().toLowerCase());
  if (!format) throw unsupported('attachment_declared_type');
  if (format === 'heic' && !heicReadable) throw unsupported('attachment_heic_unreadable');
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=').map((part) => part.trim().toLowerCase().replace(/^"|"$/g, ''));
    const utf8 = name === 'charset' && ['utf-8', 'utf8', 'us-ascii'].includes(value ?? '');
    if (!(format === 'text' && utf8)) throw unsupported('attachment_declared_type');
  }
  return format;
}

// ---------------------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------------------

const heifBrands = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

function ascii(body: Buffer, start: number, length: number): string {
  return body.toString('latin1', start, Math.min(body.length, start + length));
}

/** The MPEG audio frame header at `at`: its length in bytes, or null when it is not one. */
function mpegFrameLength(body: Buffer, at: number): number | null {
  if (at + 4 > body.length) return null;
  const b1 = body[at + 1]!;
  const b2 = body[at + 2]!;
  if (body[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 0x3; // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1
  const layer = (b1 >> 1) & 0x3; // 1: III, 2: II, 3: I, 0: reserved
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 0x3;
  if (version === 1 || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3)
    return null;
  const mpeg1 = version === 3;
  const bitrates: Record<string, number[]> = {
    '1-3': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    '1-1': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    '2-3': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    '2-x': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  };
  const table = mpeg1 ? bitrates[`1-${layer}`]! : layer === 3 ? bitrates['2-3']! : bitrates['2-x']!;
  const bitrate = table[bitrateIndex]! * 1000;
  const rates = [44100, 48000, 32000][rateIndex]!;
  const sampleRate = mpeg1 ? rates : version === 2 ? rates / 2 : rates / 4;
  const padding = (b2 >> 1) & 0x1;
  if (layer === 3) return (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
  const factor = layer === 1 && !mpeg1 ? 72 : 144;
  return Math.floor((factor * bitrate) / sampleRate) + padding;
}

/** Where the audio of an MP3 starts: after its ID3v2 tags (there may be several). */
function afterId3(body: Buffer): number {
  let at = 0;
  while (ascii(body, at, 3) === 'ID3' && at + 10 <= body.length) {
    const sizeBytes = body.subarray(at + 6, at + 10);
    if (sizeBytes.some((byte) => byte >= 0x80)) return -1;
    const size = (sizeBytes[0]! << 21) | (sizeBytes[1]! << 14) | (sizeBytes[2]! << 7) | sizeBytes[3]!;
    const footer = (body[at + 5]! & 0x10) !== 0 ? 10 : 0;
    at += 10 + size + footer;
  }
  return at;
}

/**
 * Cairn's own signature table: which formats a file's first bytes claim. Exclusive by construction, so a
 * file matching two is something made to be read two ways.
 */
function signatures(body: Buffer): AttachmentFormat[] {
  const found: AttachmentFormat[] = [];
  const riff = ascii(body, 0, 4) === 'RIFF';
  if (ascii(body, 0, 5) === '%PDF-') found.push('pdf');
  if (body[0] === 0xff && body[1] === 0xd8 && body[2] === 0xff) found.push('jpeg');
  if (body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    found.push('png');
  if (riff && ascii(body, 8, 4) === 'WEBP') found.push('webp');
  if (riff && ascii(body, 8, 4) === 'WAVE') found.push('wav');
  if (ascii(body, 4, 4) === 'ftyp') found.push(heifBrands.has(ascii(body, 8, 4)) ? 'heic' : 'm4a');
  if (ascii(body, 0, 4) === 'OggS') found.push('ogg');
  if (ascii(body, 0, 3) === 'ID3' || mpegFrameLength(body, 0) !== null) found.push('mp3');
  return found;
}

/** A ZIP's end-of-central-directory record, which zip readers look for in the last 64 kB + 22 bytes. */
const zipDirectory = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

/**
 * SECURITY: polyglots. A PDF reader accepts `%PDF-` anywhere in the first kilobyte, and a zip reader (an
 * office document, a JAR) reads a file from its end: either inside a file of another format means it was
 * made to be read two ways, and it is refused.
 */
function refuseForeignFormats(body: Buffer, format: AttachmentFormat): void {
  if (format !== 'pdf' && body.subarray(0, 1024).includes('%PDF-', 0, 'latin1'))
    throw refuse('attachment_polyglot');
  if (body.subarray(Math.max(0, body.length - 65_557)).includes(zipDirectory))
    throw refuse('attachment_polyglot');
}

/**
 * The format of a file from its bytes. Refuses (415) what is none of the allowed formats, and (400) what two
 * readers would disagree on.
 */
async function detectFormat(body: Buffer): Promise<AttachmentFormat> {
  const claimed = signatures(body);
  const detected = await fileTypeFromBuffer(body);
  if (!detected) {
    // No binary format: only plain text is left (checked as text by its own rules).
    if (claimed.length > 0) throw refuse('attachment_malformed', { format: formatLabels[claimed[0]!] });
    return 'text';
  }
  const format = detectedFormats[detected.mime];
  if (!format) throw unsupported('attachment_type_not_allowed');
  // Both readers must name the one same format (e.g. a JPEG whose first frame is also an MP3 frame is not).
  if (claimed.length !== 1 || claimed[0] !== format) throw refuse('attachment_polyglot');
  return format;
}

// ---------------------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------------------

/**
 * PDF names that run code, carry other files, start programs, send data away, or hide the content from
 * these checks. SECURITY: matched on names with their `#xx` escapes decoded (`/J#61vaScript`), in the PDF's
 * syntax (outside strings) and inside its object streams, where PDF 1.5 keeps dictionaries compressed.
 */
const activePdfNames = new Set(['JS', 'XFA', 'GoToE', 'EF']);
/**
 * The long ones are also looked for inside stream data (the short ones would turn up by chance in binary
 * data): an action needs `/S /JavaScript` or `/S /Launch`, which no stream length can hide.
 */
const longActivePdfNames = new Set([
  'JavaScript',
  'EmbeddedFile',
  'EmbeddedFiles',
  'FileAttachment',
  'Launch',
  'RichMedia',
  'SubmitForm',
  'ImportData',
]);
/** Inflated object streams a PDF may ask to be checked, in all (a compressed bomb is refused). */
const maxInflatedPdfBytes = 50 * 1024 * 1024;

/** The names in a stretch of PDF bytes, `#xx` escapes decoded (a loose scan, strings included). */
function pdfNames(syntax: string): string[] {
  const names: string[] = [];
  for (const match of syntax.matchAll(/\/([^\s/<>[\]()%{}\0]*)/g)) {
    names.push(
      match[1]!.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    );
  }
  return names;
}

function checkPdfName(name: string, long: boolean): void {
  if (name === 'Encrypt') throw refuse('attachment_pdf_encrypted');
  if (longActivePdfNames.has(name) || (!long && activePdfNames.has(name)))
    throw refuse('attachment_pdf_active');
}

const pdfMalformed = () => refuse('attachment_malformed', { format: 'PDF' });

function isPdfWhite(code: number): boolean {
  return code === 0 || code === 9 || code === 10 || code === 12 || code === 13 || code === 32;
}
function isPdfDelimiter(code: number): boolean {
  // ( ) < > [ ] { } / %
  return [0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25].includes(code);
}

/** The end of a literal string starting at `at` (nested parentheses, backslash escapes). */
function endOfPdfString(text: string, at: number): number {
  let depth = 0;
  for (let index = at; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x5c) index++;
    else if (code === 0x28) depth++;
    else if (code === 0x29 && --depth === 0) return index + 1;
  }
  throw pdfMalformed();
}

/**
 * Reads PDF syntax token by token as a reader would: comments and strings are skipped (text in a string is not
 * a name, and a string cannot fake a `stream` keyword), every name is checked, and at each `stream` keyword
 * `onStream` gets the dictionary before it and where the data starts, and says where to go on.
 */
function walkPdf(text: string, onStream?: (dictionary: string, dataStart: number) => number): void {
  const dictionaries: number[] = [];
  let last: { start: number; end: number } | null = null;
  let at = 0;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    if (isPdfWhite(code)) at++;
    else if (code === 0x25) {
      while (at < text.length && text.charCodeAt(at) !== 10 && text.charCodeAt(at) !== 13) at++;
    } else if (code === 0x28) at = endOfPdfString(text, at);
    else if (code === 0x3c && text.charCodeAt(at + 1) === 0x3c) {
      dictionaries.push(at);
      at += 2;
    } else if (code === 0x3c) {
      const end = text.indexOf('>', at);
      if (end < 0) throw pdfMalformed();
      at = end + 1;
    } else if (code === 0x3e && text.charCodeAt(at + 1) === 0x3e) {
      const start = dictionaries.pop();
      if (start === undefined) throw pdfMalformed();
      last = { start, end: at + 2 };
      at += 2;
    } else if (code === 0x2f) {
      let end = at + 1;
      while (end < text.length && !isPdfWhite(text.charCodeAt(end)) && !isPdfDelimiter(text.charCodeAt(end)))
        end++;
      checkPdfName(pdfNames(text.slice(at, end))[0] ?? '', false);
      at = end;
    } else if (isPdfDelimiter(code)) {
      // [ ] { } are structure only; a stray ) or > is not PDF.
      if (code === 0x29 || code === 0x3e) throw pdfMalformed();
      at++;
    } else {
      let end = at;
      while (end < text.length && !isPdfWhite(text.charCodeAt(end)) && !isPdfDelimiter(text.charCodeAt(end)))
        end++;
      if (text.slice(at, end) === 'stream') {
        if (!onStream || !last || dictionaries.length > 0) throw pdfMalformed();
        let dataStart = end;
        if (text.charCodeAt(dataStart) === 13) dataStart++;
        if (text.charCodeAt(dataStart) === 10) dataStart++;
        end = onStream(text.slice(last.start, last.end), dataStart);
        last = null;
      }
      at = end;
    }
  }
}

/**
 * Checks a PDF: its header and end, every name of its syntax, the long action names inside stream data too,
 * and the syntax compressed in its object streams.
 */
function checkPdf(body: Buffer): void {
  const text = body.toString('latin1');
  if (!/^%PDF-[12]\.\d/.test(text)) throw pdfMalformed();
  // Nothing but whitespace may follow the last %%EOF: a file appended after it is a polyglot.
  if (!/%%EOF[\s\0]*$/.test(text.slice(-1024))) throw pdfMalformed();
  if (!text.includes('startxref')) throw pdfMalformed();
  let inflated = 0;
  walkPdf(text, (dictionary, dataStart) => {
    // A direct /Length says where the data ends; otherwise (an indirect length) the next endstream does.
    const length = /\/Length\s+(\d+)\b(?!\s+\d+\s+R)/.exec(dictionary);
    let dataEnd = length ? dataStart + Number(length[1]) : -1;
    if (dataEnd < 0 || !/^\s*endstream/.test(text.slice(dataEnd, dataEnd + 32))) {
      dataEnd = text.indexOf('endstream', dataStart);
    }
    if (dataEnd < 0 || dataEnd > text.length) throw pdfMalformed();
    for (const name of pdfNames(text.slice(dataStart, dataEnd))) checkPdfName(name, true);
    const names = pdfNames(dictionary);
    if (names.includes('ObjStm')) {
      // Only FlateDecode, alone and without predictors, is unpacked; anything else could not be checked.
      const filters = names.filter((name) => /Decode$/.test(name));
      if (filters.length !== 1 || filters[0] !== 'FlateDecode' || names.includes('DecodeParms'))
        throw refuse('attachment_pdf_uncheckable');
      let unpacked: Buffer;
      try {
        unpacked = inflateSync(body.subarray(dataStart, dataEnd), {
          maxOutputLength: Math.max(1, maxInflatedPdfBytes - inflated),
          // Tolerates the end-of-line before `endstream` after the compressed data.
          finishFlush: zlib.Z_SYNC_FLUSH,
        });
      } catch {
        throw refuse('attachment_pdf_uncheckable');
      }
      inflated += unpacked.length;
      // An object stream holds objects without streams: a `stream` keyword inside is not PDF.
      walkPdf(unpacked.toString('latin1'));
    }
    const after = text.indexOf('endstream', dataEnd);
    if (after < 0) throw pdfMalformed();
    return after + 'endstream'.length;
  });
}

/** Tags a browser (or a careless viewer) would treat as a web page or a script. */
const markup =
  /<(?:!doctype\s+html|html|head|body|script|iframe|object|embed|svg|math|style|meta|link|base|form|img|a\s|\?xml)[\s>/]/i;

/** Checks plain text: UTF-8, not empty, no control characters but tab and line ends, no markup. */
function checkText(body: Buffer): void {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw refuse('attachment_text_encoding');
  }
  // Control characters (C0 and C1), but for tab, line feed, carriage return and form feed.
  if (/[^\P{Cc}\t\n\r\f]/u.test(text)) throw refuse('attachment_text_encoding');
  // SECURITY: served as text/plain with nosniff and a sandbox it would not run, but it is not text either.
  if (markup.test(text)) throw refuse('attachment_text_markup');
}

// ---------------------------------------------------------------------------------------------------------
// Audio
// ---------------------------------------------------------------------------------------------------------

/** WAV: a RIFF whose declared size is the file's, chunks that tile it, a PCM-like format, and data. */
function checkWav(body: Buffer): void {
  const malformed = () => refuse('attachment_malformed', { format: 'WAV' });
  if (body.length < 12 || body.readUInt32LE(4) + 8 !== body.length) throw malformed();
  let at = 12;
  let format = false;
  let data = false;
  while (at < body.length) {
    if (at + 8 > body.length) throw malformed();
    const id = ascii(body, at, 4);
    const size = body.readUInt32LE(at + 4);
    const end = at + 8 + size + (size % 2);
    if (end > body.length + (size % 2)) throw malformed();
    if (id === 'fmt ') {
      if (size < 16) throw malformed();
      const tag = body.readUInt16LE(at + 8);
      const channels = body.readUInt16LE(at + 10);
      const rate = body.readUInt32LE(at + 12);
      if (![1, 3, 6, 7, 0xfffe].includes(tag) || channels < 1 || channels > 32 || rate < 1 || rate > 768_000)
        throw malformed();
      format = true;
    }
    if (id === 'data') {
      if (!format) throw malformed();
      data = true;
    }
    at = Math.min(end, body.length);
  }
  if (!format || !data) throw malformed();
}

/** The CRC-32 of Ogg pages (polynomial 0x04c11db7, not reflected). */
const oggCrcTable = Array.from({ length: 256 }, (_, index) => {
  let crc = index << 24;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  return crc >>> 0;
});

function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let index = 0; index < page.length; index++) {
    // The checksum field itself (bytes 22–25) counts as zeros.
    const byte = index >= 22 && index < 26 ? 0 : page[index]!;
    crc = ((crc << 8) ^ oggCrcTable[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

const oggAudioHeads = ['\x01vorbis', 'OpusHead', '\x7fFLAC', 'Speex   '];

/** Ogg: pages with valid checksums that tile the file, every stream beginning as Vorbis, Opus, FLAC or Speex. */
function checkOgg(body: Buffer): void {
  const malformed = () => refuse('attachment_malformed', { format: 'Ogg' });
  let at = 0;
  let pages = 0;
  while (at < body.length) {
    if (at + 27 > body.length || ascii(body, at, 4) !== 'OggS' || body[at + 4] !== 0) throw malformed();
    const flags = body[at + 5]!;
    const segments = body[at + 26]!;
    if (flags > 7 || at + 27 + segments > body.length) throw malformed();
    let payload = 0;
    for (let index = 0; index < segments; index++) payload += body[at + 27 + index]!;
    const end = at + 27 + segments + payload;
    if (end > body.length) throw malformed();
    const page = body.subarray(at, end);
    if (oggCrc(page) !== body.readUInt32LE(at + 22)) throw malformed();
    if (flags & 0x02) {
      const head = ascii(body, at + 27 + segments, 8);
      if (!oggAudioHeads.some((prefix) => head.startsWith(prefix))) throw malformed();
    } else if (pages === 0) throw malformed();
    pages++;
    at = end;
  }
}

/** The boxes of an ISO media file between two offsets; null when they do not tile the range exactly. */
function mp4Boxes(
  body: Buffer,
  from: number,
  to: number,
): { type: string; start: number; end: number }[] | null {
  const boxes: { type: string; start: number; end: number }[] = [];
  let at = from;
  while (at < to) {
    if (at + 8 > to) return null;
    let size = body.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return null;
      const large = body.readBigUInt64BE(at + 8);
      if (large > BigInt(to - at)) return null;
      size = Number(large);
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) return null;
    boxes.push({ type: ascii(body, at + 4, 4), start: at + header, end: at + size });
    at += size;
  }
  return boxes;
}

const topLevelMp4Boxes = new Set([
  'ftyp',
  'moov',
  'mdat',
  'free',
  'skip',
  'wide',
  'udta',
  'uuid',
  'meta',
  'pdin',
  'moof',
  'mfra',
  'sidx',
  'styp',
]);

/** M4A: boxes that tile the file, a movie box, and sound tracks only (a video is refused). */
function checkM4a(body: Buffer): void {
  const malformed = () => refuse('attachment_malformed', { format: 'M4A' });
  const top = mp4Boxes(body, 0, body.length);
  if (!top || top[0]?.type !== 'ftyp' || top.some((box) => !topLevelMp4Boxes.has(box.type)))
    throw malformed();
  const movie = top.find((box) => box.type === 'moov');
  if (!movie) throw malformed();
  const tracks = (mp4Boxes(body, movie.start, movie.end) ?? []).filter((box) => box.type === 'trak');
  const handlers = tracks.map((track) => {
    const media = mp4Boxes(body, track.start, track.end)?.find((box) => box.type === 'mdia');
    const handler = media && mp4Boxes(body, media.start, media.end)?.find((box) => box.type === 'hdlr');
    return handler && handler.end - handler.start >= 12 ? ascii(body, handler.start + 8, 4) : null;
  });
  if (!handlers.includes('soun') || handlers.some((type) => type === null || type === 'vide'))
    throw refuse('attachment_malformed', { format: 'M4A' });
}

/** Trailing tags an MP3 may end with after its last frame. */
const mp3Trailers = ['TAG', 'APETAGEX', 'LYRICSBEGIN'];

/** MP3: optional ID3v2 tags, then MPEG audio frames that follow each other to the end (or a trailing tag). */
function checkMp3(body: Buffer): void {
  const malformed = () => refuse('attachment_malformed', { format: 'MP3' });
  let at = afterId3(body);
  if (at < 0) throw malformed();
  let frames = 0;
  for (;;) {
    const length = mpegFrameLength(body, at);
    if (length === null || at + length > body.length) break;
    frames++;
    at += length;
  }
  const rest = body.subarray(at);
  const tagged = mp3Trailers.some((tag) => ascii(rest, 0, tag.length) === tag);
  // A recording cut off mid-frame leaves less than one frame; anything else after the frames is not MP3.
  if (frames === 0 || (frames < 2 && rest.length > 0 && !tagged) || (!tagged && rest.length > 2_048))
    throw malformed();
}

// ---------------------------------------------------------------------------------------------------------
// Photos
// ---------------------------------------------------------------------------------------------------------

// Decoded images are not kept between requests (memory stays bounded by the request in flight).
sharp.cache(false);

/** One photo is decoded at a time in the process: 40 megapixels take up to 160 MB while being re-encoded. */
let photoQueue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = photoQueue.then(work, work);
  photoQueue = run.catch(() => undefined);
  return run;
}

const sharpFormats: Partial<Record<AttachmentFormat, string>> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  heic: 'heif',
};

/**
 * Decodes a photo and encodes it anew. SECURITY: the pixel count is read from the header and refused before
 * anything is decoded (a pixel flood: a small file declaring billions of pixels); the new file carries only
 * pixels, turned the way the camera said — no EXIF (GPS position, camera serial), XMP, IPTC, ICC profile,
 * comment or anything appended to the original.
 */
async function reencodePhoto(body: Buffer, format: AttachmentFormat): Promise<Buffer> {
  const label = formatLabels[format];
  const options = { limitInputPixels: maxImagePixels, failOn: 'error', sequentialRead: true } as const;
  let metadata: Metadata;
  try {
    metadata = await sharp(body, options).metadata();
  } catch (error) {
    if (/pixel limit/i.test((error as Error).message))
      throw refuse('attachment_too_many_pixels', { maximum: maxImagePixels / 1_000_000 });
    if (format === 'heic') throw unsupported('attachment_heic_unreadable');
    throw refuse('attachment_malformed', { format: label });
  }
  if (metadata.format !== sharpFormats[format] || !metadata.width || !metadata.height)
    throw refuse('attachment_malformed', { format: label });
  if (metadata.width * metadata.height > maxImagePixels)
    throw refuse('attachment_too_many_pixels', { maximum: maxImagePixels / 1_000_000 });
  return oneAtATime(async () => {
    const image = sharp(body, options).rotate().timeout({ seconds: 30 });
    const encoded =
      format === 'png'
        ? image.png({ compressionLevel: 6 })
        : format === 'webp'
          ? image.webp({ quality: 90 })
          : image.jpeg({ quality: 90 });
    try {
      return await encoded.toBuffer();
    } catch {
      throw format === 'heic'
        ? unsupported('attachment_heic_unreadable')
        : refuse('attachment_malformed', { format: label });
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// The whole check
// ---------------------------------------------------------------------------------------------------------

/** An upload that passed every check, with the content to store (a re-encoded photo, or the bytes as sent). */
export interface CheckedAttachment {
  format: AttachmentFormat;
  kind: AttachmentKind;
  /** The media type to store and serve. */
  mediaType: string;
  content: Buffer;
}

/** True when a body holds nothing but a byte-order mark and whitespace. */
function isBlank(body: Buffer): boolean {
  const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  for (let index = start; index < body.length; index++) {
    if (![0x20, 0x09, 0x0a, 0x0d, 0x0c, 0x0b].includes(body[index]!)) return false;
  }
  return true;
}

/**
 * Checks an upload against its declared Content-Type and its own bytes; returns what to store, or throws a
 * localised refusal (400, 413 or 415).
 */
export async function checkAttachment(
  body: Buffer,
  contentType: string | undefined,
): Promise<CheckedAttachment> {
  const declared = declaredFormat(contentType);
  if (body.length > maxAttachmentBytes) throw new AppError('payload_too_large');
  if (isBlank(body)) throw refuse('attachment_empty');
  const format = await detectFormat(body);
  // HEIF's brands name both HEIC and AVIF photos; the declared type must name the format found.
  if (format !== declared)
    throw unsupported('attachment_type_mismatch', {
      detected: formatLabels[format],
      declared: formatLabels[declared],
    });
  refuseForeignFormats(body, format);
  const facts = formats[format];
  let content = body;
  if (format === 'pdf') checkPdf(body);
  else if (format === 'text') checkText(body);
  else if (format === 'wav') checkWav(body);
  else if (format === 'ogg') checkOgg(body);
  else if (format === 'm4a') checkM4a(body);
  else if (format === 'mp3') checkMp3(body);
  else content = await reencodePhoto(body, format);
  return { format, kind: facts.kind, mediaType: facts.served, content };
}

// ---------------------------------------------------------------------------------------------------------
// File names
// ---------------------------------------------------------------------------------------------------------

/** The request header carrying the file's name, percent-encoded UTF-8 (names never go in URLs). */
export const fileNameHeader = 'x-file-name';
export const maxFileNameLength = 255;

/**
 * SECURITY: a file name is kept (sealed) and shown, never used as a path. A name no honest client sends is
 * refused rather than cleaned: path separators, `.`/`..`, drive letters (path tricks), control characters
 * (NUL, line breaks: header injection), and bidirectional overrides and isolates (`invoice\u202Efdp.exe`
 * displays as `invoiceexe.pdf`).
 */
export function isPlainFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= maxFileNameLength &&
    !/[/\\\p{Cc}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/u.test(name) &&
    !/^\.+$/.test(name) &&
    !/^[A-Za-z]:/.test(name)
  );
}

/** The file name an upload names in its header, or a default; a name with tricks in it is refused (400). */
export function fileNameOf(header: string | string[] | undefined, format: AttachmentFormat): string {
  if (header === undefined || header === '') return `attachment.${formats[format].extensions[0]}`;
  const bad = () =>
    new AppError('validation_failed', {
      fields: [{ path: `headers.${fileNameHeader}`, code: 'cases.attachment_bad_file_name' }],
    });
  if (typeof header !== 'string') throw bad();
  let name: string;
  try {
    name = decodeURIComponent(header).normalize('NFC').trim();
  } catch {
    throw bad();
  }
  if (!isPlainFileName(name)) throw bad();
  return name;
}

/**
 * The name a download is saved under: the stored name, with the extension of what it really is added when it
 * has another (a PDF uploaded as `notes.exe` is saved as `notes.exe.pdf`, never run as a program).
 */
export function downloadName(name: string, mediaType: string): string {
  const facts = Object.values(formats).find((candidate) => candidate.served === mediaType);
  const extension = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  if (!facts || (extension && facts.extensions.includes(extension))) return name;
  return `${name}.${facts.extensions[0]}`;
}

/**
 * A Content-Disposition that makes the browser save the file under its name (RFC 6266): an ASCII-only
 * `filename` for old clients and the exact name, percent-encoded, in `filename*` (RFC 8187).
 */
export function contentDisposition(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["\\%;]/g, '_')
    .trim();
  // A name in another script keeps at least its extension in the ASCII fallback.
  const fallback = ascii === '' || ascii.startsWith('.') ? `attachment${ascii}` : ascii;
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
