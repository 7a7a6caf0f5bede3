import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import { areaAnswer, sendAnswer, worldAnswer } from './journeys.answers.js';
import { deriveCaseRoute } from './journeys.derive.js';
import {
  areaDocumentQuerySchema,
  areaDocumentSchema,
  documentQuerySchema,
  decisionInputSchema,
  moderationItemSchema,
  moderationPageSchema,
  moderationQuerySchema,
  rebuildSchema,
  routeInputSchema,
  routeListQuerySchema,
  routePageSchema,
  routeParamsSchema,
  routeSchema,
  routeUpdateSchema,
  worldDocumentSchema,
} from './journeys.schemas.js';
import {
  contributeRoute,
  decideRoute,
  deleteRoute,
  getRoute,
  listRoutes,
  moderationQueue,
  rebuildMap,
  updateRoute,
} from './journeys.service.js';
import { contributorRoles } from './journeys.vocabulary.js';

const tags = ['journeys'];
const caseRouteParamsSchema = z.object({ caseId: z.uuid() });
const session = [{ session: [] }];
/** Contributors of vetted (active) organisations: see journeys.vocabulary.ts. */
const contributors: RoutePolicy = { access: 'member', roles: contributorRoles };
/** Anyone acting for a vetted (active) organisation. */
const members: RoutePolicy = { access: 'member' };
/** Case staff (caseworkers, case supervisors) derive routes from the cases they work on. */
const caseStaff: RoutePolicy = { access: 'member', roles: ['caseworker', 'case_supervisor'] };
const moderators: RoutePolicy = { access: 'platform', roles: ['moderator', 'platform_admin'] };
const platformAdmins: RoutePolicy = { access: 'platform', roles: ['platform_admin'] };
const open: RoutePolicy = { access: 'public' };
/** The public map is open to all: it is limited per client address so it cannot be scraped filter by filter. */
const publicRateLimit = { max: 60, timeWindow: 60_000 };
const noContent = { 204: z.null().describe('Done') };
/** Who a map answer is for: anyone, or members of vetted organisations. */
type MapLevel = 'public' | 'member';

