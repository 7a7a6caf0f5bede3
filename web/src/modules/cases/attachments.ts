import type { components, operations } from '../../api/schema';

/** An attachment of a case as the server lists it (its name only when revealed). */
export type Attachment = components['schemas']['CaseAttachment'];
/** A case's attachments and what the caller may do with them. */
export type AttachmentList = components['schemas']['CaseAttachmentList'];
/** What an attachment is: a document, a photo or a recording. */
export type AttachmentKind = Attachment['kind'];
/** A media type the upload route accepts, from the API's own contract. */
export type UploadMediaType = keyof operations['uploadCaseAttachment']['requestBody']['content'];

/** The largest file the server accepts (its body limit: 20 MB). */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
/** The same limit in megabytes, for messages. */
export const MAX_ATTACHMENT_MB = MAX_ATTACHMENT_BYTES / (1024 * 1024);

/**
 * Every type the upload route declares it takes. The record's type keeps this list equal to the contract: a
 * type added to or dropped from the route fails the type check here after `npm run openapi`.
 */
const ACCEPTED: Record<UploadMediaType, true> = {
  'application/pdf': true,
  'text/plain': true,
  'image/jpeg': true,
  'image/png': true,
  'image/webp': true,
  'audio/mpeg': true,
  'audio/mp4': true,
  'audio/x-m4a': true,
  'audio/ogg': true,
  'audio/wav': true,
  'audio/x-wav': true,
  'audio/wave': true,
  'audio/vnd.wave': true,
};

/** Names some browsers and systems give accepted types, mapped to the name the server takes. */
const ALIASES: ReadonlyMap<string, UploadMediaType> = new Map([
  ['image/jpg', 'image/jpeg'],
  ['image/pjpeg', 'image/jpeg'],
  ['audio/mp3', 'audio/mpeg'],
  ['audio/x-mp3', 'audio/mpeg'],
  ['audio/x-mpeg', 'audio/mpeg'],
  ['audio/m4a', 'audio/mp4'],
  ['audio/opus', 'audio/ogg'],
  ['application/ogg', 'audio/ogg'],
  ['video/ogg', 'audio/ogg'],
  ['audio/x-pn-wav', 'audio/wav'],
]);

/** The type a file with this extension is sent as, when the browser names none (or a type it made up). */
const BY_EXTENSION: ReadonlyMap<string, UploadMediaType> = new Map([
  ['pdf', 'application/pdf'],
  ['txt', 'text/plain'],
  ['text', 'text/plain'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['png', 'image/png'],
  ['webp', 'image/webp'],
  ['mp3', 'audio/mpeg'],
  ['m4a', 'audio/mp4'],
  ['ogg', 'audio/ogg'],
  ['oga', 'audio/ogg'],
  ['opus', 'audio/ogg'],
  ['wav', 'audio/wav'],
]);

/** What the file input offers to pick (a convenience for the picker; nothing is trusted from it). */
export const ACCEPT_ATTRIBUTE = [
  ...[...BY_EXTENSION.keys()].map((extension) => `.${extension}`),
  ...Object.keys(ACCEPTED),
].join(',');

const isAccepted = (type: string): type is UploadMediaType => Object.hasOwn(ACCEPTED, type);

/**
 * The media type to send a file as: the one the browser reports when the server takes it (under its own
 * name or a known alias), else the one its extension stands for; null when neither is acceptable. The
 * server finds the real type from the content and refuses a file whose content says otherwise.
 */
export function uploadTypeOf(file: { name: string; type: string }): UploadMediaType | null {
  const reported = (file.type.split(';')[0] ?? '').trim().toLowerCase();
  if (isAccepted(reported)) return reported;
  const alias = ALIASES.get(reported);
  if (alias) return alias;
  const extension = /\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase() ?? '';
  return BY_EXTENSION.get(extension) ?? null;
}

/** Why a file was turned down before being sent. */
export type QuickRefusal = 'empty' | 'tooLarge' | 'wrongType';

/**
 * A quick check before sending, so a reader on a slow connection is not made to wait 20 MB for a refusal.
 * It only looks at the size and the declared type; the server remains the judge of what the file is.
 */
export function checkBeforeUpload(file: {
  name: string;
  type: string;
  size: number;
}): { ok: true; mediaType: UploadMediaType } | { ok: false; reason: QuickRefusal } {
  if (file.size === 0) return { ok: false, reason: 'empty' };
  if (file.size > MAX_ATTACHMENT_BYTES) return { ok: false, reason: 'tooLarge' };
  const mediaType = uploadTypeOf(file);
  return mediaType ? { ok: true, mediaType } : { ok: false, reason: 'wrongType' };
}

/**
 * The value of the `X-File-Name` header: the name in Unicode's composed form, percent-encoded (a header
 * carries ASCII only; names are in every script).
 */
export function fileNameHeaderOf(name: string): string {
  return encodeURIComponent(name.normalize('NFC'));
}

/**
 * The file name a Content-Disposition header gives: `filename*` (RFC 8187, UTF-8) first, else the plain
 * `filename`; null when there is neither or it cannot be read.
 */
export function fileNameFromDisposition(header: string | null | undefined): string | null {
  if (!header) return null;
  const extended = /(?:^|;)\s*filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended && /^utf-8$/i.test(extended[1]!.trim())) {
    try {
      const name = decodeURIComponent(extended[2]!.trim());
      if (name !== '') return name;
    } catch {
      // A malformed escape: fall back to the plain parameter.
    }
  }
  const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1') || null;
  const bare = /(?:^|;)\s*filename\s*=\s*([^;\s]+)/i.exec(header);
  return bare?.[1] ?? null;
}

