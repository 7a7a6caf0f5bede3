import { z } from 'zod';
import { caseFileRecordSchema } from '../cases/index.js';
import { pageOf, tiers } from '../identity/index.js';
import { transferStates } from './referrals.transfers.policy.js';

/**
 * The contracts of transfers. Objects are strict: a write naming a field that does not exist is refused with
 * 400, never silently dropped. SECURITY: nothing here carries anything about the survivor but the sender's case
 * reference (a number that says nothing about them); the note and reasons are free text, sealed at rest.
 */

const text = (max: number) => z.string().trim().min(1).max(max);

export const transferParamsSchema = z.strictObject({ transferId: z.uuid() });

export const transferCreateSchema = z.strictObject({
  caseId: z.uuid(),
  recipientOrganisationId: z
    .uuid()
    .describe('The organisation that takes the case over: a live Transfer consent of the survivor names it'),
  keepRecord: z
    .boolean()
    .default(false)
    .describe('Keep a read-only record of the case as it was when it left (for the case supervisors)'),
  note: text(5_000).optional().describe('For the recipient; sealed at rest'),
  confirmNewPartner: z
    .boolean()
    .default(false)
    .describe('Required (true) when the two organisations have never worked together: both tiers were shown'),
});
export type TransferCreate = z.infer<typeof transferCreateSchema>;

export const transferReasonSchema = z.strictObject({
  reason: text(2_000).describe('Why: shown to both organisations; sealed at rest'),
});

export const transferListQuerySchema = z.strictObject({
  box: z.enum(['sent', 'received']),
  state: z.enum(transferStates).optional(),
  caseId: z.uuid().optional().describe('The transfers of one case (sent box only; 400 on the received box)'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type TransferListQuery = z.infer<typeof transferListQuerySchema>;

const organisationSchema = z.object({ id: z.uuid(), name: z.string(), tier: z.enum(tiers).nullable() });
const personSchema = z.object({ personId: z.uuid(), name: z.string() });

export const transferAbilitiesSchema = z.object({
  accept: z.boolean(),
  reject: z.boolean(),
  revoke: z.boolean(),
  viewRecord: z.boolean(),
});

/** A transfer in a list: no free text. */
export const transferSummarySchema = z
  .object({
    id: z.uuid(),
    caseId: z.uuid(),
    state: z.enum(transferStates),
    sender: organisationSchema,
    recipient: organisationSchema,
    senderReference: z.string().describe('The case’s reference at the sender (the recipient gives its own)'),
    keepRecord: z.boolean(),
    requestedAt: z.iso.datetime(),
    decidedAt: z.iso.datetime().nullable(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'TransferSummary' });
export type TransferSummary = z.infer<typeof transferSummarySchema>;

export const transferPageSchema = pageOf(transferSummarySchema, 'TransferPage');

export const transferSchema = transferSummarySchema
  .extend({
    note: z.string().nullable(),
    reason: z.string().nullable().describe('Why it was rejected (recipient) or revoked (sender)'),
    requestedBy: personSchema.nullable(),
    decidedBy: personSchema.nullable(),
    hasRecord: z.boolean(),
    newPartnerConfirmed: z.boolean(),
    version: z.number().int(),
    transitions: z.array(
      z.object({
        from: z.enum(transferStates).nullable(),
        to: z.enum(transferStates),
        byOrganisationId: z.uuid().nullable(),
        at: z.iso.datetime(),
      }),
    ),
    abilities: transferAbilitiesSchema,
  })
  .meta({ id: 'Transfer' });
export type Transfer = z.infer<typeof transferSchema>;

/** The sender's read-only record of a transferred case. */
export const transferRecordSchema = z
  .object({ transferId: z.uuid(), record: caseFileRecordSchema })
  .meta({ id: 'TransferRecord' });
export type TransferRecord = z.infer<typeof transferRecordSchema>;
