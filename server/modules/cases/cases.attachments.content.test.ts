import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/http/errors.js';
import {
  elf,
  htmlWithScript,
  jpegHeader,
  png,
  svgWithScript,
  textPdf,
  zip,
} from '../../security/uploads.files.js';
import {
  heic,
  jpegWithGps,
  m4a,
  mp3,
  ogg,
  pdf,
  pdfObjectStream,
  pdfStream,
  photo,
  wav,
} from '../../test/attachments.js';
import {
  checkAttachment,
  contentDisposition,
  declaredFormat,
  downloadName,
  fileNameOf,
  maxAttachmentBytes,
} from './cases.attachments.content.js';

/** The refusal a check throws: status, and the field code it names. */
async function refusalOf(
  work: Promise<unknown> | (() => unknown),
): Promise<{ status: number; code: string }> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { status: error.status, code: error.options.fields?.[0]?.code ?? error.code };
  }
  throw new Error('expected a refusal');
}

const check = (body: Buffer | string, type: string) =>
  checkAttachment(typeof body === 'string' ? Buffer.from(body) : body, type);

describe('case attachments: honest files of every accepted format', () => {
  it.each([
    ['a PDF', () => pdf(), 'application/pdf', 'document', 'application/pdf'],
    [
      'plain text (UTF-8, several scripts)',
      () => Buffer.from('Notes — ملاحظات — 笔记\r\n\tok\n'),
      'text/plain; charset=utf-8',
      'document',
      'text/plain; charset=utf-8',
    ],
    ['a WAV recording', () => wav(), 'audio/wav', 'audio', 'audio/wav'],
    ['a WAV sent as audio/x-wav', () => wav(), 'audio/x-wav', 'audio', 'audio/wav'],
    ['an MP3 recording', () => mp3(), 'audio/mpeg', 'audio', 'audio/mpeg'],
    ['an Ogg Opus recording', () => ogg(), 'audio/ogg', 'audio', 'audio/ogg'],
    ['an M4A recording', () => m4a(), 'audio/mp4', 'audio', 'audio/mp4'],
    [
      'an M4A whose brand says mp42 (a phone recorder)',
      () => m4a('soun', 'mp42'),
      'audio/x-m4a',
      'audio',
      'audio/mp4',
    ],
  ])('accepts %s', async (_name, make, type, kind, mediaType) => {
    const body = make();
    const checked = await check(body, type);
    expect(checked).toMatchObject({ kind, mediaType });
    // Documents and recordings are stored exactly as sent.
    expect(checked.content.equals(body)).toBe(true);
  });

  it.each(['jpeg', 'png', 'webp'] as const)('accepts a %s photo and stores it re-encoded', async (format) => {
    const body = await photo(format, 12, 10);
    const checked = await check(body, `image/${format}`);
    expect(checked).toMatchObject({ kind: 'photo', mediaType: `image/${format}` });
    const metadata = await sharp(checked.content).metadata();
    expect(metadata).toMatchObject({ format, width: 12, height: 10 });
  });

  it('re-encodes a photo without its EXIF, GPS or description, turned the way the camera said', async () => {
    const marker = `Canary${randomBytes(6).toString('hex')}`;
    const body = await jpegWithGps(marker, 64, 32);
    const before = await sharp(body).metadata();
    // The test photo really carries what must go: a position, a description, an orientation.
    // 0x8825 (little-endian): the pointer to the GPS directory.
    expect(before.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true);
    expect(body.includes(marker)).toBe(true);
    expect(before.orientation).toBe(6);

    const { content } = await check(body, 'image/jpeg');
    const after = await sharp(content).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(content.includes(marker)).toBe(false);
    expect(content.includes('Cairn test camera')).toBe(false);
    // Orientation 6 is applied to the pixels: 64 × 32 becomes 32 × 64.
    expect({ width: after.width, height: after.height }).toEqual({ width: 32, height: 64 });
  });
});