/** The short name of a format for the list (format names are the same in every language). */
const FORMAT_LABELS: ReadonlyMap<string, string> = new Map([
  ['application/pdf', 'PDF'],
  ['text/plain', 'TXT'],
  ['image/jpeg', 'JPEG'],
  ['image/png', 'PNG'],
  ['image/webp', 'WebP'],
  ['audio/mpeg', 'MP3'],
  ['audio/mp4', 'M4A'],
  ['audio/ogg', 'Ogg'],
  ['audio/wav', 'WAV'],
]);

/** "PNG" for `image/png`, "TXT" for `text/plain; charset=utf-8`; an unknown type as it is. */
export function formatLabelOf(mediaType: string): string {
  const main = (mediaType.split(';')[0] ?? '').trim().toLowerCase();
  return FORMAT_LABELS.get(main) ?? mediaType;
}

/** A name to save a file under when the server gave none: `attachment.png` for a PNG. */
export function fallbackFileNameOf(mediaType: string): string {
  const label = formatLabelOf(mediaType);
  return FORMAT_LABELS.has((mediaType.split(';')[0] ?? '').trim().toLowerCase())
    ? `attachment.${label === 'JPEG' ? 'jpg' : label.toLowerCase()}`
    : 'attachment';
}

/** A size in bytes as "812 bytes", "1.5 kB" or "3.2 MB" in the reader's language (binary multiples). */
export function formatSize(bytes: number, language: string): string {
  if (bytes < 1024) {
    // Bytes in full ("812 bytes"): the short form reads "812 byte" in several languages.
    return new Intl.NumberFormat([language], { style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(
      bytes,
    );
  }
  const [value, unit] =
    bytes < 1024 * 1024 ? [bytes / 1024, 'kilobyte'] : [bytes / (1024 * 1024), 'megabyte'];
  return new Intl.NumberFormat([language], {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: value < 10 ? 1 : 0,
  }).format(value);
}

/**
 * The list without file names, for the shared query cache. SECURITY: names are identifying; a revealed
 * list lives only in the attachments section's state, and only this stripped copy may be cached.
 */
export function withoutNames(list: AttachmentList): AttachmentList {
  return { ...list, items: list.items.map((item) => ({ ...item, name: null })) };
}

/** The list with a just-uploaded attachment first (the server lists newest first). */
export function withAdded(list: AttachmentList, added: Attachment): AttachmentList {
  return { ...list, items: [added, ...list.items.filter((item) => item.id !== added.id)] };
}
