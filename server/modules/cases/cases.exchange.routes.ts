import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import { AppError } from '../../kernel/http/errors.js';
import { passRouteGate } from '../../kernel/http/gate.js';
import { maxImportBytes } from '../directory/index.js';
import {
  decideExport,
  downloadExport,
  exportCaseFile,
  listExportRequests,
  requestExport,
  type ExportArchive,
} from './cases.exchange.export.js';
import { checkCaseImport, commitCaseImport, getCaseImport } from './cases.exchange.import.js';
import {
  archiveSchema,
  caseExportInputSchema,
  caseImportSchema,
  exportDecisionInputSchema,
  exportDownloadInputSchema,
  exportRequestInputSchema,
  exportRequestListSchema,
  exportRequestParamsSchema,
  exportRequestSchema,
  importParamsSchema,
  importUploadQuerySchema,
  parseCaseMapping,
} from './cases.exchange.schemas.js';
import { importMediaTypes, jsonMediaType, zipMediaType } from './cases.htcds.files.js';
import { caseParamsSchema } from './cases.schemas.js';

const tags = ['cases'];
const security = [{ session: [] }];
/** Case content: caseworkers and case supervisors (as the case routes). */
const caseStaff: RoutePolicy = { access: 'member', roles: ['caseworker', 'case_supervisor'] };
const supervisors: RoutePolicy = { access: 'member', roles: ['case_supervisor'] };
/**
 * Exports are few and heavy: a tight limit per person on top of the step-up and the audit. It runs after
 * the route gate (preHandler), so it counts per person rather than per address, and callers refused at the
 * gate never use it up.
 */
const exportRateLimit = {
  max: 10,
  timeWindow: 60_000,
  hook: 'preHandler' as const,
  keyGenerator: (request: FastifyRequest) =>
    request.actor.kind === 'person' ? `cases-export:${request.actor.personId}` : request.ip,
};

/**
 * SECURITY: the app's gate runs at preValidation, after the body has been read; for a 10 MB upload the
 * caller is checked before, so strangers cannot make the server read (and buffer) their files.
 */
async function gateBeforeBody(request: FastifyRequest): Promise<void> {
  await passRouteGate(request, caseStaff);
}

/** Sends an archive: never cached, always a download. */
function sendArchive(reply: FastifyReply, archive: ExportArchive) {
  return reply
    .header('content-type', zipMediaType)
    .header('content-disposition', `attachment; filename="${archive.fileName}"`)
    .header('cache-control', 'no-store')
    .send(archive.body);
}

/** The upload of a file to import: its own plugin, so its body parsers (file bodies, JSON too) stay here. */
async function importUploadRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  // The body is the file itself, JSON included: read as bytes and checked by the import's own readers.
  app.removeContentTypeParser(jsonMediaType);
  app.addContentTypeParser(
    importMediaTypes,
    { parseAs: 'buffer', bodyLimit: maxImportBytes },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/cases/imports',
    {
      bodyLimit: maxImportBytes,
      preParsing: async (request) => gateBeforeBody(request),
      config: { policy: caseStaff, rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'checkCaseImport',
        summary: 'Upload HTCDS case files (CSV, XLSX, zip of CSV files, JSON; up to 10 MB) for a dry run',
        description:
          'The request body is the file: `text/csv` (UTF-8; one table of cases), an XLSX workbook (a sheet ' +
          'per record type, or the cases on the first sheet, as made from the official XLSForm), a zip of ' +
          'the CSV files of a Cairn export, or a Cairn JSON export. Official HTCDS column names, the ' +
          'XLSForm’s names and common variants are understood. Nothing is created: every row is checked and ' +
          'reported; a clean dry run is kept (sealed) for an hour for `commitCaseImport`. Needs a recent ' +
          'step-up. An unreadable file is refused with `validation_failed` (`cases.import_*`).',
        security,
        consumes: importMediaTypes,
        querystring: importUploadQuerySchema,
        body: z.unknown().meta({ type: 'string', format: 'binary', description: 'The file' }),
        response: { 201: caseImportSchema },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw new AppError('unsupported_media_type');
      const result = await checkCaseImport(contextOf(request), {
        body: request.body,
        contentType: request.headers['content-type'],
        fileName: request.query.fileName,
        mapping:
          request.query.mapping === undefined
            ? undefined
            : (parseCaseMapping(request.query.mapping) ?? undefined),
        incomplete: request.query.incomplete,
      });
      return reply.code(201).send(result);
    },
  );
}