/** Contributed routes, moderation, and the k-anonymous journey map (issue 7). */
export async function journeyRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/journeys/routes',
    {
      config: { policy: contributors, idempotent: true },
      schema: {
        tags,
        operationId: 'contributeRoute',
        summary: 'Contribute a route for your organisation (it waits for a moderator)',
        description: 'Accepts an Idempotency-Key header: a retry with the same key returns the first answer.',
        security: session,
        body: routeInputSchema,
        response: { 201: routeSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await contributeRoute(contextOf(request), request.body)),
  );

  app.post(
    '/journeys/cases/:caseId/route',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'deriveCaseRoute',
        summary: 'Derive your organisation’s route from a case’s trafficking events (or derive it again)',
        description:
          'Needs the survivor’s live JourneyMap consent covering the events and victim sections (409 without ' +
          'it). One case gives one route: it follows the case as it changes, and is withdrawn from the map ' +
          'when the consent is revoked or expires. Places are countries or admin-1 regions, the period a ' +
          'quarter; 201 when the route is new, 200 when the case already had one.',
        security: session,
        params: caseRouteParamsSchema,
        response: { 200: routeSchema, 201: routeSchema },
      },
    },
    async (request, reply) => {
      const { route, created } = await deriveCaseRoute(contextOf(request), request.params.caseId);
      return reply.code(created ? 201 : 200).send(route);
    },
  );

  app.get(
    '/journeys/routes',
    {
      config: { policy: contributors },
      schema: {
        tags,
        operationId: 'listRoutes',
        summary: 'Your organisation’s contributed routes, newest first',
        security: session,
        querystring: routeListQuerySchema,
        response: { 200: routePageSchema },
      },
    },
    (request) => listRoutes(contextOf(request), request.query),
  );

  app.get(
    '/journeys/routes/:id',
    {
      config: { policy: contributors },
      schema: {
        tags,
        operationId: 'getRoute',
        summary: 'One of your organisation’s contributed routes',
        security: session,
        params: routeParamsSchema,
        response: { 200: routeSchema },
      },
    },
    (request) => getRoute(contextOf(request), request.params.id),
  );

  app.patch(
    '/journeys/routes/:id',
    {
      config: { policy: contributors },
      schema: {
        tags,
        operationId: 'updateRoute',
        summary: 'Change a pending or queried route (it goes back to the moderators)',
        security: session,
        params: routeParamsSchema,
        body: routeUpdateSchema,
        response: { 200: routeSchema },
      },
    },
    (request) => updateRoute(contextOf(request), request.params.id, request.body),
  );

  app.delete(
    '/journeys/routes/:id',
    {
      config: { policy: contributors },
      schema: {
        tags,
        operationId: 'deleteRoute',
        summary: 'Withdraw a pending or queried route',
        security: session,
        params: routeParamsSchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      await deleteRoute(contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/journeys/moderation',
    {
      config: { policy: moderators },
      schema: {
        tags,
        operationId: 'listRouteModeration',
        summary: 'Contributed routes waiting for a decision, with who contributed them (moderators only)',
        security: session,
        querystring: moderationQuerySchema,
        response: { 200: moderationPageSchema },
      },
    },
    (request) => moderationQueue(contextOf(request), request.query),
  );

  app.post(
    '/journeys/routes/:id/decision',
    {
      config: { policy: moderators },
      schema: {
        tags,
        operationId: 'decideRoute',
        summary: 'Validate, query or reject a contributed route (moderators)',
        description:
          'A validated route counts on the map at once; a query mails the contributing organisation.',
        security: session,
        params: routeParamsSchema,
        body: decisionInputSchema,
        response: { 200: moderationItemSchema },
      },
    },
    (request) => decideRoute(contextOf(request), request.params.id, request.body),
  );

  app.post(
    '/journeys/map/rebuild',
    {
      config: { policy: platformAdmins },
      schema: {
        tags,
        operationId: 'rebuildJourneyMap',
        summary: 'Rebuild the map’s summary tables from every validated route (platform admins)',
        security: session,
        response: { 200: rebuildSchema },
      },
    },
    (request) => rebuildMap(contextOf(request)),
  );

  const mapConfig = (level: MapLevel): FastifyContextConfig =>
    level === 'public' ? { policy: open, rateLimit: publicRateLimit } : { policy: members };

  // The published answers (journeys.answers.ts): stored bytes, one read each.
  const documentDescription =
    'As published: every number describes at least k people, and no hidden number can be recovered from any ' +
    'set of answers of the same filters (they were protected together, over every period). Codes only. A ' +
    'change shows once published, a few seconds after it. Sent gzipped to clients that take it, with an ETag.';
  const worldRoute = (level: MapLevel) => ({
    config: mapConfig(level),
    schema: {
      tags,
      operationId: level === 'public' ? 'getPublicJourneyWorld' : 'getJourneyWorld',
      summary: `The ${level} journey map, as published: country flows, hotspots and totals for a period`,
      description: documentDescription,
      security: level === 'public' ? [] : session,
      querystring: documentQuerySchema,
      response: { 200: worldDocumentSchema, 304: z.null().describe('Not modified') },
    },
  });
  app.get('/journeys/map/public/world', worldRoute('public'), async (request, reply) =>
    sendAnswer(request, reply, 'public', await worldAnswer(contextOf(request), request.query)),
  );
  app.get('/journeys/map/world', worldRoute('member'), async (request, reply) =>
    sendAnswer(request, reply, 'member', await worldAnswer(contextOf(request), request.query)),
  );
  app.get(
    '/journeys/map/area',
    {
      config: mapConfig('member'),
      schema: {
        tags,
        operationId: 'getJourneyArea',
        summary: 'The member journey map around an area, as published: its region flows, hotspots and totals',
        description:
          `${documentDescription} Regions are published without an industry or nationality filter only; with ` +
          'one, an area has nothing to add to the world answer (which holds each country’s total).',
        security: session,
        querystring: areaDocumentQuerySchema,
        response: { 200: areaDocumentSchema, 304: z.null().describe('Not modified') },
      },
    },
    async (request, reply) =>
      sendAnswer(request, reply, 'member', await areaAnswer(contextOf(request), request.query)),
  );
}
