import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import {
  acceptedSchema,
  activeMembershipBodySchema,
  changePasswordBodySchema,
  meSchema,
  resetCompleteBodySchema,
  resetRequestBodySchema,
  sessionIdParamsSchema,
  sessionSchema,
  signInBodySchema,
  signInResultSchema,
} from './identity.auth.schemas.js';
import {
  changePassword,
  completePasswordReset,
  getMe,
  listSessions,
  requestPasswordReset,
  revokeMySessions,
  setActiveMembership,
  signInWithPassword,
  signOut,
} from './identity.auth.service.js';
import { clearSessionCookie, setSessionCookie } from './identity.sessions.js';

const tags = ['identity'];
const open: RoutePolicy = { access: 'public' };
/** Routes a person needs before finishing sign-in or enrolling a required factor. */
const anySession: RoutePolicy = { access: 'signed_in', partial: true };
const enrolling: RoutePolicy = { access: 'signed_in', unenrolled: true };
const session = { security: [{ session: [] }] };
const noContent = { 204: z.null().describe('Done') };

/** Sign-in, sign-out, the current person, their sessions and password. */
export async function authRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/auth/sign-in',
    {
      config: { policy: open, rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'signIn',
        summary: 'Sign in with email and password',
        description:
          'Answers the same way whether or not the account exists. If the person has a second factor, the ' +
          'session is partial until it is passed (status second_factor_required).',
        security: [],
        body: signInBodySchema,
        response: { 200: signInResultSchema },
      },
    },
    async (request, reply) => {
      const result = await signInWithPassword(contextOf(request), request.body);
      setSessionCookie(reply, result.token);
      return { status: result.status, factors: result.factors };
    },
  );

  app.post(
    '/auth/sign-out',
    {
      config: { policy: anySession },
      schema: { tags, operationId: 'signOut', summary: 'End this session', ...session, response: noContent },
    },
    async (request, reply) => {
      await signOut(contextOf(request));
      clearSessionCookie(reply);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      config: { policy: anySession },
      schema: {
        tags,
        operationId: 'getMe',
        summary: 'The signed-in person, memberships, factors and abilities',
        ...session,
        response: { 200: meSchema },
      },
    },
    (request) => getMe(contextOf(request)),
  );

  app.put(
    '/auth/active-membership',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'setActiveMembership',
        summary: 'Choose the organisation this session acts for',
        ...session,
        body: activeMembershipBodySchema,
        response: { 200: meSchema },
      },
    },
    async (request) => {
      await setActiveMembership(contextOf(request), request.body.membershipId);
      // The actor changed: resolve it again so the answer reflects the new membership.
      request.actor = await request.server.kernel.resolveActor(request);
      return getMe(contextOf(request));
    },
  );

  app.get(
    '/auth/sessions',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'listSessions',
        summary: 'My signed-in sessions',
        ...session,
        response: { 200: z.array(sessionSchema) },
      },
    },
    (request) => listSessions(contextOf(request)),
  );

  app.delete(
    '/auth/sessions/:sessionId',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'revokeSession',
        summary: 'Sign out one of my sessions',
        ...session,
        params: sessionIdParamsSchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      await revokeMySessions(contextOf(request), { sessionId: request.params.sessionId });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/sessions/revoke-others',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'revokeOtherSessions',
        summary: 'Sign out all my other sessions',
        ...session,
        response: noContent,
      },
    },
    async (request, reply) => {
      await revokeMySessions(contextOf(request), { allOthers: true });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/password',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'changePassword',
        summary: 'Change my password (ends my other sessions)',
        ...session,
        body: changePasswordBodySchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      await changePassword(contextOf(request), request.body);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/password-reset',
    {
      config: { policy: open, rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'requestPasswordReset',
        summary: 'Email a password-reset link (the answer never says whether the account exists)',
        security: [],
        body: resetRequestBodySchema,
        response: { 202: acceptedSchema },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(contextOf(request), request.body.email);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/auth/password-reset/complete',
    {
      config: { policy: open, rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'completePasswordReset',
        summary: 'Set a new password with a reset link; every session ends, the second factor stays required',
        security: [],
        body: resetCompleteBodySchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      await completePasswordReset(contextOf(request), request.body);
      return reply.code(204).send(null);
    },
  );
}
