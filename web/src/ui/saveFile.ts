/** How long a saved file's object URL lives: long enough for the browser to start the download. */
const OBJECT_URL_LIFETIME_MS = 1_000;

/**
 * Hands a file made or downloaded in the page to the browser to save under `fileName`. SECURITY: the bytes
 * are wrapped as `application/octet-stream`, so the blob URL (which has Cairn's origin) can only ever be
 * saved, never rendered as a document; and the URL is revoked right after the download starts, so the file
 * does not stay reachable from the page.
 */
export function saveFile(content: Blob | string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), OBJECT_URL_LIFETIME_MS);
  }
}
