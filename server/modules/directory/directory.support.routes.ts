import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import {
  createSupportRequestSchema,
  declineBodySchema,
  incomingQuerySchema,
  listQuerySchema,
  matchBodySchema,
  matchResultSchema,
  supportRequestPageSchema,
  supportRequestParamsSchema,
  supportRequestSchema,
  supportStatsSchema,
  unmetNeedsQuerySchema,
  unmetNeedsSchema,
} from './directory.support.schemas.js';
import {
  acceptSupportRequest,
  closeSupportRequest,
  createSupportRequest,
  declineSupportRequest,
  getSupportRequest,
  getSupportStats,
  listIncomingSupportRequests,
  listSupportRequests,
  listUnmetNeeds,
  matchSupport,
} from './directory.support.service.js';

const tags = ['directory'];
const security = [{ session: [] }];
/** Sending and answering support requests: the case roles (directory.policy.ts canRequestSupport). */
const caseRoles: RoutePolicy = { access: 'member', roles: ['caseworker', 'case_supervisor', 'org_admin'] };
/** Any member sees their organisation's response record, and what they may do (the web's navigation). */
const members: RoutePolicy = { access: 'member' };
const staff: RoutePolicy = { access: 'platform', roles: ['moderator', 'platform_admin'] };

/** The directory's support routes: the matcher, support requests and their answers, and the numbers. */
export async function supportRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/directory/support/match',
    {
      config: { policy: caseRoles, rateLimit: { max: 60, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'matchSupport',
        summary: 'Organisations that fit a described need, best first, with the reasons (nothing is stored)',
        security,
        body: matchBodySchema,
        response: { 200: matchResultSchema },
      },
    },
    (request) => matchSupport(contextOf(request), request.body.need, request.body.limit),
  );

  app.post(
    '/directory/support/requests',
    {
      // Each request emails several organisations: a low ceiling keeps a compromised account from spamming.
      config: { policy: caseRoles, rateLimit: { max: 20, timeWindow: 60_000 }, idempotent: true },
      schema: {
        tags,
        operationId: 'createSupportRequest',
        summary: 'Send a described need to several organisations at once',
        security,
        body: createSupportRequestSchema,
        response: { 201: supportRequestSchema },
      },
    },
    async (request, reply) => {
      const created = await createSupportRequest(contextOf(request), request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/directory/support/requests',
    {
      config: { policy: caseRoles },
      schema: {
        tags,
        operationId: 'listSupportRequests',
        summary: 'The support requests my organisation sent, newest first, with every answer',
        security,
        querystring: listQuerySchema,
        response: { 200: supportRequestPageSchema },
      },
    },
    (request) => listSupportRequests(contextOf(request), request.query),
  );

  app.get(
    '/directory/support/requests/:requestId',
    {
      config: { policy: caseRoles },
      schema: {
        tags,
        operationId: 'getSupportRequest',
        summary: 'One support request, as its requester or one of its recipients sees it',
        security,
        params: supportRequestParamsSchema,
        response: { 200: supportRequestSchema },
      },
    },
    (request) => getSupportRequest(contextOf(request), request.params.requestId),
  );

  app.get(
    '/directory/support/incoming',
    {
      config: { policy: caseRoles },
      schema: {
        tags,
        operationId: 'listIncomingSupportRequests',
        summary: 'The support requests sent to my organisation, newest first',
        security,
        querystring: incomingQuerySchema,
        response: { 200: supportRequestPageSchema },
      },
    },
    (request) => listIncomingSupportRequests(contextOf(request), request.query),
  );

  app.post(
    '/directory/support/requests/:requestId/accept',
    {
      config: { policy: caseRoles, idempotent: true },
      schema: {
        tags,
        operationId: 'acceptSupportRequest',
        summary:
          'Accept a request for my organisation; it closes for every other recipient (409 if too late)',
        security,
        params: supportRequestParamsSchema,
        response: { 200: supportRequestSchema },
      },
    },
    (request) => acceptSupportRequest(contextOf(request), request.params.requestId),
  );

  app.post(
    '/directory/support/requests/:requestId/decline',
    {
      config: { policy: caseRoles, idempotent: true },
      schema: {
        tags,
        operationId: 'declineSupportRequest',
        summary: 'Decline a request for my organisation, with a reason',
        security,
        params: supportRequestParamsSchema,
        body: declineBodySchema,
        response: { 200: supportRequestSchema },
      },
    },
    (request) => declineSupportRequest(contextOf(request), request.params.requestId, request.body),
  );

  app.post(
    '/directory/support/requests/:requestId/close',
    {
      config: { policy: caseRoles, idempotent: true },
      schema: {
        tags,
        operationId: 'closeSupportRequest',
        summary: 'Close a request my organisation sent; recipients who have not answered are withdrawn',
        security,
        params: supportRequestParamsSchema,
        response: { 200: supportRequestSchema },
      },
    },
    (request) => closeSupportRequest(contextOf(request), request.params.requestId),
  );

  app.get(
    '/directory/support/stats',
    {
      config: { policy: members },
      schema: {
        tags,
        operationId: 'getSupportStats',
        summary: 'My organisation’s response rate and median response time over 12 months',
        security,
        response: { 200: supportStatsSchema },
      },
    },
    (request) => getSupportStats(contextOf(request)),
  );

  app.get(
    '/directory/support/unmet-needs',
    {
      config: { policy: staff },
      schema: {
        tags,
        operationId: 'listUnmetNeeds',
        summary: 'What was asked and nobody could offer, by country and service (platform staff)',
        security,
        querystring: unmetNeedsQuerySchema,
        response: { 200: unmetNeedsSchema },
      },
    },
    (request) => listUnmetNeeds(contextOf(request), request.query),
  );
}
