import { api } from '../../api/client';
import { ApiError, isProblemDetails } from '../../api/problem';
import { i18n } from '../../i18n/i18n';
import { FALLBACK_LANGUAGE } from '../../i18n/languages';
import { required } from '../identity/organisations/queries';
import {
  fileNameFromDisposition,
  fileNameHeaderOf,
  type Attachment,
  type AttachmentList,
  type UploadMediaType,
} from './attachments';

/**
 * Query keys of a case's attachments (the list without names only). Kept outside the `cases` keys on
 * purpose: saving any part of a case invalidates every `cases` query, and each listing of attachments is
 * audited on the server, so the list is not re-read for changes that cannot affect it. Signing out or
 * switching organisation removes every query, these included.
 */
export const attachmentKeys = {
  list: (caseId: string) => ['caseAttachments', caseId] as const,
};

/** A case's attachments, newest first; with `reveal`, their names (the server wants a recent step-up). */
export function fetchAttachments(
  caseId: string,
  reveal: boolean,
  signal?: AbortSignal,
): Promise<AttachmentList> {
  return required(
    api.GET('/api/cases/{caseId}/attachments', {
      params: { path: { caseId }, query: { reveal: reveal ? 'true' : 'false' } },
      signal,
    }),
  );
}

/** An upload under way: its answer, and a way to stop it. */
export interface UploadRun {
  promise: Promise<Attachment>;
  abort: () => void;
}

/**
 * Sends a file to a case: the raw file as the body, its media type as Content-Type and its name
 * percent-encoded in `X-File-Name`. XMLHttpRequest rather than fetch, because only its upload events report
 * how much has been sent. The route takes no Idempotency-Key: a retry after a dropped connection may attach
 * the file twice, which the list then shows.
 */
export function uploadAttachment(
  caseId: string,
  file: File,
  mediaType: UploadMediaType,
  onProgress: (fraction: number) => void,
): UploadRun {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<Attachment>((resolve, reject) => {
    xhr.open('POST', `/api/cases/${encodeURIComponent(caseId)}/attachments`);
    xhr.withCredentials = true;
    xhr.responseType = 'text';
    xhr.setRequestHeader('Content-Type', mediaType);
    xhr.setRequestHeader('X-File-Name', fileNameHeaderOf(file.name));
    xhr.setRequestHeader('Accept-Language', i18n.resolvedLanguage ?? FALLBACK_LANGUAGE);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText) as unknown;
      } catch {
        body = undefined;
      }
      if (xhr.status === 201 && body) resolve(body as Attachment);
      else reject(new ApiError(xhr.status, isProblemDetails(body) ? body : undefined));
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}

/** A downloaded attachment: its bytes and the name the server gives it. */
export interface DownloadedFile {
  blob: Blob;
  fileName: string | null;
}

/**
 * Fetches an attachment's content (with the session cookie). The server wants a step-up in the last few
 * minutes and audits every download; a refusal is thrown as an {@link ApiError}, so a step-up guard can ask
 * for the passkey and try again.
 */
export async function downloadAttachment(caseId: string, attachmentId: string): Promise<DownloadedFile> {
  const { data, error, response } = await api.GET('/api/cases/{caseId}/attachments/{attachmentId}/content', {
    params: { path: { caseId, attachmentId } },
    parseAs: 'blob',
  });
  if (!response.ok || !(data instanceof Blob))
    throw new ApiError(response.status, isProblemDetails(error) ? error : undefined);
  return { blob: data, fileName: fileNameFromDisposition(response.headers.get('content-disposition')) };
}
