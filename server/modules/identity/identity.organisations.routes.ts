import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import { acceptedSchema } from './identity.auth.schemas.js';
import {
  applicationBodySchema,
  applicationQueueQuerySchema,
  auditPageSchema,
  messageBodySchema,
  myApplicationSchema,
  organisationApplicationSchema,
  organisationIdParamsSchema,
  organisationListQuerySchema,
  organisationPageSchema,
  organisationSchema,
  pageQuerySchema,
  platformAuditQuerySchema,
  reasonBodySchema,
  tierBodySchema,
} from './identity.organisations.schemas.js';
import {
  applyAsPerson,
  applyWithAccount,
  approveOrganisation,
  getOrganisation,
  listApplications,
  listMyApplications,
  listOrganisationAudit,
  listOrganisations,
  listPlatformAudit,
  reinstateOrganisation,
  rejectOrganisation,
  renewTier,
  requestOrganisationInfo,
  respondToReview,
  suspendOrganisation,
} from './identity.organisations.service.js';

const tags = ['identity'];
const open: RoutePolicy = { access: 'public' };
const signedIn: RoutePolicy = { access: 'signed_in' };
/** Reading my own applications needs no enrolled factor: it shows nothing beyond what I wrote and was told. */
const ownApplications: RoutePolicy = { access: 'signed_in', unenrolled: true };
const moderators: RoutePolicy = { access: 'platform', roles: ['moderator', 'platform_admin'] };
const platformAdmins: RoutePolicy = { access: 'platform', roles: ['platform_admin'] };
const session = { security: [{ session: [] }] };

