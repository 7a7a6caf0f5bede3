import { z } from 'zod';
import { attachmentKinds } from './cases.attachments.content.js';

export const attachmentParamsSchema = z.strictObject({ caseId: z.uuid(), attachmentId: z.uuid() });

export const attachmentListQuerySchema = z.strictObject({
  reveal: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('Include the file names (identifying: needs a step-up in the last 5 minutes)'),
});

export const attachmentSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(attachmentKinds),
    mediaType: z
      .string()
      .describe('The type found in the content (photos are re-encoded), not the declared one'),
    sizeBytes: z.number().int(),
    name: z.string().nullable().describe('The file name as uploaded; null unless revealed'),
    createdBy: z.object({ personId: z.uuid(), name: z.string() }).nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'CaseAttachment' });
export type Attachment = z.infer<typeof attachmentSchema>;

export const attachmentListSchema = z
  .object({
    items: z.array(attachmentSchema),
    abilities: z.object({
      upload: z.boolean().describe('The caller may attach files to this case'),
      download: z.boolean().describe('The caller may download (after a recent step-up)'),
    }),
  })
  .meta({ id: 'CaseAttachmentList' });
export type AttachmentList = z.infer<typeof attachmentListSchema>;