describe('case attachments: refusals', () => {
  it('refuses a PNG declaring 100,000 × 100,000 pixels from its header, before decoding it', async () => {
    const flood = png(100_000, 100_000, 1);
    const rss = process.memoryUsage().rss;
    expect(await refusalOf(check(flood, 'image/png'))).toEqual({
      status: 400,
      code: 'cases.attachment_too_many_pixels',
    });
    // Decoding it would need 30 GB; the refusal costs next to nothing.
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024);
    expect(await refusalOf(check(jpegHeader(65_500, 65_500), 'image/jpeg'))).toMatchObject({ status: 400 });
    // Just over the limit is refused too; the limit is pixels, not bytes.
    expect(await refusalOf(check(png(8_000, 5_001, 1), 'image/png'))).toEqual({
      status: 400,
      code: 'cases.attachment_too_many_pixels',
    });
  });

  it.each([
    [
      '/JavaScript in an open action',
      pdf({ catalog: '/OpenAction << /S /JavaScript /JS (app.alert(1)) >>' }),
    ],
    [
      'a name with #-escapes (/J#61vaScript)',
      pdf({ catalog: '/OpenAction << /S /J#61vaScript /J#53 (x) >>' }),
    ],
    ['a launch action', pdf({ catalog: '/OpenAction << /S /Launch /F (cmd.exe) >>' })],
    ['an embedded file', pdf({ catalog: '/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>' })],
    ['an XFA form', pdf({ catalog: '/AcroForm << /XFA 5 0 R >>' })],
    [
      'JavaScript hidden in a compressed object stream',
      pdf({ objects: [pdfObjectStream(['<< /S /JavaScript /JS (app.alert(1)) >>'])] }),
    ],
    ['the upload suite’s ASCII PDF with JavaScript', textPdf],
    [
      'an action after a string that fakes the start of a stream',
      pdf({
        catalog: '/Note (>> stream\n) /OpenAction << /S /JavaScript /JS (app.alert(1)) >> /X (endstream)',
      }),
    ],
    [
      'an object stream whose dictionary hides behind a string with "<<"',
      pdf({
        objects: [
          pdfObjectStream(['<< /S /Launch /F (cmd.exe) >>']).replace('<< /Length', '<< /A (<<) /Length'),
        ],
      }),
    ],
    [
      'a file attachment annotation',
      pdf({ objects: ['<< /Type /Annot /Subtype /FileAttachment /FS 6 0 R >>'] }),
    ],
  ])('refuses a PDF with %s', async (name, body) => {
    // The suite's PDF has no cross-reference table either: it is refused as damaged before it is read.
    const code = name.includes('upload suite') ? 'cases.attachment_malformed' : 'cases.attachment_pdf_active';
    expect(await refusalOf(check(body, 'application/pdf'))).toEqual({ status: 400, code });
  });

  it('names what is wrong with an active or encrypted PDF', async () => {
    expect(
      await refusalOf(check(pdf({ catalog: '/OpenAction << /S /JavaScript /JS (x) >>' }), 'application/pdf')),
    ).toEqual({
      status: 400,
      code: 'cases.attachment_pdf_active',
    });
    expect(await refusalOf(check(pdf({ tail: '/Encrypt 5 0 R' }), 'application/pdf'))).toEqual({
      status: 400,
      code: 'cases.attachment_pdf_encrypted',
    });
  });

  it('reads names as a reader does: words in a string are text, not actions', async () => {
    const body = pdf({ catalog: '/Title (Notes on /JavaScript and /JS, then /Launch) /Lang (en)' });
    await expect(check(body, 'application/pdf')).resolves.toMatchObject({ mediaType: 'application/pdf' });
  });

  it('skips binary stream data: chance bytes that spell /JS inside a picture are not an action', async () => {
    const data = Buffer.concat([randomBytes(64), Buffer.from(' /JS /XFA /EF '), randomBytes(64)]);
    const body = pdf({ objects: [pdfStream(data, '/Type /XObject /Subtype /Image /Width 4 /Height 4')] });
    await expect(check(body, 'application/pdf')).resolves.toMatchObject({ mediaType: 'application/pdf' });
  });

  it('refuses a web page named .pdf, or sent as text, image or audio', async () => {
    expect(await refusalOf(check(htmlWithScript, 'application/pdf'))).toEqual({
      status: 415,
      code: 'cases.attachment_type_mismatch',
    });
    expect(await refusalOf(check(htmlWithScript, 'text/plain'))).toEqual({
      status: 400,
      code: 'cases.attachment_text_markup',
    });
    expect(await refusalOf(check(svgWithScript, 'text/plain'))).toEqual({
      status: 400,
      code: 'cases.attachment_text_markup',
    });
    expect((await refusalOf(check(svgWithScript, 'image/png'))).status).toBe(415);
    expect((await refusalOf(check(htmlWithScript, 'audio/mpeg'))).status).toBe(415);
  });

  it('refuses polyglots: PDF + zip, zip behind a PDF header, PNG + zip, a PDF header inside a JPEG', async () => {
    const archive = zip([{ name: 'word/document.xml', data: Buffer.from('<w:document/>') }]);
    const jpeg = await photo('jpeg');
    const withPdfComment = Buffer.concat([
      jpeg.subarray(0, 2),
      Buffer.from([0xff, 0xfe, 0x00, 0x12]),
      Buffer.from('%PDF-1.4 obj <<>>'),
      jpeg.subarray(2),
    ]);
    for (const [body, type] of [
      [Buffer.concat([pdf(), archive]), 'application/pdf'],
      [zip([{ name: 'a.txt', data: Buffer.from('x') }], { prefix: pdf() }), 'application/pdf'],
      [Buffer.concat([await photo('png'), archive]), 'image/png'],
      [withPdfComment, 'image/jpeg'],
      [Buffer.concat([Buffer.from('Plain notes\n'), archive.subarray(archive.length - 22)]), 'text/plain'],
    ] as const) {
      expect(await refusalOf(check(body, type)), type).toEqual({
        status: 400,
        code: 'cases.attachment_polyglot',
      });
    }
  });

  it('refuses formats that are not allowed, whatever they are sent as', async () => {
    expect(await refusalOf(check(elf, 'image/png'))).toEqual({
      status: 415,
      code: 'cases.attachment_type_not_allowed',
    });
    expect(await refusalOf(check(zip([{ name: 'a', data: Buffer.from('x') }]), 'application/pdf'))).toEqual({
      status: 415,
      code: 'cases.attachment_type_not_allowed',
    });
    expect(await refusalOf(check(m4a('vide', 'isom'), 'audio/mp4'))).toMatchObject({
      status: 400,
      code: 'cases.attachment_malformed',
    });
    expect(await refusalOf(check(await photo('png'), 'image/jpeg'))).toEqual({
      status: 415,
      code: 'cases.attachment_type_mismatch',
    });
    expect(await refusalOf(check(wav(), 'audio/mpeg'))).toEqual({
      status: 415,
      code: 'cases.attachment_type_mismatch',
    });
  });

  it('refuses HEIC photos this build cannot decode, with a message that says what to do', async () => {
    expect(await refusalOf(check(heic(), 'image/heic'))).toEqual({
      status: 415,
      code: 'cases.attachment_heic_unreadable',
    });
  });

  it('refuses damaged audio: sizes that lie, broken checksums, trailing data, truncation', async () => {
    const badRiff = wav();
    badRiff.writeUInt32LE(badRiff.readUInt32LE(4) + 100, 4);
    const badCrc = ogg();
    badCrc[30] = badCrc[30]! ^ 0xff;
    for (const [body, type] of [
      [badRiff, 'audio/wav'],
      [wav().subarray(0, 60), 'audio/wav'],
      [Buffer.concat([wav(), Buffer.from('trailing')]), 'audio/wav'],
      [badCrc, 'audio/ogg'],
      [Buffer.concat([ogg(), Buffer.from('trailing')]), 'audio/ogg'],
      [Buffer.concat([mp3(), randomBytes(4096)]), 'audio/mpeg'],
      [Buffer.concat([m4a(), Buffer.from('trailing')]), 'audio/mp4'],
    ] as const) {
      expect(await refusalOf(check(body, type)), type).toEqual({
        status: 400,
        code: 'cases.attachment_malformed',
      });
    }
  });

  it('refuses text that is not UTF-8 or holds control characters', async () => {
    expect(await refusalOf(check(Buffer.from('caf\u00e9 notes', 'latin1'), 'text/plain'))).toEqual({
      status: 400,
      code: 'cases.attachment_text_encoding',
    });
    expect(await refusalOf(check('notes\u0000hidden', 'text/plain'))).toMatchObject({ status: 400 });
    expect(await refusalOf(check('notes\u001b[31m', 'text/plain'))).toEqual({
      status: 400,
      code: 'cases.attachment_text_encoding',
    });
  });

  it('refuses empty files: no bytes, a byte-order mark only, blank lines only', async () => {
    for (const body of [Buffer.alloc(0), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\r\n\r\n  \n')]) {
      for (const type of ['text/plain', 'image/png', 'application/pdf']) {
        expect(await refusalOf(check(body, type))).toEqual({ status: 400, code: 'cases.attachment_empty' });
      }
    }
  });

  it('refuses a file over 20 MB even when handed one', async () => {
    expect(await refusalOf(check(Buffer.alloc(maxAttachmentBytes + 1, 0x41), 'text/plain'))).toEqual({
      status: 413,
      code: 'payload_too_large',
    });
  });
});

