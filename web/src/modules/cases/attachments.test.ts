import { describe, expect, it } from 'vitest';
import {
  ACCEPT_ATTRIBUTE,
  checkBeforeUpload,
  fileNameFromDisposition,
  fallbackFileNameOf,
  fileNameHeaderOf,
  formatLabelOf,
  formatSize,
  MAX_ATTACHMENT_BYTES,
  uploadTypeOf,
  withAdded,
  withoutNames,
  type Attachment,
  type AttachmentList,
} from './attachments';

const attachment = (id: string, name: string | null): Attachment => ({
  id,
  kind: 'photo',
  mediaType: 'image/png',
  sizeBytes: 2048,
  name,
  createdBy: { personId: 'p', name: 'Neema' },
  createdAt: '2025-05-03T10:00:00.000Z',
});

describe('uploadTypeOf', () => {
  it('keeps a type the server takes, lower-cased and without parameters', () => {
    expect(uploadTypeOf({ name: 'scan.pdf', type: 'application/pdf' })).toBe('application/pdf');
    expect(uploadTypeOf({ name: 'a.m4a', type: 'audio/x-m4a' })).toBe('audio/x-m4a');
    expect(uploadTypeOf({ name: 'notes.txt', type: 'Text/Plain; charset=UTF-8' })).toBe('text/plain');
  });

  it('maps the other names browsers give accepted types', () => {
    expect(uploadTypeOf({ name: 'voice.mp3', type: 'audio/mp3' })).toBe('audio/mpeg');
    expect(uploadTypeOf({ name: 'photo.jpg', type: 'image/jpg' })).toBe('image/jpeg');
    expect(uploadTypeOf({ name: 'memo.opus', type: 'audio/opus' })).toBe('audio/ogg');
  });

  it('falls back on the extension when the browser names no type, or one the server does not take', () => {
    expect(uploadTypeOf({ name: 'PHOTO.PNG', type: '' })).toBe('image/png');
    expect(uploadTypeOf({ name: 'call.wav', type: 'application/octet-stream' })).toBe('audio/wav');
    expect(uploadTypeOf({ name: 'notes', type: '' })).toBeNull();
  });

  it('turns down what is none of the accepted formats, whatever it is called', () => {
    expect(uploadTypeOf({ name: 'page.html', type: 'text/html' })).toBeNull();
    expect(uploadTypeOf({ name: 'photo.heic', type: 'image/heic' })).toBeNull();
    expect(uploadTypeOf({ name: 'archive.zip', type: 'application/zip' })).toBeNull();
    expect(uploadTypeOf({ name: 'constructor', type: 'constructor' })).toBeNull();
    expect(uploadTypeOf({ name: 'x.toString', type: '' })).toBeNull();
  });
});

describe('checkBeforeUpload', () => {
  it('passes a file of an accepted type within the limit, with the type to send', () => {
    expect(checkBeforeUpload({ name: 'a.png', type: 'image/png', size: MAX_ATTACHMENT_BYTES })).toEqual({
      ok: true,
      mediaType: 'image/png',
    });
  });

  it('refuses an empty file, a file over 20 MB and a type the server does not take', () => {
    expect(checkBeforeUpload({ name: 'a.png', type: 'image/png', size: 0 })).toEqual({
      ok: false,
      reason: 'empty',
    });
    expect(checkBeforeUpload({ name: 'a.png', type: 'image/png', size: MAX_ATTACHMENT_BYTES + 1 })).toEqual({
      ok: false,
      reason: 'tooLarge',
    });
    expect(checkBeforeUpload({ name: 'a.exe', type: 'application/x-msdownload', size: 10 })).toEqual({
      ok: false,
      reason: 'wrongType',
    });
  });

  it('leaves the content to the server: an HTML page named .pdf passes the quick check', () => {
    expect(checkBeforeUpload({ name: 'invoice.pdf', type: 'application/pdf', size: 120 })).toEqual({
      ok: true,
      mediaType: 'application/pdf',
    });
  });
});

describe('ACCEPT_ATTRIBUTE', () => {
  it('offers the extensions and types the server takes', () => {
    const offered = ACCEPT_ATTRIBUTE.split(',');
    expect(offered).toEqual(expect.arrayContaining(['.pdf', '.png', '.m4a', 'image/webp', 'audio/wav']));
    expect(offered).not.toContain('.heic');
  });
});

