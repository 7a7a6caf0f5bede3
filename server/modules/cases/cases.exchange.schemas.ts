import { z } from 'zod';
import { isPlainFileName } from '../directory/index.js';
import { caseKeyColumn, mappableColumns, recordTypes } from './cases.htcds.js';
import { exportFormats, importFormats } from './cases.htcds.files.js';
import { caseStatuses } from './cases.vocabulary.js';

/** The contracts of HTCDS exchange: exports (direct, and bulk with a second supervisor's approval) and imports. */

/** The most cases one export may hold. */
export const maxExportCases = 10_000;

/**
 * The archive's password. SECURITY: checked here (12 to 256 characters, not only spaces), used once to
 * encrypt the archive, never stored, never logged (`password` is a redacted log key), never echoed in errors.
 */
export const exportPasswordSchema = z
  .string()
  .min(12)
  .max(256)
  .refine((value) => value.trim().length >= 12, { params: { i18n: 'cases.export_password_blank' } })
  .describe('The password that encrypts the archive (AES-256): 12 to 256 characters. Never stored.');

const format = z
  .enum(exportFormats)
  .describe('`csv` (one file per record type, official column names), `json` (nested records) or `xlsx`');
const includeIdentifying = z
  .boolean()
  .default(false)
  .describe('Include the identifying sections (names, contact, documents, narratives, notes)');

/** A direct export of one case (anyone who can read it, after a step-up). */
export const caseExportInputSchema = z.strictObject({
  format,
  includeIdentifying,
  password: exportPasswordSchema,
});

export const exportRequestInputSchema = z
  .strictObject({
    scope: z
      .enum(['selected', 'all'])
      .describe('`selected`: the cases named in `caseIds`; `all`: every case the requester can reach'),
    caseIds: z
      .array(z.uuid())
      .max(maxExportCases)
      .refine((ids) => new Set(ids).size === ids.length, { params: { i18n: 'cases.duplicate_value' } })
      .optional()
      .describe('With `selected`: two or more cases (one case is exported directly)'),
    status: z.enum(caseStatuses).optional().describe('With `all`: only cases of this status'),
    format,
    includeIdentifying,
  })
  .superRefine((value, issue) => {
    if (value.scope === 'selected' && (value.caseIds?.length ?? 0) < 2)
      issue.addIssue({ code: 'custom', path: ['caseIds'], params: { i18n: 'cases.export_needs_cases' } });
    if (value.scope === 'all' && value.caseIds !== undefined)
      issue.addIssue({ code: 'custom', path: ['caseIds'], params: { i18n: 'cases.export_ids_with_all' } });
    if (value.scope === 'selected' && value.status !== undefined)
      issue.addIssue({
        code: 'custom',
        path: ['status'],
        params: { i18n: 'cases.export_status_with_selected' },
      });
  });
export type ExportRequestInput = z.infer<typeof exportRequestInputSchema>;

export const exportRequestStatuses = ['pending', 'approved', 'rejected', 'downloaded', 'expired'] as const;

const person = z.object({ personId: z.uuid(), name: z.string() }).nullable();

export const exportRequestSchema = z
  .object({
    id: z.uuid(),
    scope: z.enum(['selected', 'all']),
    caseCount: z.number().int(),
    format: z.enum(exportFormats),
    includeIdentifying: z.boolean(),
    status: z.enum(exportRequestStatuses),
    requestedBy: person,
    decidedBy: person,
    decidedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().describe('Pending: until a decision is due; approved: until the download'),
    downloadedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    abilities: z.object({
      decide: z.boolean().describe('A supervisor other than the requester, while it is pending'),
      download: z.boolean().describe('The requester, once approved, within 24 hours, once'),
    }),
  })
  .meta({ id: 'CaseExportRequest' });
export type ExportRequest = z.infer<typeof exportRequestSchema>;

