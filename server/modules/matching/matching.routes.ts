import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import { screenerRoles } from './matching.policy.js';
import { contactMessageInputSchema, contactMessageSchema } from '../directory/index.js';
import { matchFocalPoint, writeToFocalPoint } from './matching.focal.js';
import { organisationQuotas, platformQuotas, setQuotaOverride } from './matching.quotas.js';
import {
  focalPointInputSchema,
  lookupAuditSchema,
  lookupInputSchema,
  lookupResultSchema,
  matchActionSchema,
  matchListQuerySchema,
  matchListSchema,
  matchParamsSchema,
  matchFocalPointSchema,
  matchSchema,
  organisationParamsSchema,
  organisationQuotasSchema,
  participationInputSchema,
  participationSchema,
  platformQuotaListSchema,
  platformQuotaQuerySchema,
  quotaLineSchema,
  quotaOverrideInputSchema,
  subjectInputSchema,
  subjectListSchema,
  subjectParamsSchema,
  subjectSchema,
} from './matching.schemas.js';
import {
  actOnMatch,
  closeSubject,
  getMatch,
  getParticipation,
  getSubject,
  listMatches,
  listSubjects,
  lookup,
  lookupAudit,
  nameFocalPoint,
  registerSubject,
  setParticipation,
} from './matching.service.js';

const tags = ['matching'];
const session = [{ session: [] }];
/** Case supervisors and investigators of vetted (active) organisations. */
const screeners: RoutePolicy = { access: 'member', roles: screenerRoles };
const admins: RoutePolicy = { access: 'member', roles: ['org_admin'] };
/** Every member of an active organisation: who in it looked up what, and its quotas. */
const members: RoutePolicy = { access: 'member' };
const platformAdmins: RoutePolicy = { access: 'platform', roles: ['platform_admin'] };
const revealed =
  'Nothing about the other organisation’s case, investigation or alert is revealed: only that an overlap of this ' +
  'kind exists and with which organisation.';
const alertNote =
  'An alert is a warning a member organisation circulates about a recruiter, a fake recruitment agency or job ' +
  'advert, a phone number, a website or social handle; it is screened like an investigation. ';

