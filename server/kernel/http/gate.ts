import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { checkRoutePolicy, type RoutePolicy } from '../access/policy.js';
import { isCrossSiteWrite } from './csrf.js';
import { AppError } from './errors.js';

/**
 * SECURITY: the gate every API route with a policy passes before its input is validated (server/app.ts runs it
 * at preValidation): a cross-site write is refused, then the caller is resolved and held to the route's
 * policy. Routes whose body is a large file also run it at preParsing, before the body is read, so strangers
 * cannot make the server receive their file.
 */
export async function passRouteGate(request: FastifyRequest, policy: RoutePolicy): Promise<void> {
  const kernel = request.server.kernel;
  if (isCrossSiteWrite(request, kernel.config.publicUrl)) throw new AppError('csrf_rejected');
  request.actor = await kernel.resolveActor(request, {
    cached: request.routeOptions.config.cachedActor === true,
  });
  const gate = checkRoutePolicy(policy, request.actor);
  if (!gate.allowed) throw new AppError(gate.code);
}

/**
 * A route's uuid param, checked before the body is read (its schema checks the params again after): a
 * malformed id is a 400 naming it, as the schema's own check would say.
 */
export function uuidParamBeforeBody<S extends z.ZodType>(
  schema: S,
  request: FastifyRequest,
  name: string,
): z.output<S> {
  const parsed = schema.safeParse(request.params);
  if (!parsed.success)
    throw new AppError('validation_failed', {
      fields: [{ path: `params.${name}`, code: 'invalid_format', params: { format: 'uuid' } }],
    });
  return parsed.data;
}
