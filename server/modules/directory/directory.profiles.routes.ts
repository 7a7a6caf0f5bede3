import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import { searchPlaces, regionsOf } from './directory.gazetteer.js';
import {
  organisationParamsSchema,
  partnersSchema,
  placeQuerySchema,
  placeSchema,
  profileInputSchema,
  profileSchema,
  regionQuerySchema,
  regionSchema,
} from './directory.profiles.schemas.js';
import { getPartners, getProfile, saveProfile, setPartners } from './directory.profiles.service.js';

const tags = ['directory'];
const open: RoutePolicy = { access: 'public' };

const admins: RoutePolicy = { access: 'member', roles: ['org_admin'] };
const session = { security: [{ session: [] }] };
/** Admins edit their own profile; platform admins keep the directory correct. Checked again in the service. */
const editors: RoutePolicy = { access: 'signed_in' };

/** Organisation profiles, partners, and the offline gazetteer. */
export async function profileRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/directory/organisations/:organisationId',
    {
      config: { policy: open },
      schema: {
        tags,
        operationId: 'getProfile',
        summary: 'An organisation’s directory profile, with the fields the caller may see',
        security: [],
        params: organisationParamsSchema,
        response: { 200: profileSchema },
      },
    },
    (request) => getProfile(contextOf(request), request.params.organisationId),
  );

  app.put(
    '/directory/organisations/:organisationId',
    {
      config: { policy: editors },
      schema: {
        tags,
        operationId: 'saveProfile',
        summary: 'Replace an organisation’s directory profile (its admins)',
        ...session,
        params: organisationParamsSchema,
        body: profileInputSchema,
        response: { 200: profileSchema },
      },
    },
    (request) => saveProfile(contextOf(request), request.params.organisationId, request.body),
  );

  app.get(
    '/directory/organisations/:organisationId/partners',
    {
      config: { policy: admins },
      schema: {
        tags,
        operationId: 'getPartners',
        summary: 'The organisations that see this one’s partners-only fields',
        ...session,
        params: organisationParamsSchema,
        response: { 200: partnersSchema },
      },
    },
    (request) => getPartners(contextOf(request), request.params.organisationId),
  );

  app.put(
    '/directory/organisations/:organisationId/partners',
    {
      config: { policy: admins },
      schema: {
        tags,
        operationId: 'setPartners',
        summary: 'Replace the partner list',
        ...session,
        params: organisationParamsSchema,
        body: partnersSchema,
        response: { 200: partnersSchema },
      },
    },
    (request) => setPartners(contextOf(request), request.params.organisationId, request.body.organisationIds),
  );

  app.get(
    '/directory/places',
    {
      config: { policy: open, rateLimit: { max: 120, timeWindow: 60_000 } },
      schema: {
        tags,
        operationId: 'searchPlaces',
        summary: 'Places by name, from the offline gazetteer (GeoNames)',
        security: [],
        querystring: placeQuerySchema,
        response: { 200: z.array(placeSchema) },
      },
    },
    (request) =>
      searchPlaces(request.query.q, { country: request.query.country, limit: request.query.limit }),
  );

  app.get(
    '/directory/regions',
    {
      config: { policy: open },
      schema: {
        tags,
        operationId: 'listRegions',
        summary: 'The first-level regions of a country',
        security: [],
        querystring: regionQuerySchema,
        response: { 200: z.array(regionSchema) },
      },
    },
    (request) => regionsOf(request.query.country),
  );
}