/** Privacy-preserving overlap detection (issue 8): lookups, registered investigations and alerts, the matches inbox. */
export async function matchingRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/matching/lookups',
    {
      config: { policy: screeners },
      schema: {
        tags,
        operationId: 'matchingLookup',
        summary: 'Check selectors against every other organisation’s, storing nothing',
        description:
          'Needs two attributes or one strong selector (identity document, phone, bank account); counted against ' +
          'the person’s and the organisation’s quotas (429 when used up) and audited. ' +
          revealed,
        security: session,
        body: lookupInputSchema,
        response: { 200: lookupResultSchema },
      },
    },
    (request) => lookup(contextOf(request), request.body),
  );

  app.post(
    '/matching/subjects',
    {
      config: { policy: screeners, idempotent: true },
      schema: {
        tags,
        operationId: 'registerMatchingSubject',
        summary: 'Register an investigation, planned operation or alert for deconfliction',
        description:
          'Its selectors (and its place and time window, if given) are screened now and against every later ' +
          'registration; each overlap becomes a match in both organisations’ inboxes. Accepts an ' +
          'Idempotency-Key header. ' +
          alertNote +
          revealed,
        security: session,
        body: subjectInputSchema,
        response: { 201: subjectSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await registerSubject(contextOf(request), request.body)),
  );

  app.get(
    '/matching/subjects',
    {
      config: { policy: screeners },
      schema: {
        tags,
        operationId: 'listMatchingSubjects',
        summary: 'Your organisation’s registered investigations, operations and alerts, newest first',
        security: session,
        response: { 200: subjectListSchema },
      },
    },
    (request) => listSubjects(contextOf(request)),
  );

  app.get(
    '/matching/subjects/:id',
    {
      config: { policy: screeners },
      schema: {
        tags,
        operationId: 'getMatchingSubject',
        summary: 'One of your organisation’s registered investigations, operations or alerts',
        security: session,
        params: subjectParamsSchema,
        response: { 200: subjectSchema },
      },
    },
    (request) => getSubject(contextOf(request), request.params.id),
  );

  app.post(
    '/matching/subjects/:id/close',
    {
      config: { policy: screeners },
      schema: {
        tags,
        operationId: 'closeMatchingSubject',
        summary: 'Close an investigation, operation or alert: it no longer takes part in screening',
        security: session,
        params: subjectParamsSchema,
        response: { 200: subjectSchema },
      },
    },
    (request) => closeSubject(contextOf(request), request.params.id),
  );

  app.get(
    '/matching/matches',
    {
      config: { policy: screeners },
      schema: {
        tags,
        operationId: 'listMatches',
        summary: 'Your organisation’s matches inbox, newest first',
        description: revealed,
        security: session,
        querystring: matchListQuerySchema,
        response: { 200: matchListSchema },
      },
    },
    (request) => listMatches(contextOf(request), request.query),
  );

  app.get(
    '/matching/matches/:id',
    {
      config: { policy: screeners },
      schema: {
        tags,
        operationId: 'getMatch',
        summary: 'One match of your organisation',
        security: session,
        params: matchParamsSchema,
        response: { 200: matchSchema },
      },
    },
    (request) => getMatch(contextOf(request), request.params.id),
  );

  app.post(
    '/matching/matches/:id/actions',
    {
      config: { policy: screeners },
      schema: {
        tags,
        operationId: 'actOnMatch',
        summary: 'Agree to connect, dismiss, or mark a match resolved',
        description:
          'Both sides are in contact only once both agreed; 409 when the action does not fit the match’s state.',
        security: session,
        params: matchParamsSchema,
        body: matchActionSchema,
        response: { 200: matchSchema },
      },
    },
    (request) => actOnMatch(contextOf(request), request.params.id, request.body.action),
  );

  app.get(
    '/matching/participation',
    {
      config: { policy: admins },
      schema: {
        tags,
        operationId: 'getMatchingParticipation',
        summary: 'Which kinds of selector your organisation’s cases and investigations take part with',
        security: session,
        response: { 200: participationSchema },
      },
    },
    (request) => getParticipation(contextOf(request)),
  );

  app.put(
    '/matching/participation',
    {
      config: { policy: admins },
      schema: {
        tags,
        operationId: 'setMatchingParticipation',
        summary:
          'Opt in or out per kind of selector (both ways: an opted-out kind is neither found nor looked up)',
        security: session,
        body: participationInputSchema,
        response: { 200: participationSchema },
      },
    },
    (request) => setParticipation(contextOf(request), request.body),
  );

  app.get(
    '/matching/lookups',
    {
      config: { policy: members },
      schema: {
        tags,
        operationId: 'listMatchingLookups',
        summary: 'Who in your organisation looked up or registered which kinds of selector (last 90 days)',
        security: session,
        response: { 200: lookupAuditSchema },
      },
    },
    (request) => lookupAudit(contextOf(request)),
  );

  app.put(
    '/matching/focal-point',
    {
      config: { policy: admins },
      schema: {
        tags,
        operationId: 'setMatchingFocalPoint',
        summary: 'Name the organisation’s matching focal point (or nobody)',
        description:
          'An org admin, case supervisor or investigator of the organisation. Other organisations with a ' +
          'match may write to this person through Cairn before both sides agree; no email address is shown.',
        security: session,
        body: focalPointInputSchema,
        response: { 200: participationSchema },
      },
    },
    (request) => nameFocalPoint(contextOf(request), request.body.personId),
  );

  app.get(
    '/matching/matches/:id/focal-point',
    {
      config: { policy: screeners },
      schema: {
        tags,
        operationId: 'getMatchFocalPoint',
        summary: 'The other organisation’s matching focal point, for one of your matches',
        security: session,
        params: matchParamsSchema,
        response: { 200: matchFocalPointSchema },
      },
    },
    (request) => matchFocalPoint(contextOf(request), request.params.id),
  );

  app.post(
    '/matching/matches/:id/focal-point/messages',
    {
      config: { policy: screeners, idempotent: true },
      schema: {
        tags,
        operationId: 'writeToMatchFocalPoint',
        summary: 'Write to the other organisation’s matching focal point through Cairn',
        description:
          'A contact message (the directory’s messages: same daily limit, the recipient is mailed a link, ' +
          'never the text). 404 when the other organisation named no focal point. Write nothing that ' +
          'identifies a person before both sides agree to connect.',
        security: session,
        params: matchParamsSchema,
        body: contactMessageInputSchema,
        response: { 201: contactMessageSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await writeToFocalPoint(contextOf(request), request.params.id, request.body)),
  );

  app.get(
    '/matching/quotas',
    {
      config: { policy: members },
      schema: {
        tags,
        operationId: 'getMatchingQuotas',
        summary: 'Your organisation’s lookup quotas, and what each person used of them in the last 24 hours',
        security: session,
        response: { 200: organisationQuotasSchema },
      },
    },
    (request) => organisationQuotas(contextOf(request)),
  );

  app.get(
    '/matching/platform/quotas',
    {
      config: { policy: platformAdmins },
      schema: {
        tags,
        operationId: 'listMatchingQuotas',
        summary: 'Organisations’ lookup quotas and use (platform admins)',
        description:
          'Without q: organisations whose quotas staff changed or that looked something up in the last 30 ' +
          'days, busiest first. With q: organisations whose name contains it. At most 200.',
        security: session,
        querystring: platformQuotaQuerySchema,
        response: { 200: platformQuotaListSchema },
      },
    },
    (request) => platformQuotas(contextOf(request), request.query),
  );

  app.put(
    '/matching/platform/quotas/:organisationId',
    {
      config: { policy: platformAdmins },
      schema: {
        tags,
        operationId: 'setMatchingQuota',
        summary: 'Set one organisation’s lookup quotas, with a reason (both null: back to the defaults)',
        description: 'Audited on the organisation’s trail with the limits before and after.',
        security: session,
        params: organisationParamsSchema,
        body: quotaOverrideInputSchema,
        response: { 200: quotaLineSchema },
      },
    },
    (request) => setQuotaOverride(contextOf(request), request.params.organisationId, request.body),
  );
}
