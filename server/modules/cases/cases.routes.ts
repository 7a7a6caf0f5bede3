import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import {
  accessHistorySchema,
  assignmentsInputSchema,
  breakGlassInputSchema,
  breakGlassSchema,
  caseFileCreateSchema,
  caseFileQuerySchema,
  caseFileSchema,
  caseFileUpdateSchema,
  caseListQuerySchema,
  casePageSchema,
  caseParamsSchema,
  closureDecisionInputSchema,
  closureRequestInputSchema,
  consentInputSchema,
  consentParamsSchema,
  consentSchema,
  dashboardSchema,
  duplicateCheckInputSchema,
  duplicateCheckSchema,
  entryInputSchema,
  entryParamsSchema,
  entrySchema,
  entryUpdateSchema,
  historyQuerySchema,
  reopenInputSchema,
  restrictionInputSchema,
  staffListSchema,
  statisticsSchema,
} from './cases.schemas.js';
import {
  addEntry,
  completeEntry,
  recordConsent,
  revokeConsent,
  updateEntry,
} from './cases.entries.service.js';
import {
  breakGlass,
  caseHistory,
  caseStatistics,
  checkDuplicates,
  createCaseFile,
  dashboard,
  decideClosure,
  getCaseFile,
  listCaseStaff,
  listCases,
  reopenCase,
  requestClosure,
  setAssignments,
  setRestriction,
  updateCaseFile,
} from './cases.service.js';

const tags = ['cases'];
const security = [{ session: [] }];
/** Case content: caseworkers and case supervisors (org admins manage people, not cases). */
const caseStaff: RoutePolicy = { access: 'member', roles: ['caseworker', 'case_supervisor'] };
const supervisors: RoutePolicy = { access: 'member', roles: ['case_supervisor'] };
const statistics: RoutePolicy = { access: 'member', roles: ['analyst', 'case_supervisor'] };

