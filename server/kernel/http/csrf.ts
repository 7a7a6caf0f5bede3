import type { FastifyRequest } from 'fastify';

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * SECURITY: refuses state-changing requests that a browser marks as coming from another site. Browsers send
 * Sec-Fetch-Site (and Origin) on every cross-origin POST; non-browser clients send neither and carry no
 * ambient cookies to abuse. GET never changes state (a rule of the house), so it is not checked.
 */
export function isCrossSiteWrite(request: FastifyRequest, publicUrl: string): boolean {
  if (!unsafeMethods.has(request.method)) return false;
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  const allowed = new Set([new URL(publicUrl).origin, `${request.protocol}://${request.host}`]);
  return !allowed.has(origin);
}