describe('fileNameHeaderOf', () => {
  it('percent-encodes the name in composed form, so the header stays ASCII', () => {
    // "é" typed as e + combining acute accent becomes one code point first.
    expect(fileNameHeaderOf('re\u0301sume\u0301 2025.pdf')).toBe('r%C3%A9sum%C3%A9%202025.pdf');
    expect(fileNameHeaderOf('صورة.png')).toBe('%D8%B5%D9%88%D8%B1%D8%A9.png');
    expect(decodeURIComponent(fileNameHeaderOf('a;b"c%d.txt'))).toBe('a;b"c%d.txt');
  });
});

describe('fileNameFromDisposition', () => {
  it('prefers the exact UTF-8 name of filename*', () => {
    expect(
      fileNameFromDisposition(
        'attachment; filename="attachment.png"; filename*=UTF-8\'\'%D8%B5%D9%88%D8%B1%D8%A9.png',
      ),
    ).toBe('صورة.png');
    expect(fileNameFromDisposition("attachment; filename*=utf-8''notes%20%281%29.txt")).toBe('notes (1).txt');
  });

  it('falls back on the plain filename, quoted or not', () => {
    expect(fileNameFromDisposition('attachment; filename="scan \\"final\\".pdf"')).toBe('scan "final".pdf');
    expect(fileNameFromDisposition('attachment; filename=photo.png')).toBe('photo.png');
    expect(fileNameFromDisposition('attachment; filename="x.pdf"; filename*=UTF-8\'\'%E0%A4%A')).toBe(
      'x.pdf',
    );
  });

  it('gives null when there is no name', () => {
    expect(fileNameFromDisposition(null)).toBeNull();
    expect(fileNameFromDisposition('attachment')).toBeNull();
    expect(fileNameFromDisposition('attachment; filename=""')).toBeNull();
  });
});

describe('formatLabelOf', () => {
  it('names the formats the server serves, and shows anything else as it is', () => {
    expect(formatLabelOf('image/png')).toBe('PNG');
    expect(formatLabelOf('text/plain; charset=utf-8')).toBe('TXT');
    expect(formatLabelOf('audio/mp4')).toBe('M4A');
    expect(formatLabelOf('application/x-new')).toBe('application/x-new');
  });
});

describe('fallbackFileNameOf', () => {
  it('gives a neutral name with the extension of what the file is', () => {
    expect(fallbackFileNameOf('image/png')).toBe('attachment.png');
    expect(fallbackFileNameOf('image/jpeg')).toBe('attachment.jpg');
    expect(fallbackFileNameOf('text/plain; charset=utf-8')).toBe('attachment.txt');
    expect(fallbackFileNameOf('application/x-new')).toBe('attachment');
  });
});

describe('formatSize', () => {
  it('uses bytes (in full), kilobytes or megabytes (binary multiples) in the reader’s language', () => {
    expect(formatSize(812, 'en')).toBe('812 bytes');
    expect(formatSize(1, 'en')).toBe('1 byte');
    expect(formatSize(1536, 'en')).toBe('1.5 kB');
    expect(formatSize(150 * 1024, 'en')).toBe('150 kB');
    expect(formatSize(MAX_ATTACHMENT_BYTES, 'en')).toBe('20 MB');
    // French keeps the number and its unit together with no-break spaces (ordinary, then narrow).
    expect(formatSize(812, 'fr')).toBe('812\u00a0octets');
    expect(formatSize(1536, 'fr')).toBe('1,5\u202fko');
  });
});

describe('withoutNames and withAdded', () => {
  const list: AttachmentList = {
    items: [attachment('b', 'older.pdf')],
    abilities: { upload: true, download: true },
  };

  it('strips every name and keeps everything else', () => {
    const stripped = withoutNames(list);
    expect(stripped.items.map((item) => item.name)).toEqual([null]);
    expect(stripped.items[0]).toEqual({ ...list.items[0], name: null });
    expect(stripped.abilities).toEqual(list.abilities);
    // The revealed list itself is untouched.
    expect(list.items[0]!.name).toBe('older.pdf');
  });

  it('puts a new attachment first, once', () => {
    const added = attachment('a', null);
    expect(withAdded(list, added).items.map((item) => item.id)).toEqual(['a', 'b']);
    expect(withAdded(withAdded(list, added), added).items.map((item) => item.id)).toEqual(['a', 'b']);
  });
});
