import { z } from 'zod';
import { attachmentKinds } from '../cases/index.js';
import { threadSubjectKinds } from './referrals.threads.js';

/** The longest message, in characters (after trimming). */
export const maxMessageLength = 10_000;
/** The most people one message may mention. */
export const maxMentions = 20;
/** Messages per page of a thread. */
export const defaultMessagePage = 50;

export const threadParamsSchema = z.strictObject({ threadId: z.uuid() });
export const messageParamsSchema = z.strictObject({ threadId: z.uuid(), messageId: z.uuid() });

export const subjectKindSchema = z.enum(threadSubjectKinds).describe('What the thread is about');

export const threadListQuerySchema = z.strictObject({
  subjectKind: subjectKindSchema,
  subjectId: z.uuid(),
});

export const openThreadSchema = z.strictObject({
  subjectKind: subjectKindSchema,
  subjectId: z.uuid(),
  withOrganisationId: z
    .uuid()
    .optional()
    .describe(
      'The other party, for a support request: the requester names one of its recipients (required), a ' +
        'recipient may omit it (the requester). Ignored for referrals and transfers.',
    ),
});
export type OpenThreadInput = z.infer<typeof openThreadSchema>;

export const threadQuerySchema = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(100).default(defaultMessagePage),
    before: z
      .string()
      .max(200)
      .optional()
      .describe('`olderCursor` of a previous answer: the page of messages before it'),
    after: z
      .uuid()
      .optional()
      .describe('A message id: only the messages after it (catching up after a live event or a reconnect)'),
  })
  .refine((query) => query.before === undefined || query.after === undefined, {
    params: { i18n: 'referrals.message_before_and_after' },
    path: ['after'],
  });
export type ThreadQuery = z.infer<typeof threadQuerySchema>;

export const postMessageSchema = z.strictObject({
  text: z
    .string()
    .trim()
    .max(maxMessageLength)
    .refine((text) => text.length > 0, { params: { i18n: 'referrals.message_empty' } }),
  mentions: z
    .array(z.uuid())
    .max(maxMentions)
    .default([])
    .describe('People to notify (ids): each must be a member of one of the thread’s organisations'),
});
export type PostMessageInput = z.infer<typeof postMessageSchema>;

const organisationRefSchema = z.object({ organisationId: z.uuid(), name: z.string() });
const personRefSchema = z.object({ personId: z.uuid(), name: z.string() });

export const threadSummarySchema = z
  .object({
    id: z.uuid(),
    subjectKind: subjectKindSchema,
    subjectId: z.uuid(),
    subjectPath: z.string().describe('Where the subject is in the web app'),
    parties: z.array(organisationRefSchema),
    open: z.boolean().describe('False once the subject has ended: the thread can be read, not written'),
    lastMessageAt: z.string().nullable(),
    unread: z.number().int().describe('Messages the caller has not read (their own excluded)'),
  })
  .meta({ id: 'MessageThreadSummary' });
export type ThreadSummary = z.infer<typeof threadSummarySchema>;

export const threadListSchema = z
  .object({ items: z.array(threadSummarySchema) })
  .meta({ id: 'MessageThreadList' });
export type ThreadList = z.infer<typeof threadListSchema>;

export const messageAttachmentSchema = z
  .object({
    kind: z.enum(attachmentKinds),
    mediaType: z.string().describe('The type found in the content (photos are re-encoded)'),
    sizeBytes: z.number().int(),
    name: z.string(),
  })
  .meta({ id: 'MessageAttachment' });

export const messageSchema = z
  .object({
    id: z.uuid(),
    threadId: z.uuid(),
    author: z.object({
      organisationId: z.uuid(),
      personId: z.uuid().nullable(),
      name: z.string().nullable().describe('The professional who wrote it; null if their account is gone'),
    }),
    mine: z.boolean(),
    text: z.string().describe('Empty for a message that only carries an attachment'),
    mentions: z.array(personRefSchema),
    attachment: messageAttachmentSchema.nullable(),
    createdAt: z.string(),
    readBy: z
      .array(personRefSchema.extend({ readAt: z.string() }))
      .describe('Who of the other organisations has read it (read receipts)'),
  })
  .meta({ id: 'Message' });
export type Message = z.infer<typeof messageSchema>;

export const threadSchema = threadSummarySchema
  .extend({
    messages: z.array(messageSchema).describe('Oldest first'),
    olderCursor: z
      .string()
      .nullable()
      .describe('Pass as `before` for the page of older messages; null at the first message'),
    moreAfter: z.boolean().describe('With `after`: more messages follow than this page holds'),
    abilities: z.object({
      post: z.boolean().describe('The caller may write here (the subject is open)'),
      download: z.boolean().describe('The caller may download attachments (after a recent step-up)'),
    }),
  })
  .meta({ id: 'MessageThread' });
export type Thread = z.infer<typeof threadSchema>;

export const threadParticipantsSchema = z
  .object({
    people: z.array(
      z.object({
        personId: z.uuid(),
        displayName: z.string(),
        organisationId: z.uuid(),
        organisationName: z.string(),
      }),
    ),
  })
  .meta({ id: 'MessageThreadParticipants' });
export type ThreadParticipants = z.infer<typeof threadParticipantsSchema>;

export const unreadSchema = z
  .object({
    total: z.number().int(),
    threads: z.array(
      z.object({
        threadId: z.uuid(),
        subjectKind: subjectKindSchema,
        subjectId: z.uuid(),
        unread: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'MessageUnreadCounts' });
export type UnreadCounts = z.infer<typeof unreadSchema>;

export const readMarkSchema = z
  .object({ threadId: z.uuid(), readAt: z.string(), unread: z.number().int() })
  .meta({ id: 'MessageReadMark' });
export type ReadMark = z.infer<typeof readMarkSchema>;
