import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contextOf } from '../../kernel/context.js';
import { AppError } from '../../kernel/http/errors.js';
import { passRouteGate, uuidParamBeforeBody } from '../../kernel/http/gate.js';
import {
  acceptedMediaTypes,
  attachmentDownloadPolicy,
  contentDisposition,
  declaredFormat,
  fileNameHeader,
  maxAttachmentBytes,
  servedMediaTypes,
  uploadHeadersSchema,
} from '../cases/index.js';
import {
  messageParamsSchema,
  messageSchema,
  openThreadSchema,
  postMessageSchema,
  readMarkSchema,
  threadListQuerySchema,
  threadListSchema,
  threadParamsSchema,
  threadQuerySchema,
  threadParticipantsSchema,
  threadSchema,
  threadSummarySchema,
  unreadSchema,
} from './referrals.messages.schemas.js';
import {
  assertMayPost,
  downloadMessageAttachment,
  getThread,
  listThreadParticipants,
  listThreads,
  markThreadRead,
  openThread,
  postAttachment,
  postMessage,
  threadPolicy,
  unreadCounts,
} from './referrals.messages.service.js';
import { heartbeatMs, retryMs, streamHubOf } from './referrals.messages.stream.js';

const tags = ['referrals'];
const security = [{ session: [] }];

/**
 * SECURITY: the app's gate runs at preValidation, after the body has been read. For an upload of up to 20 MB,
 * the caller, the thread and the declared type are checked first: strangers (404) and ended subjects (409)
 * cannot make the server receive their file.
 */
async function gateBeforeBody(request: FastifyRequest): Promise<void> {
  await passRouteGate(request, threadPolicy);
  const { threadId } = uuidParamBeforeBody(threadParamsSchema, request, 'threadId');
  await assertMayPost(contextOf(request), threadId);
  declaredFormat(request.headers['content-type']);
}

/** Attachments: the body is the file itself, so this plugin alone replaces the text/plain parser. */
async function attachmentRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  app.removeContentTypeParser(['text/plain']);
  app.addContentTypeParser(
    [...acceptedMediaTypes],
    { parseAs: 'buffer', bodyLimit: maxAttachmentBytes },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/threads/:threadId/attachments',
    {
      bodyLimit: maxAttachmentBytes,
      preParsing: async (request) => gateBeforeBody(request),
      config: { policy: threadPolicy, rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'postThreadAttachment',
        summary: 'Send a file as a message (up to 20 MB; the same checks as case attachments)',
        description:
          'The request body is the file, sent with its own media type: PDF, plain text (UTF-8), JPEG, PNG, ' +
          'WebP, HEIC (when this server can decode it), MP3, M4A, Ogg or WAV. The type is found from the ' +
          'content and must match the one declared; photos are re-encoded without their metadata; PDFs with ' +
          'scripts, embedded files or launch actions and files readable as two formats are refused. The name ' +
          'goes in the `X-File-Name` header; name and file are encrypted at rest. 409 once the subject ended.',
        security,
        consumes: [...acceptedMediaTypes],
        params: threadParamsSchema,
        headers: uploadHeadersSchema,
        body: z.unknown().meta({ type: 'string', format: 'binary', description: 'The file' }),
        response: { 201: messageSchema },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw new AppError('unsupported_media_type');
      const message = await postAttachment(contextOf(request), request.params.threadId, {
        body: request.body,
        contentType: request.headers['content-type'],
        fileName: request.headers[fileNameHeader],
      });
      return reply.code(201).send(message);
    },
  );
}

