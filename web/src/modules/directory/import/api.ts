import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { ApiError, isProblemDetails } from '../../../api/problem';
import type { components } from '../../../api/schema';
import { i18n } from '../../../i18n/i18n';
import { FALLBACK_LANGUAGE } from '../../../i18n/languages';
import { required } from '../../identity/organisations/queries';
import { mappingParam } from '../../../ui';
import { mediaTypeOf, type ImportField } from './fields';

/** An import as the server reports it: detected columns, the row-by-row report, counts and progress. */
export type DirectoryImport = components['schemas']['DirectoryImport'];
/** One column of the uploaded file and the field it fills. */
export type ImportColumn = components['schemas']['ImportColumn'];
/** One problem of the dry run. */
export type ImportIssue = components['schemas']['ImportIssue'];

/**
 * Uploads a file for a dry run with XMLHttpRequest, whose upload events (unlike fetch's) report how much
 * has been sent, so a large file on a slow connection shows real progress.
 */
export function uploadImport(
  file: File,
  options: { mapping?: readonly (ImportField | null)[]; onProgress?: (fraction: number) => void },
): { promise: Promise<DirectoryImport>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<DirectoryImport>((resolve, reject) => {
    const query = new URLSearchParams({ fileName: file.name.slice(0, 200) });
    if (options.mapping) query.set('mapping', mappingParam(options.mapping));
    xhr.open('POST', `/api/directory/imports?${query}`);
    xhr.withCredentials = true;
    xhr.responseType = 'text';
    xhr.setRequestHeader('Content-Type', mediaTypeOf(file.name) ?? 'text/csv');
    xhr.setRequestHeader('Accept-Language', i18n.resolvedLanguage ?? FALLBACK_LANGUAGE);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText) as unknown;
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as DirectoryImport);
      else reject(new ApiError(xhr.status, isProblemDetails(body) ? body : undefined));
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}

/** Query keys of the import pages. */
export const importKeys = {
  one: (id: string) => ['directory', 'imports', id] as const,
};

/**
 * One import, polled every second while it is being committed so the progress bar moves. The server keeps
 * progress per process, so behind several processes a poll may show none until the commit ends.
 */
export function useImport(id: string | null, polling: boolean) {
  return useQuery({
    queryKey: importKeys.one(id ?? ''),
    enabled: id !== null,
    queryFn: ({ signal }) =>
      required(api.GET('/api/directory/imports/{importId}', { params: { path: { importId: id! } }, signal })),
    // Also while the server says it is committing: a proxy may have cut the commit's own request short.
    refetchInterval: (query) => (polling || query.state.data?.status === 'committing' ? 1000 : false),
  });
}

/** Commits a clean dry run (all rows in one transaction, or none). */
export function commitImport(id: string) {
  return required(
    api.POST('/api/directory/imports/{importId}/commit', { params: { path: { importId: id } } }),
  );
}