/** Case files on HTCDS v2: intake, sections, entries, consent, assignment, closure, break-glass, history. */
export async function caseRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/cases',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'listCases',
        summary: 'My cases, or (supervisors) the organisation’s — nothing identifying is listed',
        security,
        querystring: caseListQuerySchema,
        response: { 200: casePageSchema },
      },
    },
    (request) => listCases(contextOf(request), request.query),
  );

  app.get(
    '/cases/dashboard',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'getCaseDashboard',
        summary: 'My open cases, due follow-ups, recently updated cases, closures waiting for approval',
        security,
        response: { 200: dashboardSchema },
      },
    },
    (request) => dashboard(contextOf(request)),
  );

  app.get(
    '/cases/staff',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'listCaseStaff',
        summary: 'The organisation’s caseworkers and case supervisors',
        security,
        response: { 200: staffListSchema },
      },
    },
    (request) => listCaseStaff(contextOf(request)),
  );

  app.get(
    '/cases/statistics',
    {
      config: { policy: statistics },
      schema: {
        tags,
        operationId: 'getCaseStatistics',
        summary: 'De-identified counts of the organisation’s cases (small cells hidden)',
        security,
        response: { 200: statisticsSchema },
      },
    },
    (request) => caseStatistics(contextOf(request)),
  );

  app.post(
    '/cases/duplicate-checks',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'checkCaseDuplicates',
        summary: 'Does the organisation already have a case with this document number or name + birth year?',
        description: 'Compares keyed blind-index digests only; the values are never stored or logged.',
        security,
        body: duplicateCheckInputSchema,
        response: { 200: duplicateCheckSchema },
      },
    },
    (request) => checkDuplicates(contextOf(request), request.body),
  );

  app.post(
    '/cases',
    {
      config: { policy: caseStaff, idempotent: true },
      schema: {
        tags,
        operationId: 'createCaseFile',
        summary: 'Open a case (an intake; `draft: true` saves it incomplete)',
        security,
        body: caseFileCreateSchema,
        response: { 201: caseFileSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await createCaseFile(contextOf(request), request.body)),
  );

  app.get(
    '/cases/:caseId',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'getCaseFile',
        summary:
          'A case file (identifying sections with `reveal=true`, after a step-up); every read is audited',
        security,
        params: caseParamsSchema,
        querystring: caseFileQuerySchema,
        response: { 200: caseFileSchema },
      },
    },
    (request) => getCaseFile(contextOf(request), request.params.caseId, request.query.reveal),
  );

  app.patch(
    '/cases/:caseId',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'updateCaseFile',
        summary: 'Save sections of a case (each given section replaces the stored one)',
        description: 'Identifying sections need a recent step-up. A stale `version` is answered with 409.',
        security,
        params: caseParamsSchema,
        body: caseFileUpdateSchema,
        response: { 200: caseFileSchema },
      },
    },
    (request) => updateCaseFile(contextOf(request), request.params.caseId, request.body),
  );

  app.post(
    '/cases/:caseId/entries',
    {
      config: { policy: caseStaff, idempotent: true },
      schema: {
        tags,
        operationId: 'addCaseEntry',
        summary: 'Add a perpetrator, trafficking event, support-plan item, follow-up or comment',
        security,
        params: caseParamsSchema,
        body: entryInputSchema,
        response: { 201: entrySchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await addEntry(contextOf(request), request.params.caseId, request.body)),
  );

  app.put(
    '/cases/:caseId/entries/:entryId',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'updateCaseEntry',
        summary: 'Replace an entry (comments are never edited)',
        security,
        params: entryParamsSchema,
        body: entryUpdateSchema,
        response: { 200: entrySchema },
      },
    },
    (request) => updateEntry(contextOf(request), request.params.caseId, request.params.entryId, request.body),
  );

  app.post(
    '/cases/:caseId/entries/:entryId/done',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'completeCaseEntry',
        summary: 'Mark a follow-up or support-plan item done (no need to resend its sealed fields)',
        security,
        params: entryParamsSchema,
        response: { 200: entrySchema },
      },
    },
    (request) => completeEntry(contextOf(request), request.params.caseId, request.params.entryId),
  );

  app.post(
    '/cases/:caseId/consents',
    {
      config: { policy: caseStaff, idempotent: true },
      schema: {
        tags,
        operationId: 'recordCaseConsent',
        summary: 'Record the survivor’s consent for one purpose',
        security,
        params: caseParamsSchema,
        body: consentInputSchema,
        response: { 201: consentSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await recordConsent(contextOf(request), request.params.caseId, request.body)),
  );

  app.post(
    '/cases/:caseId/consents/:consentId/revoke',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'revokeCaseConsent',
        summary: 'Revoke a consent (disclosures based on it stop at the next request)',
        security,
        params: consentParamsSchema,
        response: { 200: consentSchema },
      },
    },
    (request) => revokeConsent(contextOf(request), request.params.caseId, request.params.consentId),
  );

  app.put(
    '/cases/:caseId/assignments',
    {
      config: { policy: supervisors },
      schema: {
        tags,
        operationId: 'setCaseAssignments',
        summary: 'Assign caseworkers to a case (supervisors)',
        security,
        params: caseParamsSchema,
        body: assignmentsInputSchema,
        response: { 200: caseFileSchema },
      },
    },
    (request) => setAssignments(contextOf(request), request.params.caseId, request.body),
  );

  app.put(
    '/cases/:caseId/restriction',
    {
      config: { policy: supervisors },
      schema: {
        tags,
        operationId: 'setCaseRestriction',
        summary: 'Restrict a case to named staff, or lift the restriction (supervisors)',
        security,
        params: caseParamsSchema,
        body: restrictionInputSchema,
        response: { 200: caseFileSchema },
      },
    },
    (request) => setRestriction(contextOf(request), request.params.caseId, request.body),
  );

  app.post(
    '/cases/:caseId/closure-request',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'requestCaseClosure',
        summary: 'Ask for a case to be closed (a supervisor other than the asker approves)',
        security,
        params: caseParamsSchema,
        body: closureRequestInputSchema,
        response: { 200: caseFileSchema },
      },
    },
    (request) => requestClosure(contextOf(request), request.params.caseId, request.body),
  );

  app.post(
    '/cases/:caseId/closure-decision',
    {
      config: { policy: supervisors },
      schema: {
        tags,
        operationId: 'decideCaseClosure',
        summary: 'Approve or reject a pending closure (supervisors)',
        security,
        params: caseParamsSchema,
        body: closureDecisionInputSchema,
        response: { 200: caseFileSchema },
      },
    },
    (request) => decideClosure(contextOf(request), request.params.caseId, request.body.decision),
  );

  app.post(
    '/cases/:caseId/reopen',
    {
      config: { policy: supervisors },
      schema: {
        tags,
        operationId: 'reopenCase',
        summary: 'Reopen a closed case (supervisors)',
        security,
        params: caseParamsSchema,
        body: reopenInputSchema,
        response: { 200: caseFileSchema },
      },
    },
    (request) => reopenCase(contextOf(request), request.params.caseId, request.body),
  );

  app.post(
    '/cases/:caseId/break-glass',
    {
      config: { policy: supervisors },
      schema: {
        tags,
        operationId: 'breakGlassCase',
        summary: 'Open a restricted case outside my scope for 60 minutes, read-only (step-up, reason, alert)',
        security,
        params: caseParamsSchema,
        body: breakGlassInputSchema,
        response: { 200: breakGlassSchema },
      },
    },
    (request) => breakGlass(contextOf(request), request.params.caseId, request.body),
  );

  app.get(
    '/cases/:caseId/history',
    {
      config: { policy: caseStaff },
      schema: {
        tags,
        operationId: 'getCaseHistory',
        summary: 'The case’s timeline (changes: anyone on the case); who read it (reads, all: supervisors)',
        security,
        params: caseParamsSchema,
        querystring: historyQuerySchema,
        response: { 200: accessHistorySchema },
      },
    },
    (request) => caseHistory(contextOf(request), request.params.caseId, request.query),
  );
}