/** The message routes of the referrals module: threads, messages, receipts, attachments and live events. */
export async function messageRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const hub = streamHubOf(app.kernel);
  // Open streams would keep the server from closing: they end before it closes, and listening stops after.
  app.addHook('preClose', () => {
    hub.closeStreams();
  });
  app.addHook('onClose', async () => {
    await hub.stop();
  });

  app.get(
    '/threads',
    {
      config: { policy: threadPolicy },
      schema: {
        tags,
        operationId: 'listThreads',
        summary: 'My message threads about a referral, a transfer or a support request',
        security,
        querystring: threadListQuerySchema,
        response: { 200: threadListSchema },
      },
    },
    (request) => listThreads(contextOf(request), request.query),
  );

  app.post(
    '/threads',
    {
      config: { policy: threadPolicy, rateLimit: { max: 60, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'openThread',
        summary: 'Open the thread about a subject with its other party (or get the one that exists)',
        description:
          '201 when the thread was made now, 200 when it existed. A support request has one thread per ' +
          'requester–recipient pair; a referral or a transfer has one. A new thread on an ended subject is 409.',
        security,
        body: openThreadSchema,
        response: { 200: threadSummarySchema, 201: threadSummarySchema },
      },
    },
    async (request, reply) => {
      const { created, thread } = await openThread(contextOf(request), request.body);
      return reply.code(created ? 201 : 200).send(thread);
    },
  );

  app.get(
    '/threads/unread',
    {
      config: { policy: threadPolicy },
      schema: {
        tags,
        operationId: 'getUnreadThreadCounts',
        summary: 'How many messages I have not read, per thread I may see',
        security,
        response: { 200: unreadSchema },
      },
    },
    (request) => unreadCounts(contextOf(request)),
  );

  app.get(
    '/threads/stream',
    {
      config: { policy: threadPolicy, rateLimit: { max: 60, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'streamThreadEvents',
        summary: 'Live events of every thread I may see (Server-Sent Events)',
        description:
          'Send `Accept: text/event-stream` (EventSource does; anything else is 406). Events: `ready` (first ' +
          'connection), `message` (`{threadId, messageId}`), `read` (`{threadId}`: someone read), `resync` ' +
          '(events were missed: refetch). Every event has an id; reconnect with `Last-Event-ID` to get what ' +
          `was missed. A comment every ${heartbeatMs / 1000} s keeps the connection open; \`retry: ${retryMs}\` ` +
          'is suggested. Events never carry a text or a name: fetch the thread (`after` the last message seen).',
        security,
        produces: ['text/event-stream'],
        headers: z.object({
          'last-event-id': z.string().max(100).optional().describe('The id of the last event received'),
        }),
        response: { 200: z.string().describe('text/event-stream') },
      },
    },
    async (request, reply) => {
      await hub.open(request, reply);
    },
  );

  app.get(
    '/threads/:threadId',
    {
      config: { policy: threadPolicy },
      schema: {
        tags,
        operationId: 'getThread',
        summary: 'A thread with a page of its messages (oldest first) and read receipts; reading is audited',
        security,
        params: threadParamsSchema,
        querystring: threadQuerySchema,
        response: { 200: threadSchema },
      },
    },
    (request) => getThread(contextOf(request), request.params.threadId, request.query),
  );

  app.get(
    '/threads/:threadId/participants',
    {
      config: { policy: threadPolicy },
      schema: {
        tags,
        operationId: 'listThreadParticipants',
        summary: 'The people of the thread’s organisations who may read it (to mention them); no email',
        security,
        params: threadParamsSchema,
        response: { 200: threadParticipantsSchema },
      },
    },
    (request) => listThreadParticipants(contextOf(request), request.params.threadId),
  );

  app.post(
    '/threads/:threadId/messages',
    {
      config: { policy: threadPolicy, idempotent: true, rateLimit: { max: 120, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'postThreadMessage',
        summary: 'Write a message (encrypted at rest); 409 once the subject ended',
        security,
        params: threadParamsSchema,
        body: postMessageSchema,
        response: { 201: messageSchema },
      },
    },
    async (request, reply) => {
      const message = await postMessage(contextOf(request), request.params.threadId, request.body);
      return reply.code(201).send(message);
    },
  );

  app.put(
    '/threads/:threadId/read',
    {
      config: { policy: threadPolicy },
      schema: {
        tags,
        operationId: 'markThreadRead',
        summary: 'Mark the thread read up to its latest message (read receipts)',
        security,
        params: threadParamsSchema,
        response: { 200: readMarkSchema },
      },
    },
    (request) => markThreadRead(contextOf(request), request.params.threadId),
  );

  app.get(
    '/threads/:threadId/messages/:messageId/attachment',
    {
      config: { policy: threadPolicy, rateLimit: { max: 120, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'downloadThreadAttachment',
        summary:
          'Download a message’s file (after a step-up in the last 5 minutes); every download is audited',
        description:
          'Served as an attachment with the type found in its content, never to be displayed inline: ' +
          '`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`, `Cache-Control: no-store` ' +
          'and a sandboxing Content-Security-Policy.',
        security,
        produces: [...servedMediaTypes],
        params: messageParamsSchema,
        response: { 200: z.unknown().meta({ type: 'string', format: 'binary', description: 'The file' }) },
      },
    },
    async (request, reply) => {
      const file = await downloadMessageAttachment(
        contextOf(request),
        request.params.threadId,
        request.params.messageId,
      );
      return reply
        .header('content-type', file.mediaType)
        .header('content-disposition', contentDisposition(file.fileName))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .header('content-security-policy', attachmentDownloadPolicy)
        .header('cross-origin-resource-policy', 'same-origin')
        .send(file.content);
    },
  );

  await app.register(attachmentRoutes);
}
