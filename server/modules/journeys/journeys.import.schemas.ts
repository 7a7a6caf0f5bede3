import { z } from 'zod';
import { isPlainFileName } from '../directory/index.js';
import {
  ctdcFields,
  importLayouts,
  parseMapping,
  trackerFields,
  type ImportField,
} from './journeys.import.rows.js';

/** The contracts of route imports (issue 7, "Ways in"). */

/** Every field a column can fill, in either layout. */
const importFields = [...new Set([...trackerFields, ...ctdcFields])] as [ImportField, ...ImportField[]];

/** uploading → checking → checked → committing → committed, or failed. */
export const journeyImportStatuses = [
  'uploading',
  'checking',
  'checked',
  'committing',
  'committed',
  'failed',
] as const;
export type JourneyImportStatus = (typeof journeyImportStatuses)[number];

export const journeyImportUploadQuerySchema = z
  .object({
    layout: z
      .enum(importLayouts)
      .describe('tracker: the Victim Journey Tracker’s columns; ctdc: IOM CTDC files'),
    fileName: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine(isPlainFileName, { params: { i18n: 'journeys.import_bad_file_name' } })
      .describe('The uploaded file’s name (kept sealed with the import, shown only to its importer)'),
    mapping: z
      .string()
      .max(4000)
      .optional()
      .describe(
        'One field per column, comma-separated, in column order (empty = ignore the column); without it the ' +
          'columns are recognised by their headers',
      ),
  })
  .strict()
  .superRefine((query, ctx) => {
    if (query.mapping !== undefined && parseMapping(query.layout, query.mapping) === null)
      ctx.addIssue({ code: 'custom', path: ['mapping'], params: { i18n: 'journeys.import_bad_mapping' } });
  });

export const journeyImportParamsSchema = z.strictObject({ importId: z.uuid() });

export const journeyImportSchema = z
  .object({
    id: z.uuid(),
    layout: z.enum(importLayouts),
    format: z.enum(['csv', 'xlsx']),
    status: z.enum(journeyImportStatuses),
    fileName: z.string(),
    columns: z.array(
      z.object({
        index: z.number().int(),
        header: z.string(),
        field: z.enum(importFields).nullable().describe('The field the column fills, or null when ignored'),
        sample: z.string().describe('The first value of the column, shortened'),
      }),
    ),
    fields: z
      .array(z.enum(importFields))
      .describe('The fields a column can fill in this layout, in order (a `mapping` names them)'),
    requiredFields: z.array(z.enum(importFields)).describe('The fields a file of this layout must map'),
    counts: z.object({
      rows: z.number().int(),
      valid: z.number().int(),
      invalid: z.number().int(),
      issues: z.number().int(),
      created: z.number().int(),
    }),
    report: z.array(
      z.object({
        row: z.number().int().describe('Line of the file (1 = the header; 0 = the whole file)'),
        column: z.string().nullable(),
        code: z.string().describe('Stable code, e.g. journeys.import_bad_country'),
        message: z.string().describe('The reason, in the reader’s language'),
      }),
    ),
    reportTruncated: z.boolean(),
    progress: z.object({ processed: z.number().int(), total: z.number().int() }),
    canCommit: z.boolean(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'JourneyImport' });
export type JourneyImport = z.infer<typeof journeyImportSchema>;