describe('case attachments: declared types and file names', () => {
  it('accepts only the media types it lists, and a charset only on UTF-8 text', () => {
    expect(declaredFormat('image/png')).toBe('png');
    expect(declaredFormat('IMAGE/PNG')).toBe('png');
    expect(declaredFormat('text/plain; charset=UTF-8')).toBe('text');
    for (const type of [
      undefined,
      '',
      'application/octet-stream',
      'text/html',
      'image/svg+xml',
      'application/zip',
      'multipart/form-data; boundary=x',
      'image/png; charset=utf-16le',
      'text/plain; charset=iso-8859-1',
      'image/png, application/json',
    ]) {
      expect(() => declaredFormat(type), String(type)).toThrowError(AppError);
    }
  });

  it('refuses path tricks, control characters and direction overrides in a name; keeps honest names', async () => {
    for (const name of [
      '../../etc/passwd',
      '..\\..\\windows\\win.ini',
      '/etc/passwd',
      'C:\\Users\\Public\\notes.pdf',
      'C:notes.pdf',
      '.',
      '..',
      'notes.pdf\u0000.exe',
      'notes\r\nX-Injected: yes.pdf',
      'invoice\u202Efdp.exe',
      '\u2066notes\u2069.pdf',
      `${'x'.repeat(300)}.pdf`,
    ]) {
      expect(await refusalOf(() => fileNameOf(encodeURIComponent(name), 'pdf')), name).toEqual({
        status: 400,
        code: 'cases.attachment_bad_file_name',
      });
    }
    expect(await refusalOf(() => fileNameOf('%E0%A4%A', 'pdf'))).toMatchObject({ status: 400 });
    expect(await refusalOf(() => fileNameOf(['a.pdf', 'b.pdf'], 'pdf'))).toMatchObject({ status: 400 });
    expect(fileNameOf(encodeURIComponent('تقرير الحالة.pdf'), 'pdf')).toBe('تقرير الحالة.pdf');
    expect(fileNameOf(undefined, 'jpeg')).toBe('attachment.jpg');
  });

  it('saves a download under its name with the extension of what it really is, RFC 6266-encoded', () => {
    expect(downloadName('notes.exe', 'application/pdf')).toBe('notes.exe.pdf');
    expect(downloadName('IMG_0001.HEIC', 'image/jpeg')).toBe('IMG_0001.HEIC.jpg');
    expect(downloadName('scan.PDF', 'application/pdf')).toBe('scan.PDF');
    expect(downloadName('voice', 'audio/ogg')).toBe('voice.ogg');
    expect(contentDisposition('rapport "final"; v2 (copie).pdf')).toBe(
      `attachment; filename="rapport _final__ v2 (copie).pdf"; filename*=UTF-8''rapport%20%22final%22%3B%20v2%20%28copie%29.pdf`,
    );
    const arabic = contentDisposition('تقرير.pdf');
    expect(arabic).toMatch(/^attachment; filename="attachment\.pdf"; filename\*=UTF-8''%D8%AA/);
    expect(arabic).not.toMatch(/[^\x20-\x7e]/);
  });
});