/** HTCDS v2 exchange of case files: export (direct, or bulk with a second supervisor) and import. */
export async function exchangeRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  await app.register(importUploadRoutes);

  app.get(
    '/cases/imports/:importId',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'getCaseImport',
        summary: 'One of my case imports: its row-by-row report, and its progress while it is committed',
        description: 'The report quotes the file: reading it needs a recent step-up.',
        security,
        params: importParamsSchema,
        response: { 200: caseImportSchema },
      },
    },
    (request) => getCaseImport(contextOf(request), request.params.importId),
  );

  app.post(
    '/cases/imports/:importId/commit',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'commitCaseImport',
        summary: 'Create every case of a clean dry run, in one transaction (all or nothing)',
        description:
          'Needs a recent step-up. Answers 409 when the dry run had problems, the import is already ' +
          'committed, or the commit failed (then nothing was created and the import’s report says why).',
        security,
        params: importParamsSchema,
        response: { 200: caseImportSchema },
      },
    },
    (request) => commitCaseImport(contextOf(request), request.params.importId),
  );

  app.post(
    '/cases/:caseId/export',
    {
      config: { policy: caseStaff, rateLimit: exportRateLimit },
      schema: {
        tags,
        operationId: 'exportCaseFile',
        summary: 'Export one case as HTCDS v2 (CSV, JSON or XLSX) in a password-protected zip (AES-256)',
        description:
          'Anyone who can read the case, after a step-up (always, with or without identifying sections). ' +
          'The password is used to encrypt the archive and never stored. Audited.',
        security,
        params: caseParamsSchema,
        body: caseExportInputSchema,
        produces: [zipMediaType],
        response: { 200: archiveSchema },
      },
    },
    async (request, reply) =>
      sendArchive(reply, await exportCaseFile(contextOf(request), request.params.caseId, request.body)),
  );

  app.post(
    '/cases/exports',
    {
      config: { policy: supervisors, rateLimit: exportRateLimit },
      schema: {
        tags,
        operationId: 'requestCaseExport',
        summary: 'Ask to export several (or all permitted) cases; a second supervisor must approve',
        description:
          'The cases are fixed now, by id, through the same rules as reading them. Nothing leaves until a ' +
          'different case supervisor approves; then the requester downloads it once, within 24 hours.',
        security,
        body: exportRequestInputSchema,
        response: { 201: exportRequestSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await requestExport(contextOf(request), request.body)),
  );

  app.get(
    '/cases/exports',
    {
      config: { policy: supervisors },
      schema: {
        tags,
        operationId: 'listCaseExportRequests',
        summary: 'The organisation’s bulk export requests, newest first (supervisors)',
        security,
        response: { 200: exportRequestListSchema },
      },
    },
    (request) => listExportRequests(contextOf(request)),
  );

  app.post(
    '/cases/exports/:requestId/decision',
    {
      config: { policy: supervisors },
      schema: {
        tags,
        operationId: 'decideCaseExport',
        summary: 'Approve or reject a bulk export (a supervisor other than the requester)',
        description: 'Approving needs a recent step-up.',
        security,
        params: exportRequestParamsSchema,
        body: exportDecisionInputSchema,
        response: { 200: exportRequestSchema },
      },
    },
    (request) => decideExport(contextOf(request), request.params.requestId, request.body.decision),
  );

  app.post(
    '/cases/exports/:requestId/download',
    {
      config: { policy: supervisors, rateLimit: exportRateLimit },
      schema: {
        tags,
        operationId: 'downloadCaseExport',
        summary: 'Download an approved bulk export once, encrypted with the password given now',
        description:
          'The requester only, after a step-up, within 24 hours of the approval. The password is used to ' +
          'encrypt the archive and never stored. Audited.',
        security,
        params: exportRequestParamsSchema,
        body: exportDownloadInputSchema,
        produces: [zipMediaType],
        response: { 200: archiveSchema },
      },
    },
    async (request, reply) =>
      sendArchive(
        reply,
        await downloadExport(contextOf(request), request.params.requestId, request.body.password),
      ),
  );
}
