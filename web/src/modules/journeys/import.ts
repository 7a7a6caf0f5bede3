import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { ApiError, isProblemDetails } from '../../api/problem';
import type { components } from '../../api/schema';
import { i18n } from '../../i18n/i18n';
import { mappingParam } from '../../ui/ColumnMapping';
import { FALLBACK_LANGUAGE } from '../../i18n/languages';
import { required } from '../identity/organisations/queries';

/** A route import as its importer sees it: status, progress, detected columns, counts and row-by-row report. */
export type JourneyImport = components['schemas']['JourneyImport'];
/** The layouts the server reads: the Victim Journey Tracker's columns, or IOM CTDC files. */
export type ImportLayout = JourneyImport['layout'];
export const IMPORT_LAYOUTS: readonly ImportLayout[] = ['tracker', 'ctdc'];

/** A field a column can fill (from the API's enum). */
export type ImportField = NonNullable<JourneyImport['columns'][number]['field']>;

/** The server's limits (server/modules/journeys/journeys.import.files.ts), checked here to save an upload. */
export const MAX_CSV_BYTES = 96 * 1024 * 1024;
export const MAX_XLSX_BYTES = 10 * 1024 * 1024;

const CSV = 'text/csv';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The media type to send for a file name, or null when the import does not read that kind of file. */
export function importMediaTypeOf(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return CSV;
  if (lower.endsWith('.xlsx')) return XLSX;
  return null;
}

/** Whether a file is over the server's limit for its kind. */
export function isTooLarge(file: { name: string; size: number }): boolean {
  return file.size > (importMediaTypeOf(file.name) === XLSX ? MAX_XLSX_BYTES : MAX_CSV_BYTES);
}

/**
 * Uploads a file with XMLHttpRequest, whose upload events (unlike fetch's) report how much has been sent, so
 * a large file shows real progress. The server checks the file before it answers; its dry run then runs in
 * the background (poll with useJourneyImport).
 */
export function uploadJourneyImport(
  file: File,
  options: {
    layout: ImportLayout;
    /** The field of each column; without it the server recognises the columns by their headers. */
    mapping?: readonly (ImportField | null)[];
    onProgress?: (fraction: number) => void;
  },
): { promise: Promise<JourneyImport>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<JourneyImport>((resolve, reject) => {
    const query = new URLSearchParams({ layout: options.layout, fileName: file.name.slice(0, 200) });
    if (options.mapping) query.set('mapping', mappingParam(options.mapping));
    xhr.open('POST', `/api/journeys/imports?${query}`);
    xhr.withCredentials = true;
    xhr.responseType = 'text';
    xhr.setRequestHeader('Content-Type', importMediaTypeOf(file.name) ?? CSV);
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
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as JourneyImport);
      else reject(new ApiError(xhr.status, isProblemDetails(body) ? body : undefined));
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}

/** Whether the server is still working on an import (its dry run or its commit). */
export const isRunning = (status: JourneyImport['status'] | undefined) =>
  status === 'uploading' || status === 'checking' || status === 'committing';

/** Query key of one import. */
export const journeyImportKey = (id: string) => ['journeys', 'imports', id] as const;

/** One import, polled every second while its dry run or commit runs, so the progress moves. */
export function useJourneyImport(id: string | null) {
  return useQuery({
    queryKey: journeyImportKey(id ?? ''),
    enabled: id !== null,
    queryFn: ({ signal }) =>
      required(api.GET('/api/journeys/imports/{importId}', { params: { path: { importId: id! } }, signal })),
    refetchInterval: (query) => (isRunning(query.state.data?.status) ? 1000 : false),
  });
}

/** Asks for the all-or-nothing commit of a clean dry run (it runs in the background). */
export function commitJourneyImport(id: string) {
  return required(
    api.POST('/api/journeys/imports/{importId}/commit', { params: { path: { importId: id } } }),
  );
}
