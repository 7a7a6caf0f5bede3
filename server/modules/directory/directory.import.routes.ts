import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkRoutePolicy, type RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import { isCrossSiteWrite } from '../../kernel/http/csrf.js';
import { AppError } from '../../kernel/http/errors.js';
import { exportDirectory } from './directory.export.js';
import { csvMediaType, maxImportBytes, xlsxMediaType } from './directory.import.files.js';
import {
  exportQuerySchema,
  importParamsSchema,
  importSchema,
  importUploadQuerySchema,
  parseMapping,
} from './directory.import.schemas.js';
import { checkImport, commitImport, getImport } from './directory.import.service.js';

const tags = ['directory'];
const session = { security: [{ session: [] }] };
/** Platform staff act as network coordinators: they import organisations. */
const coordinators: RoutePolicy = { access: 'platform', roles: ['moderator', 'platform_admin'] };
/** Signed in at the gate; the service lets members and platform staff export (the search audience `members`). */
const readers: RoutePolicy = { access: 'signed_in' };

/**
 * SECURITY: the app's gate runs at preValidation, after the body has been read; for a 10 MB upload the
 * caller is checked before, so strangers cannot make the server read (and buffer) their files.
 */
async function gateBeforeBody(request: FastifyRequest): Promise<void> {
  const kernel = request.server.kernel;
  if (isCrossSiteWrite(request, kernel.config.publicUrl)) throw new AppError('csrf_rejected');
  request.actor = await kernel.resolveActor(request);
  const gate = checkRoutePolicy(coordinators, request.actor);
  if (!gate.allowed) throw new AppError(gate.code);
}

/** Import of organisations from CSV and XLSX (dry run, then commit), and export of search results. */
export async function importRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  // The upload's body is the file itself. These parsers exist in this plugin only.
  app.addContentTypeParser(
    [csvMediaType, xlsxMediaType],
    { parseAs: 'buffer', bodyLimit: maxImportBytes },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/directory/imports',
    {
      bodyLimit: maxImportBytes,
      preParsing: async (request) => gateBeforeBody(request),
      config: { policy: coordinators, rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'checkImport',
        summary: 'Upload organisations (CSV or XLSX, up to 10 MB) for a dry run with a row-by-row report',
        description:
          'The request body is the file (`text/csv` in UTF-8, or an XLSX workbook: its first sheet is read). ' +
          'The first row holds the headers. Nothing is created: the checked rows are kept for an hour for ' +
          '`commitImport`. An unreadable file is refused with `validation_failed` (`directory.import_*`).',
        ...session,
        consumes: [csvMediaType, xlsxMediaType],
        querystring: importUploadQuerySchema,
        body: z.unknown().meta({ type: 'string', format: 'binary', description: 'The file' }),
        response: { 201: importSchema },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw new AppError('unsupported_media_type');
      const result = await checkImport(contextOf(request), {
        body: request.body,
        contentType: request.headers['content-type'],
        fileName: request.query.fileName,
        mapping:
          request.query.mapping === undefined
            ? undefined
            : (parseMapping(request.query.mapping) ?? undefined),
      });
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/directory/imports/:importId',
    {
      config: { policy: coordinators },
      schema: {
        tags,
        operationId: 'getImport',
        summary: 'One of my imports: its report, and its progress while it is being committed',
        ...session,
        params: importParamsSchema,
        response: { 200: importSchema },
      },
    },
    (request) => getImport(contextOf(request), request.params.importId),
  );

  app.post(
    '/directory/imports/:importId/commit',
    {
      config: { policy: coordinators },
      schema: {
        tags,
        operationId: 'commitImport',
        summary: 'Create every organisation of a clean dry run, in one transaction (all or nothing)',
        description:
          'Answers 409 when the dry run had problems, the import is already committed, or the commit failed ' +
          '(then nothing was created and the import’s report says why).',
        ...session,
        params: importParamsSchema,
        response: { 200: importSchema },
      },
    },
    (request) => commitImport(contextOf(request), request.params.importId),
  );

  app.get(
    '/directory/export',
    {
      config: { policy: readers, rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'exportDirectory',
        summary: 'Download the organisations of a search (members): Cairn CSV or HTCDS v2 org_ records',
        description:
          'The same filters as search; at most 5,000 organisations, with only the fields the caller may see ' +
          '(hidden locations have no place or coordinates).',
        ...session,
        produces: ['text/csv'],
        querystring: exportQuerySchema,
        response: { 200: z.string().describe('A CSV file (UTF-8 with a byte order mark)') },
      },
    },
    async (request, reply) => {
      const file = await exportDirectory(contextOf(request), request.query);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'no-store')
        .send(file.body);
    },
  );
}
