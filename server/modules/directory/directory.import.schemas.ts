import { z } from 'zod';
import { directoryFilterShape } from './directory.search.schemas.js';

/**
 * The columns an organisation file can fill, in the order the web offers them. List cells hold several
 * values separated by `;` (or `|`; code lists also by `,`). Exports use the same names as headers, so an
 * export can be imported again.
 */
export const importFields = [
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
] as const;
export type ImportField = (typeof importFields)[number];

/** Columns every file must map: without them an organisation cannot be listed. */
export const requiredImportFields: readonly ImportField[] = ['name', 'type', 'countries'];

/** The import's lifecycle: `checked` (dry run stored), `committing`, then `committed` or `failed`. */
export const importStatuses = ['checked', 'committing', 'committed', 'failed'] as const;
export type ImportStatus = (typeof importStatuses)[number];

/**
 * Reads `mapping` (one entry per column, in column order, comma-separated; an empty entry ignores that
 * column), or returns null when it names an unknown field or one field twice.
 */
export function parseMapping(text: string): (ImportField | null)[] | null {
  const entries = text.split(',').map((entry) => entry.trim());
  const seen = new Set<string>();
  const mapping: (ImportField | null)[] = [];
  for (const entry of entries) {
    if (entry === '') {
      mapping.push(null);
      continue;
    }
    if (!(importFields as readonly string[]).includes(entry) || seen.has(entry)) return null;
    seen.add(entry);
    mapping.push(entry as ImportField);
  }
  return mapping;
}

/**
 * SECURITY: a file name is recorded and shown, never used as a path, but a name no browser would send is
 * refused rather than stored: path separators or `.`/`..` (path tricks), control characters (NUL, line
 * breaks) and bidirectional overrides and isolates (which make `evil\u202Excs.exe` display as `evilexe.scx`).
 */
export function isPlainFileName(name: string): boolean {
  return (
    !/[/\\\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(name) &&
    name !== '.' &&
    name !== '..' &&
    !/^[A-Za-z]:/.test(name)
  );
}

export const importUploadQuerySchema = z.object({
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine(isPlainFileName, { params: { i18n: 'directory.import_bad_file_name' } })
    .describe('The uploaded file’s name, recorded as where the organisations came from'),
  mapping: z
    .string()
    .max(4000)
    .refine((text) => parseMapping(text) !== null, { params: { i18n: 'directory.import_bad_mapping' } })
    .optional()
    .describe(
      'Column → field, one comma-separated entry per column in order (empty = ignore the column), e.g. ' +
        '`name,type,,countries`. Without it the server proposes a mapping from the headers.',
    ),
});

export const importParamsSchema = z.object({ importId: z.uuid() });

export const importColumnSchema = z
  .object({
    index: z.number().int(),
    header: z.string(),
    field: z.enum(importFields).nullable().describe('The field this column fills, or null when ignored'),
    sample: z.string().describe('The first non-empty value of the column (shortened)'),
  })
  .meta({ id: 'ImportColumn' });

export const importIssueSchema = z
  .object({
    row: z.number().int().describe('Row in the file, the header being row 1 (0: the import as a whole)'),
    column: z.string().nullable().describe('The header of the column, when the problem is in one'),
    field: z.enum(importFields).nullable(),
    code: z.string().describe('Stable code, e.g. directory.import_unknown_country'),
    message: z.string().describe('The problem, in the reader’s language'),
  })
  .meta({ id: 'ImportIssue' });

export const importSchema = z
  .object({
    id: z.uuid(),
    fileName: z.string(),
    format: z.enum(['csv', 'xlsx']),
    status: z.enum(importStatuses),
    columns: z.array(importColumnSchema),
    counts: z.object({
      rows: z.number().int().describe('Organisations in the file'),
      valid: z.number().int(),
      invalid: z.number().int(),
      issues: z.number().int().describe('Problems found (the report lists the first 1,000)'),
      created: z.number().int().describe('Organisations created by the commit'),
    }),
    /** Problems row by row in file order: missing columns are on row 1 (the headers), a failed commit on row 0. */
    report: z.array(importIssueSchema),
    reportTruncated: z.boolean(),
    progress: z
      .object({ processed: z.number().int(), total: z.number().int() })
      .describe('While committing: rows written so far (per server process)'),
    canCommit: z.boolean().describe('True when the dry run found no problem and nothing was committed yet'),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'DirectoryImport' });
export type DirectoryImport = z.infer<typeof importSchema>;

export const exportFormats = ['csv', 'htcds'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const exportQuerySchema = z.object({
  ...directoryFilterShape,
  format: z
    .enum(exportFormats)
    .default('csv')
    .describe('`csv` (Cairn columns) or `htcds` (HTCDS v2 org_ fields)'),
});
export type ExportQuery = z.infer<typeof exportQuerySchema>;
