import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import { listReferrals, platformReferralStatistics, referralStatistics } from './referrals.lists.js';
import { referralRoles, statisticsRoles } from './referrals.policy.js';
import {
  platformReferralStatisticsSchema,
  referralCaseQuerySchema,
  referralCaseSchema,
  referralCreateSchema,
  referralListQuerySchema,
  referralPageSchema,
  referralParamsSchema,
  referralSchema,
  referralStatisticsSchema,
  referralTransitionSchema,
  referralUpdateSchema,
} from './referrals.schemas.js';
import {
  createReferral,
  getReferral,
  readReferralCase,
  transitionReferral,
  updateReferral,
} from './referrals.service.js';

const tags = ['referrals'];
const security = [{ session: [] }];
/** Referrals: caseworkers and case supervisors, of either party (the service decides which referrals exist). */
const caseStaff: RoutePolicy = { access: 'member', roles: referralRoles };
/** An organisation's statistics: its admins and case supervisors. */
const statistics: RoutePolicy = { access: 'member', roles: statisticsRoles };
const platformStaff: RoutePolicy = { access: 'platform', roles: ['moderator', 'platform_admin'] };

/** The referral routes of the referrals module. */
export async function referralRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/referrals',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'listReferrals',
        summary: 'My organisation’s sent or received referrals: state, due date, overdue flag, counterpart',
        security,
        querystring: referralListQuerySchema,
        response: { 200: referralPageSchema },
      },
    },
    (request) => listReferrals(contextOf(request), request.query),
  );

  app.get(
    '/referrals/statistics',
    {
      config: { policy: statistics },
      schema: {
        tags,
        operationId: 'getReferralStatistics',
        summary: 'My organisation’s referral statistics: time to acknowledge, acceptance rate, outcomes',
        security,
        response: { 200: referralStatisticsSchema },
      },
    },
    (request) => referralStatistics(contextOf(request)),
  );

  app.get(
    '/referrals/platform-statistics',
    {
      config: { policy: platformStaff },
      schema: {
        tags,
        operationId: 'getPlatformReferralStatistics',
        summary: 'Platform-wide referral counts for staff (small cells suppressed)',
        security,
        response: { 200: platformReferralStatisticsSchema },
      },
    },
    (request) => platformReferralStatistics(contextOf(request)),
  );

  app.post(
    '/referrals',
    {
      config: { policy: caseStaff, idempotent: true },
      schema: {
        tags,
        operationId: 'createReferral',
        summary: 'Refer a case (a draft): to an organisation, or from an accepted support request',
        description:
          'Each shared section must be covered by a live Referral consent naming the recipient, or overridden ' +
          'by a case supervisor with a reason (a caseworker’s override is 403).',
        security,
        body: referralCreateSchema,
        response: { 201: referralSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await createReferral(contextOf(request), request.body)),
  );

  app.get(
    '/referrals/:referralId',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'getReferral',
        summary: 'A referral: state, timeline, outcome, abilities (nothing from the case itself)',
        security,
        params: referralParamsSchema,
        response: { 200: referralSchema },
      },
    },
    (request) => getReferral(contextOf(request), request.params.referralId),
  );

  app.patch(
    '/referrals/:referralId',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'updateReferral',
        summary: 'Edit a draft: services, shared sections, note, urgency, time to acknowledge',
        description:
          'Only a draft, only by the sender’s staff who may refer the case (409 past draft or on a stale ' +
          '`version`, 403 otherwise). The same consent rules as making it: each section covered by a live ' +
          'Referral consent naming the recipient, or overridden by a case supervisor with a reason.',
        security,
        params: referralParamsSchema,
        body: referralUpdateSchema,
        response: { 200: referralSchema },
      },
    },
    (request) => updateReferral(contextOf(request), request.params.referralId, request.body),
  );

  app.post(
    '/referrals/:referralId/transitions',
    {
      config: { policy: caseStaff, idempotent: true },
      schema: {
        tags,
        operationId: 'transitionReferral',
        summary: 'Take one step: send, acknowledge, accept, decline, start, complete, close or cancel',
        description:
          'Sending re-checks consent and, between organisations that never worked together, needs ' +
          '`confirmNewPartner` (409 `new_partner_unconfirmed` gives both tiers). A step no side may take from ' +
          'the current state, or a stale `version`, is 409; a step of the other side is 403.',
        security,
        params: referralParamsSchema,
        body: referralTransitionSchema,
        response: { 200: referralSchema },
      },
    },
    (request) => transitionReferral(contextOf(request), request.params.referralId, request.body),
  );

  app.get(
    '/referrals/:referralId/case',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'getReferralCase',
        summary:
          'The shared sections of the referred case, read live (recipient, while active and consented)',
        description:
          'Consent is re-checked on every request; identifying sections need `reveal=true` after a step-up. ' +
          'Every read is audited in the owner’s trail. 403 when nothing may be read now.',
        security,
        params: referralParamsSchema,
        querystring: referralCaseQuerySchema,
        response: { 200: referralCaseSchema },
      },
    },
    (request) => readReferralCase(contextOf(request), request.params.referralId, request.query.reveal),
  );
}
