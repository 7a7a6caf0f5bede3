import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import { AppError } from '../../kernel/http/errors.js';
import { passRouteGate, uuidParamBeforeBody } from '../../kernel/http/gate.js';
import {
  acceptedMediaTypes,
  contentDisposition,
  declaredFormat,
  fileNameHeader,
  maxAttachmentBytes,
  servedMediaTypes,
} from './cases.attachments.content.js';
import {
  attachmentListQuerySchema,
  attachmentListSchema,
  attachmentParamsSchema,
  attachmentSchema,
} from './cases.attachments.schemas.js';
import {
  assertMayUpload,
  downloadAttachment,
  listAttachments,
  uploadAttachment,
} from './cases.attachments.service.js';
import { caseParamsSchema } from './cases.schemas.js';

const tags = ['cases'];
const security = [{ session: [] }];
/** Case content: caseworkers and case supervisors (the case's own rules decide per case). */
const caseStaff: RoutePolicy = { access: 'member', roles: ['caseworker', 'case_supervisor'] };

/**
 * SECURITY: what a downloaded file may do if a browser opens it anyway: nothing. No script, no plugin, no
 * frame, no form, no request anywhere — and a sandbox, so even a viewer that ignored Content-Disposition
 * would render it in an opaque origin without Cairn's cookies or storage.
 */
export const downloadPolicy =
  "default-src 'none'; script-src-attr 'none'; object-src 'none'; frame-ancestors 'none'; " +
  "base-uri 'none'; form-action 'none'; sandbox";

/** An upload's headers: the file's name beside the file (here and for message attachments). */
export const uploadHeadersSchema = z.object({
  [fileNameHeader]: z
    .string()
    .max(4096)
    .optional()
    .describe('The file’s name, percent-encoded UTF-8 (kept sealed; never part of a path or URL)'),
});

/**
 * SECURITY: the app's gate runs at preValidation, after the body has been read. For a 20 MB upload the
 * caller, the case and the declared type are checked before: strangers and callers who may not add to this
 * case (404/403) cannot make the server receive their file.
 */
async function gateBeforeBody(request: FastifyRequest): Promise<void> {
  await passRouteGate(request, caseStaff);
  const { caseId } = uuidParamBeforeBody(caseParamsSchema, request, 'caseId');
  await assertMayUpload(contextOf(request), caseId);
  declaredFormat(request.headers['content-type']);
}

/** A case's attachments: upload (checked by content), list, and audited download. */
export async function attachmentRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  // The upload's body is the file itself. Fastify's own text/plain parser (a string, within the app's
  // body limit) is replaced in this plugin only.
  app.removeContentTypeParser(['text/plain']);
  app.addContentTypeParser(
    [...acceptedMediaTypes],
    { parseAs: 'buffer', bodyLimit: maxAttachmentBytes },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/cases/:caseId/attachments',
    {
      bodyLimit: maxAttachmentBytes,
      preParsing: async (request) => gateBeforeBody(request),
      config: { policy: caseStaff, rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'uploadCaseAttachment',
        summary: 'Attach a document, photo or recording to a case (up to 20 MB; checked by its content)',
        description:
          'The request body is the file, sent with its own media type: PDF, plain text (UTF-8), JPEG, PNG, ' +
          'WebP, HEIC (when this server can decode it), MP3, M4A, Ogg or WAV. The type is found from the ' +
          'content and must match the one declared; photos are re-encoded without their metadata (location ' +
          'included); PDFs with scripts, embedded files or launch actions are refused. The name goes in the ' +
          '`X-File-Name` header and is stored sealed. Needs the right to add entries to the case.',
        security,
        consumes: [...acceptedMediaTypes],
        params: caseParamsSchema,
        headers: uploadHeadersSchema,
        body: z.unknown().meta({ type: 'string', format: 'binary', description: 'The file' }),
        response: { 201: attachmentSchema },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw new AppError('unsupported_media_type');
      const attachment = await uploadAttachment(contextOf(request), request.params.caseId, {
        body: request.body,
        contentType: request.headers['content-type'],
        fileName: request.headers[fileNameHeader],
      });
      return reply.code(201).send(attachment);
    },
  );

  app.get(
    '/cases/:caseId/attachments',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'listCaseAttachments',
        summary: 'A case’s attachments, newest first (file names with `reveal=true`, after a step-up)',
        security,
        params: caseParamsSchema,
        querystring: attachmentListQuerySchema,
        response: { 200: attachmentListSchema },
      },
    },
    (request) => listAttachments(contextOf(request), request.params.caseId, request.query.reveal),
  );

  app.get(
    '/cases/:caseId/attachments/:attachmentId/content',
    {
      config: { policy: caseStaff, rateLimit: { max: 120, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'downloadCaseAttachment',
        summary: 'Download an attachment (after a step-up in the last 5 minutes); every download is audited',
        description:
          'Served as an attachment with the type found in its content, never to be displayed inline: ' +
          '`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`, `Cache-Control: no-store` ' +
          'and a sandboxing Content-Security-Policy.',
        security,
        produces: [...servedMediaTypes],
        params: attachmentParamsSchema,
        response: { 200: z.unknown().meta({ type: 'string', format: 'binary', description: 'The file' }) },
      },
    },
    async (request, reply) => {
      const file = await downloadAttachment(
        contextOf(request),
        request.params.caseId,
        request.params.attachmentId,
      );
      return reply
        .header('content-type', file.mediaType)
        .header('content-disposition', contentDisposition(file.fileName))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .header('content-security-policy', downloadPolicy)
        .header('cross-origin-resource-policy', 'same-origin')
        .send(file.content);
    },
  );
}
