import type { FastifyRequest } from 'fastify';
import type { Actor } from './access/policy.js';
import { auditContextOf, type AuditContext } from './audit/audit.js';
import type { Language } from './i18n/i18n.js';
import type { Kernel } from './kernel.js';

/** What every use case receives first: the kernel's services, who is asking, and from where. */
export interface Ctx {
  kernel: Kernel;
  actor: Actor;
  audit: AuditContext;
  language: Language;
  ip: string;
  userAgent: string | null;
}

/** The context of an HTTP request (after the route gate has resolved its actor). */
export function contextOf(request: FastifyRequest): Ctx {
  return {
    kernel: request.server.kernel,
    actor: request.actor,
    audit: auditContextOf(request),
    language: request.language,
    ip: request.ip,
    userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
  };
}
