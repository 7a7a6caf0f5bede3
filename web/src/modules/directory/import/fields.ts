import type { components } from '../../../api/schema';

/** A field a column can fill (from the API's enum). */
export type ImportField = NonNullable<components['schemas']['ImportColumn']['field']>;

/** Every field a column can fill, in the order the server offers them (the compiler rejects a field the API does not have). */
export const IMPORT_FIELDS = [
  'name',
  'type',
  'countries',
  'otherNames',
  'website',
  'description',
  'descriptionLanguage',
  'services',
  'populations',
  'exploitationTypes',
  'focus',
  'industries',
  'languages',
  'regions',
  'networks',
  'city',
  'officeCountry',
  'street',
  'postalCode',
  'phone',
  'email',
] as const satisfies readonly ImportField[];

/** Fields every file must map. */
export const REQUIRED_FIELDS: readonly ImportField[] = ['name', 'type', 'countries'];

/** The largest file the server accepts. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

const MEDIA_TYPES = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/**
 * The media type to send a file as, from its extension. The browser's own guess is not used: on Windows it
 * calls a .csv file "application/vnd.ms-excel".
 */
export function mediaTypeOf(fileName: string): string | null {
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  return extension === 'csv' ? MEDIA_TYPES.csv : extension === 'xlsx' ? MEDIA_TYPES.xlsx : null;
}

/** The search filters an export takes (GET /api/directory/export): the same names as the search page's. */
const EXPORT_FILTERS = [
  'q',
  'service',
  'population',
  'exploitation',
  'country',
  'region',
  'language',
  'focus',
  'industry',
  'type',
  'network',
  'tier',
] as const;

/** The export address for these search parameters (paging, sorting and distance left out) and a format. */
export function exportHref(params: URLSearchParams, format: 'csv' | 'htcds'): string {
  const query = new URLSearchParams();
  for (const name of EXPORT_FILTERS) for (const value of params.getAll(name)) query.append(name, value);
  query.set('format', format);
  return `/api/directory/export?${query.toString()}`;
}
