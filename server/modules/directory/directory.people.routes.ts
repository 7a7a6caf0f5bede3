import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import {
  contactMessageInputSchema,
  contactMessageSchema,
  messagePageSchema,
  messageParamsSchema,
  messagesQuerySchema,
  myPersonProfileSchema,
  peoplePageSchema,
  peopleQuerySchema,
  personParamsSchema,
  personProfileInputSchema,
  personProfileSchema,
} from './directory.people.schemas.js';
import {
  getMyPersonProfile,
  getPersonProfile,
  listContactMessages,
  markContactMessageRead,
  saveMyPersonProfile,
  searchPeople,
  sendContactMessage,
} from './directory.people.service.js';

const tags = ['directory'];
const security = [{ session: [] }];
/** Professional profiles are for members only: signed-in people acting for an active organisation. */
const members: RoutePolicy = { access: 'member' };

/**
 * Messages per person per minute. The limit runs after the route gate (preHandler), so it counts per person
 * rather than per address: colleagues behind one office connection do not share it.
 */
const messageRateLimit = {
  max: 10,
  timeWindow: 60_000,
  hook: 'preHandler' as const,
  keyGenerator: (request: FastifyRequest) =>
    request.actor.kind === 'person' ? `people-message:${request.actor.personId}` : request.ip,
};

/** Professional profiles, people search, and messages between members through Cairn. */
export async function peopleRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/directory/people/me',
    {
      config: { policy: members },
      schema: {
        tags,
        operationId: 'getMyPersonProfile',
        summary: 'My professional profile (empty and unpublished until I save it)',
        security,
        response: { 200: myPersonProfileSchema },
      },
    },
    (request) => getMyPersonProfile(contextOf(request)),
  );

  app.put(
    '/directory/people/me',
    {
      config: { policy: members, idempotent: true },
      schema: {
        tags,
        operationId: 'saveMyPersonProfile',
        summary: 'Save my professional profile, listed under the organisation I act for',
        description:
          'Opt-in: other members find the profile only while `published` is true. Unpublishing removes it ' +
          'from search and from contact at once.',
        security,
        body: personProfileInputSchema,
        response: { 200: myPersonProfileSchema },
      },
    },
    (request) => saveMyPersonProfile(contextOf(request), request.body),
  );

  app.get(
    '/directory/people',
    {
      config: { policy: members },
      schema: {
        tags,
        operationId: 'searchPeople',
        summary: 'Find professionals: published profiles of members of active organisations',
        description: 'No email address is ever returned; people are contacted through sendContactMessage.',
        security,
        querystring: peopleQuerySchema,
        response: { 200: peoplePageSchema },
      },
    },
    (request) => searchPeople(contextOf(request), request.query),
  );

  app.get(
    '/directory/people/:personId',
    {
      config: { policy: members },
      schema: {
        tags,
        operationId: 'getPersonProfile',
        summary: 'One professional profile',
        security,
        params: personParamsSchema,
        response: { 200: personProfileSchema },
      },
    },
    (request) => getPersonProfile(contextOf(request), request.params.personId),
  );

  app.post(
    '/directory/people/:personId/messages',
    {
      config: { policy: members, rateLimit: messageRateLimit, idempotent: true },
      schema: {
        tags,
        operationId: 'sendContactMessage',
        summary: 'Send a message to a professional through Cairn',
        description:
          'The recipient gets an email saying who wrote, with a link to read it in Cairn; the email carries ' +
          'neither the text nor the sender’s address.',
        security,
        params: personParamsSchema,
        body: contactMessageInputSchema,
        response: { 201: contactMessageSchema },
      },
    },
    async (request, reply) => {
      const message = await sendContactMessage(contextOf(request), request.params.personId, request.body);
      return reply.code(201).send(message);
    },
  );

  app.get(
    '/directory/messages',
    {
      config: { policy: members },
      schema: {
        tags,
        operationId: 'listContactMessages',
        summary: 'My received or sent messages, newest first',
        security,
        querystring: messagesQuerySchema,
        response: { 200: messagePageSchema },
      },
    },
    (request) => listContactMessages(contextOf(request), request.query),
  );

  app.post(
    '/directory/messages/:messageId/read',
    {
      config: { policy: members },
      schema: {
        tags,
        operationId: 'markContactMessageRead',
        summary: 'Mark a message I received as read',
        security,
        params: messageParamsSchema,
        response: { 200: contactMessageSchema },
      },
    },
    (request) => markContactMessageRead(contextOf(request), request.params.messageId),
  );
}
