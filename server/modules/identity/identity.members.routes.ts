import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import {
  acceptedInvitationSchema,
  acceptInvitationBodySchema,
  changeRoleBodySchema,
  invitationParamsSchema,
  invitationSchema,
  inviteBodySchema,
  memberSchema,
  membershipParamsSchema,
} from './identity.members.schemas.js';
import {
  acceptInvitation,
  changeMemberRole,
  inviteMember,
  listInvitations,
  listMembers,
  removeMember,
  revokeInvitation,
} from './identity.members.service.js';
import { organisationIdParamsSchema } from './identity.organisations.schemas.js';

const tags = ['identity'];
const open: RoutePolicy = { access: 'public' };
/** Reads: the service decides per organisation (its admins, platform admins; 404 for outsiders). */
const signedIn: RoutePolicy = { access: 'signed_in' };
/** Changes: only org admins pass the gate; the service then checks it is their organisation. */
const orgAdmins: RoutePolicy = { access: 'member', roles: ['org_admin'] };
const session = { security: [{ session: [] }] };
const noContent = { 204: z.null().describe('Done') };

/** Members, invitations and roles of an organisation. */
export async function memberRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/identity/organisations/:id/members',
    {
      config: { policy: signedIn },
      schema: {
        tags,
        operationId: 'listMembers',
        summary: 'The members of an organisation and their roles',
        ...session,
        params: organisationIdParamsSchema,
        response: { 200: z.array(memberSchema) },
      },
    },
    (request) => listMembers(contextOf(request), request.params.id),
  );

  app.post(
    '/identity/organisations/:id/invitations',
    {
      config: { policy: orgAdmins, idempotent: true },
      schema: {
        tags,
        operationId: 'inviteMember',
        summary: 'Invite someone by email; the link is valid for 7 days and works once',
        ...session,
        params: organisationIdParamsSchema,
        body: inviteBodySchema,
        response: { 201: invitationSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await inviteMember(contextOf(request), request.params.id, request.body)),
  );

  app.get(
    '/identity/organisations/:id/invitations',
    {
      config: { policy: signedIn },
      schema: {
        tags,
        operationId: 'listInvitations',
        summary: 'Pending invitations of an organisation',
        ...session,
        params: organisationIdParamsSchema,
        response: { 200: z.array(invitationSchema) },
      },
    },
    (request) => listInvitations(contextOf(request), request.params.id),
  );

  app.delete(
    '/identity/organisations/:id/invitations/:invitationId',
    {
      config: { policy: orgAdmins },
      schema: {
        tags,
        operationId: 'revokeInvitation',
        summary: 'Withdraw a pending invitation',
        ...session,
        params: invitationParamsSchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      await revokeInvitation(contextOf(request), request.params.id, request.params.invitationId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/identity/invitations/accept',
    {
      config: { policy: open, rateLimit: { max: 20, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'acceptInvitation',
        summary: 'Accept an invitation with the token from its link',
        description:
          'Signed in as the invited address: joins with that account. Not signed in: creates the account ' +
          '(displayName and password required), or answers 401 if the address already has one (sign in ' +
          'first). Used, revoked, expired and unknown tokens all answer 404.',
        // The session cookie is optional here: it decides which of the cases above applies.
        security: [{}, { session: [] }],
        body: acceptInvitationBodySchema,
        response: { 200: acceptedInvitationSchema },
      },
    },
    (request) => acceptInvitation(contextOf(request), request.body),
  );

  app.patch(
    '/identity/memberships/:membershipId',
    {
      config: { policy: orgAdmins },
      schema: {
        tags,
        operationId: 'changeMemberRole',
        summary: 'Change a member’s role (the last org admin cannot be demoted)',
        ...session,
        params: membershipParamsSchema,
        body: changeRoleBodySchema,
        response: { 200: memberSchema },
      },
    },
    (request) => changeMemberRole(contextOf(request), request.params.membershipId, request.body.role),
  );

  app.delete(
    '/identity/memberships/:membershipId',
    {
      config: { policy: orgAdmins },
      schema: {
        tags,
        operationId: 'removeMember',
        summary: 'Remove a member (the last org admin cannot be removed)',
        ...session,
        params: membershipParamsSchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      await removeMember(contextOf(request), request.params.membershipId);
      return reply.code(204).send(null);
    },
  );
}