export const exportRequestListSchema = z.object({ items: z.array(exportRequestSchema) });
export const exportRequestParamsSchema = z.strictObject({ requestId: z.uuid() });
export const exportDecisionInputSchema = z.strictObject({ decision: z.enum(['approve', 'reject']) });
export const exportDownloadInputSchema = z.strictObject({ password: exportPasswordSchema });

/** The archive as the API describes it (the body is the zip itself). */
export const archiveSchema = z
  .unknown()
  .meta({ type: 'string', format: 'binary', description: 'A zip archive encrypted with AES-256' });

// ---------------------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------------------

/**
 * Reads `mapping`: one entry per column of the cases table, comma-separated, naming the HTCDS column it
 * fills (or `_case_key`; empty = not read). Null when it names an unknown column or one column twice.
 */
export function parseCaseMapping(text: string): (string | null)[] | null {
  const seen = new Set<string>();
  const mapping: (string | null)[] = [];
  for (const entry of text.split(',').map((part) => part.trim())) {
    if (entry === '') {
      mapping.push(null);
      continue;
    }
    if ((entry !== caseKeyColumn && !mappableColumns.includes(entry)) || seen.has(entry)) return null;
    seen.add(entry);
    mapping.push(entry);
  }
  return mapping;
}

export const importUploadQuerySchema = z.object({
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine(isPlainFileName, { params: { i18n: 'cases.import_bad_file_name' } })
    .describe('The uploaded file’s name (kept sealed with the import, shown only to its importer)'),
  mapping: z
    .string()
    .max(4000)
    .refine((text) => parseCaseMapping(text) !== null, { params: { i18n: 'cases.import_bad_mapping' } })
    .optional()
    .describe(
      'Columns of the cases table → HTCDS columns, one comma-separated entry per column in order (empty = ' +
        'ignore), e.g. `_case_key,prs_FirstName,,prs_Gender`. Without it the server reads the headers.',
    ),
  incomplete: z
    .enum(['refuse', 'draft'])
    .default('refuse')
    .describe('Cases without gender or trafficking status: a row problem (`refuse`) or saved as drafts'),
});

export const importParamsSchema = z.strictObject({ importId: z.uuid() });

export const importStatuses = ['checked', 'committing', 'committed', 'failed'] as const;
export type ImportStatus = (typeof importStatuses)[number];

export const caseImportIssueSchema = z
  .object({
    record: z.enum(recordTypes).describe('The table (file, sheet, or JSON list) the problem is in'),
    row: z
      .number()
      .int()
      .describe(
        'Row in the table, the header being row 1 (JSON: the case’s position); 0: the file as a whole',
      ),
    item: z.number().int().nullable().describe('JSON: the position of a related record inside its case'),
    column: z.string().nullable().describe('The HTCDS column (or the header), when the problem is in one'),
    code: z.string().describe('Stable code, e.g. cases.import_unknown_value'),
    message: z.string().describe('The problem, in the reader’s language'),
  })
  .meta({ id: 'CaseImportIssue' });

export const caseImportSchema = z
  .object({
    id: z.uuid(),
    format: z.enum(importFormats),
    status: z.enum(importStatuses),
    columns: z.array(
      z.object({
        record: z.enum(recordTypes),
        index: z.number().int(),
        header: z.string(),
        column: z.string().nullable().describe('The HTCDS column it fills, or null when it is not read'),
      }),
    ),
    counts: z.object({
      cases: z.number().int().describe('Cases in the file'),
      valid: z.number().int(),
      invalid: z.number().int(),
      issues: z.number().int().describe('Problems found (the report lists the first 1,000)'),
      created: z.number().int().describe('Cases created by the commit'),
    }),
    report: z.array(caseImportIssueSchema),
    reportTruncated: z.boolean(),
    progress: z
      .object({ processed: z.number().int(), total: z.number().int() })
      .describe('While committing: cases written so far (per server process)'),
    canCommit: z.boolean(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'CaseImport' });
export type CaseImport = z.infer<typeof caseImportSchema>;
