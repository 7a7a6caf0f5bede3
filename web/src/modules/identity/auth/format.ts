/** A date and time in the reader's language, e.g. "3 Mar 2025, 14:05" (or "٣ مارس ٢٠٢٥، ٢:٠٥ م"). */
export function formatDateTime(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/**
 * Splits a base32 secret into groups of four so it can be read and typed without losing one's place
 * (authenticator apps ignore the spaces).
 */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

/** The text file of recovery codes a person downloads: a heading line, the date, then one code a line. */
export function recoveryCodesFile(heading: string, generatedAt: string, codes: readonly string[]): string {
  // CRLF so the file reads correctly in Windows Notepad too; people open it wherever they saved it.
  return [heading, generatedAt, '', ...codes, ''].join('\r\n');
}
