import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import { passRouteGate } from '../../kernel/http/gate.js';
import { importMediaTypes } from './journeys.import.files.js';
import { parseMapping } from './journeys.import.rows.js';
import {
  journeyImportParamsSchema,
  journeyImportSchema,
  journeyImportUploadQuerySchema,
} from './journeys.import.schemas.js';
import { commitImport, getImport, startImport } from './journeys.import.service.js';
import { contributorRoles } from './journeys.vocabulary.js';

const tags = ['journeys'];
const security = [{ session: [] }];
/** The same audience as the form: contributors of vetted (active) organisations. */
const contributors: RoutePolicy = { access: 'member', roles: contributorRoles };

/** An upload's body as a stream of pieces, with nothing for an object walker to descend into. */
class UploadStream implements AsyncIterable<Buffer | string> {
  readonly #stream: AsyncIterable<Buffer | string>;
  constructor(stream: AsyncIterable<Buffer | string>) {
    this.#stream = stream;
  }
  [Symbol.asyncIterator](): AsyncIterator<Buffer | string> {
    return this.#stream[Symbol.asyncIterator]();
  }
}

/** The upload: its own plugin, so its body parser (the raw stream, never buffered) stays here. */
async function uploadRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  // The body is handed over as the request stream, read by the service as it arrives. SECURITY/LIVENESS:
  // the stream is wrapped with no enumerable property: the app's gate walks `request.body` looking for NUL
  // characters, and walking a live socket's object graph (request → socket → server → …) never ended, so
  // the upload hung over real HTTP (app.inject's request object is small enough to walk).
  app.addContentTypeParser(importMediaTypes, (_request, payload, done) =>
    done(null, new UploadStream(payload)),
  );

  app.post(
    '/journeys/imports',
    {
      // SECURITY: the caller is checked before a byte of the body is read (the app's gate runs after parsing).
      preParsing: async (request) => passRouteGate(request, contributors),
      config: { policy: contributors, rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'startJourneyImport',
        summary: 'Upload routes (CSV up to 96 MB, or XLSX up to 10 MB) for a dry run in the background',
        description:
          'The request body is the file (`text/csv` in UTF-8 — `,`, `;` or tab separated — or an XLSX ' +
          'workbook, first sheet). `layout=tracker`: the Victim Journey Tracker’s columns (origin, intended ' +
          'destination, transit points, place of exploitation, industry, exploitation type, estimated number of ' +
          'cases, period, gender, age, nationality; several values in a cell separated by `;`). `layout=ctdc`: ' +
          'IOM CTDC files (alpha-3 or alpha-2 codes; `1` = yes, empty or `0` = no, `-99` = unknown). The file ' +
          'is checked before the answer: its type by its bytes, a CSV read whole as UTF-8 (quoting, at most ' +
          '1,000,000 rows and 100 columns), a workbook’s package inspected (no macros, external links, ' +
          'embedded objects, DTDs or zip bombs); a refused file gets `validation_failed` with a ' +
          '`journeys.import_*` code and leaves nothing behind, a larger body 413. Then it answers 202 and the ' +
          'dry run checks every row in the background; poll `getJourneyImport` for the progress and the ' +
          'row-by-row report. Nothing is created until `commitJourneyImport`.',
        security,
        consumes: importMediaTypes,
        querystring: journeyImportUploadQuerySchema,
        body: z.unknown().meta({ type: 'string', format: 'binary', description: 'The file' }),
        response: { 202: journeyImportSchema },
      },
    },
    async (request, reply) => {
      const { layout, fileName, mapping } = request.query;
      const result = await startImport(contextOf(request), {
        body: request.body as UploadStream,
        contentType: request.headers['content-type'],
        contentLength: request.headers['content-length'],
        fileName,
        layout,
        ...(mapping !== undefined ? { mapping: parseMapping(layout, mapping) ?? [] } : {}),
      });
      return reply.code(202).send(result);
    },
  );
}

/** Spreadsheet imports of routes: upload and dry run, report and progress, all-or-nothing commit. */
export async function journeyImportRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  await app.register(uploadRoutes);

  app.get(
    '/journeys/imports/:importId',
    {
      config: { policy: contributors },
      schema: {
        tags,
        operationId: 'getJourneyImport',
        summary: 'One of my route imports: its status, progress, column mapping and row-by-row report',
        security,
        params: journeyImportParamsSchema,
        response: { 200: journeyImportSchema },
      },
    },
    (request) => getImport(contextOf(request), request.params.importId),
  );

  app.post(
    '/journeys/imports/:importId/commit',
    {
      config: { policy: contributors },
      schema: {
        tags,
        operationId: 'commitJourneyImport',
        summary:
          'Contribute every route of a clean dry run, in one transaction (all or nothing), in the background',
        description:
          'Answers 202 and commits in the background (poll `getJourneyImport`); 409 when the dry run had ' +
          'problems or the import is not waiting for a commit. The routes wait for moderation as form ones do. ' +
          'If the commit fails, nothing is created and the import’s report says why.',
        security,
        params: journeyImportParamsSchema,
        response: { 202: journeyImportSchema },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await commitImport(contextOf(request), request.params.importId)),
  );
}
