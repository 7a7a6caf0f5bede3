import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import {
  transferCreateSchema,
  transferListQuerySchema,
  transferPageSchema,
  transferParamsSchema,
  transferReasonSchema,
  transferRecordSchema,
  transferSchema,
} from './referrals.transfers.schemas.js';
import {
  acceptTransfer,
  getTransfer,
  getTransferRecord,
  listTransfers,
  rejectTransfer,
  requestTransfer,
  revokeTransfer,
} from './referrals.transfers.service.js';

const tags = ['referrals'];
const security = [{ session: [] }];
/** Transfers are case work: caseworkers and case supervisors (the service decides per transfer). */
const caseStaff: RoutePolicy = { access: 'member', roles: ['caseworker', 'case_supervisor'] };
/** Deciding a transfer and reading the sender's record are for case supervisors. */
const supervisors: RoutePolicy = { access: 'member', roles: ['case_supervisor'] };

/** The transfer routes of the referrals module: ownership of a case file moving to another organisation. */
export async function transferRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/transfers',
    {
      config: { policy: caseStaff, idempotent: true },
      schema: {
        tags,
        operationId: 'createTransfer',
        summary: 'Ask another organisation to take a case over (the survivor’s Transfer consent names it)',
        description:
          'The caller works on the case. 409 when the consent is missing, the case is closed or has a closure, ' +
          'a referral or another transfer open, or when the organisations never worked together and ' +
          '`confirmNewPartner` is not true (`new_partner_unconfirmed` with both tiers, as for referrals).',
        security,
        body: transferCreateSchema,
        response: { 201: transferSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await requestTransfer(contextOf(request), request.body)),
  );

  app.get(
    '/transfers',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'listTransfers',
        summary: 'Transfers the organisation sent or received, newest change first',
        security,
        querystring: transferListQuerySchema,
        response: { 200: transferPageSchema },
      },
    },
    (request) => listTransfers(contextOf(request), request.query),
  );

  app.get(
    '/transfers/:transferId',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'getTransfer',
        summary: 'One transfer, its timeline and what the caller may do with it',
        security,
        params: transferParamsSchema,
        response: { 200: transferSchema },
      },
    },
    (request) => getTransfer(contextOf(request), request.params.transferId),
  );

  app.post(
    '/transfers/:transferId/accept',
    {
      config: { policy: supervisors },
      schema: {
        tags,
        operationId: 'acceptTransfer',
        summary: 'Take the case over (a case supervisor of the recipient); the case moves at once',
        description:
          'The survivor’s consent is checked again: revoked since the request, the answer is 409 and nothing ' +
          'changes. Then assign the case in the cases module.',
        security,
        params: transferParamsSchema,
        response: { 200: transferSchema },
      },
    },
    (request) => acceptTransfer(contextOf(request), request.params.transferId),
  );

  app.post(
    '/transfers/:transferId/reject',
    {
      config: { policy: supervisors },
      schema: {
        tags,
        operationId: 'rejectTransfer',
        summary: 'Turn the transfer down, with a reason (a case supervisor of the recipient)',
        security,
        params: transferParamsSchema,
        body: transferReasonSchema,
        response: { 200: transferSchema },
      },
    },
    (request) => rejectTransfer(contextOf(request), request.params.transferId, request.body.reason),
  );

  app.post(
    '/transfers/:transferId/revoke',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'revokeTransfer',
        summary: 'Withdraw the transfer before it is decided, with a reason (the sender)',
        security,
        params: transferParamsSchema,
        body: transferReasonSchema,
        response: { 200: transferSchema },
      },
    },
    (request) => revokeTransfer(contextOf(request), request.params.transferId, request.body.reason),
  );

  app.get(
    '/transfers/:transferId/record',
    {
      config: { policy: supervisors },
      schema: {
        tags,
        operationId: 'getTransferRecord',
        summary:
          'The sender’s read-only record of a transferred case (its case supervisors, after a step-up)',
        description: 'Every opening is audited in the sender’s trail. 404 when no record was kept.',
        security,
        params: transferParamsSchema,
        response: { 200: transferRecordSchema },
      },
    },
    (request) => getTransferRecord(contextOf(request), request.params.transferId),
  );
}
