import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import { compiledSerializer } from '../../kernel/http/compiled-serializer.js';
import {
  mapQuerySchema,
  mapResultSchema,
  searchQuerySchema,
  searchResultSchema,
  type SearchResult,
} from './directory.search.schemas.js';
import { directoryMap, searchAnswer } from './directory.search.service.js';

const tags = ['directory'];
const jsonType = 'application/json; charset=utf-8';
/**
 * Public: visitors search the public directory; members' sessions search the members' rows (the service picks).
 * The caller comes from the session cache: all these routes learn of them is member or not. The map's answer is
 * written by a serializer compiled from its schema (decision 0015), the search's from encoded parts (0016).
 */
const open: RoutePolicy = { access: 'public' };

/** Search and the map's counts. */
export async function searchRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/directory/search',
    {
      config: { policy: open, cachedActor: true },
      schema: {
        tags,
        operationId: 'searchDirectory',
        summary: 'Search organisations: text, facets with counts, distance, pages',
        description:
          'Visitors search the public directory (public fields of listed profiles); members search what members ' +
          'may see. Values of one facet and different facets all narrow the result.',
        security: [],
        querystring: searchQuerySchema,
        response: { 200: searchResultSchema },
      },
    },
    // The answer leaves as the bytes the service wrote from the index's encoded hits (decision 0016); they are
    // the schema's JSON (directory.search.answer.test.ts), so Fastify's serializer has nothing to do (a Buffer is
    // sent as it is; the type provider only knows of the object form, hence the cast).
    async (request, reply) => {
      const answer = await searchAnswer(contextOf(request), request.query);
      return reply.type(jsonType).send(answer as unknown as SearchResult);
    },
  );

  app.get(
    '/directory/map',
    {
      config: { policy: open, cachedActor: true },
      serializerCompiler: compiledSerializer,
      schema: {
        tags,
        operationId: 'directoryMap',
        summary: 'Organisations per country, or per region of one country, with the search filters',
        security: [],
        querystring: mapQuerySchema,
        response: { 200: mapResultSchema },
      },
    },
    (request) => directoryMap(contextOf(request), request.query),
  );
}