/** Applying, the vetting queue, organisations and their administration, and the audit trail. */
export async function organisationRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/identity/applications',
    {
      config: { policy: open, rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'applyWithAccount',
        summary: 'Apply for an organisation, creating the applicant’s account',
        description:
          'Answers 202 whether or not the email already has an account (if it has, nothing is created and ' +
          'that address is told to sign in and apply from the account).',
        security: [],
        body: applicationBodySchema,
        response: { 202: acceptedSchema },
      },
    },
    async (request, reply) => {
      await applyWithAccount(contextOf(request), request.body);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/identity/organisations/apply',
    {
      config: { policy: signedIn, rateLimit: { max: 10, timeWindow: 60_000 }, idempotent: true },
      schema: {
        tags,
        operationId: 'applyAsPerson',
        summary: 'Apply for another organisation from my account',
        ...session,
        body: organisationApplicationSchema,
        response: { 201: myApplicationSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await applyAsPerson(contextOf(request), request.body)),
  );

  app.get(
    '/identity/my-applications',
    {
      config: { policy: ownApplications },
      schema: {
        tags,
        operationId: 'listMyApplications',
        summary: 'My applications, with their status and the moderator’s note',
        ...session,
        response: { 200: z.array(myApplicationSchema) },
      },
    },
    (request) => listMyApplications(contextOf(request)),
  );

  app.get(
    '/identity/applications',
    {
      config: { policy: moderators },
      schema: {
        tags,
        operationId: 'listApplications',
        summary: 'The vetting queue, oldest first',
        ...session,
        querystring: applicationQueueQuerySchema,
        response: { 200: organisationPageSchema },
      },
    },
    (request) => listApplications(contextOf(request), request.query),
  );

  app.post(
    '/identity/organisations/:id/approve',
    {
      config: { policy: moderators },
      schema: {
        tags,
        operationId: 'approveOrganisation',
        summary: 'Approve a pending application with a tier',
        ...session,
        params: organisationIdParamsSchema,
        body: tierBodySchema,
        response: { 200: organisationSchema },
      },
    },
    (request) => approveOrganisation(contextOf(request), request.params.id, request.body.tier),
  );

  app.post(
    '/identity/organisations/:id/request-info',
    {
      config: { policy: moderators },
      schema: {
        tags,
        operationId: 'requestOrganisationInfo',
        summary: 'Ask the applicant for more information',
        ...session,
        params: organisationIdParamsSchema,
        body: messageBodySchema,
        response: { 200: organisationSchema },
      },
    },
    (request) => requestOrganisationInfo(contextOf(request), request.params.id, request.body.message),
  );

  app.post(
    '/identity/organisations/:id/reject',
    {
      config: { policy: moderators },
      schema: {
        tags,
        operationId: 'rejectOrganisation',
        summary: 'Decline an application, with the reason the applicant will read',
        ...session,
        params: organisationIdParamsSchema,
        body: reasonBodySchema,
        response: { 200: organisationSchema },
      },
    },
    (request) => rejectOrganisation(contextOf(request), request.params.id, request.body.reason),
  );

  app.post(
    '/identity/organisations/:id/respond',
    {
      config: { policy: signedIn },
      schema: {
        tags,
        operationId: 'respondToReview',
        summary: 'Answer a moderator’s request for information (applicant only)',
        ...session,
        params: organisationIdParamsSchema,
        body: messageBodySchema,
        response: { 200: myApplicationSchema },
      },
    },
    (request) => respondToReview(contextOf(request), request.params.id, request.body.message),
  );

  app.get(
    '/identity/organisations',
    {
      config: { policy: moderators },
      schema: {
        tags,
        operationId: 'listOrganisations',
        summary: 'All organisations, newest first, with filters',
        ...session,
        querystring: organisationListQuerySchema,
        response: { 200: organisationPageSchema },
      },
    },
    (request) => listOrganisations(contextOf(request), request.query),
  );

  app.get(
    '/identity/organisations/:id',
    {
      config: { policy: signedIn },
      schema: {
        tags,
        operationId: 'getOrganisation',
        summary: 'An organisation: tier, last verification, status, countries',
        description: 'Visible to its members and to platform staff; it does not exist for anyone else (404).',
        ...session,
        params: organisationIdParamsSchema,
        response: { 200: organisationSchema },
      },
    },
    (request) => getOrganisation(contextOf(request), request.params.id),
  );

  app.post(
    '/identity/organisations/:id/suspend',
    {
      config: { policy: platformAdmins },
      schema: {
        tags,
        operationId: 'suspendOrganisation',
        summary: 'Suspend an organisation; every session of every member ends at once',
        ...session,
        params: organisationIdParamsSchema,
        body: reasonBodySchema,
        response: { 200: organisationSchema },
      },
    },
    (request) => suspendOrganisation(contextOf(request), request.params.id, request.body.reason),
  );

  app.post(
    '/identity/organisations/:id/reinstate',
    {
      config: { policy: platformAdmins },
      schema: {
        tags,
        operationId: 'reinstateOrganisation',
        summary: 'Lift a suspension',
        ...session,
        params: organisationIdParamsSchema,
        response: { 200: organisationSchema },
      },
    },
    (request) => reinstateOrganisation(contextOf(request), request.params.id),
  );

  app.post(
    '/identity/organisations/:id/renew',
    {
      config: { policy: moderators },
      schema: {
        tags,
        operationId: 'renewOrganisationTier',
        summary: 'Renew an active organisation’s tier for another validity period',
        ...session,
        params: organisationIdParamsSchema,
        body: tierBodySchema,
        response: { 200: organisationSchema },
      },
    },
    (request) => renewTier(contextOf(request), request.params.id, request.body.tier),
  );

  app.get(
    '/identity/organisations/:id/audit',
    {
      config: { policy: signedIn },
      schema: {
        tags,
        operationId: 'listOrganisationAudit',
        summary: 'The organisation’s audit trail, newest first (its org admins)',
        ...session,
        params: organisationIdParamsSchema,
        querystring: pageQuerySchema,
        response: { 200: auditPageSchema },
      },
    },
    (request) => listOrganisationAudit(contextOf(request), request.params.id, request.query),
  );

  app.get(
    '/identity/audit',
    {
      config: { policy: platformAdmins },
      schema: {
        tags,
        operationId: 'listPlatformAudit',
        summary: 'The whole platform’s audit trail, newest first',
        ...session,
        querystring: platformAuditQuerySchema,
        response: { 200: auditPageSchema },
      },
    },
    (request) => listPlatformAudit(contextOf(request), request.query),
  );
}
