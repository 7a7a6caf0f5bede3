import type { PlatformRole, Role } from './roles.js';

/**
 * How a route is authorised. Every API route declares one (the app refuses to boot otherwise): access is
 * deny-by-default. Resource-level rules (is this organisation mine?) are checked by the module's policy
 * functions inside the use case; this is the gate in front of them.
 */
export type RoutePolicy =
  /** Anyone, signed in or not. */
  | { access: 'public' }
  /**
   * Any signed-in person. `partial` also admits a session still waiting for its second factor (the
   * second-factor routes); `unenrolled` also admits a person who must still enrol a required factor.
   */
  | { access: 'signed_in'; partial?: boolean; unenrolled?: boolean }
  /** A person acting for an active organisation, in one of these roles (any role if omitted). */
  | { access: 'member'; roles?: readonly Role[] }
  /** Platform staff with one of these platform roles. */
  | { access: 'platform'; roles: readonly PlatformRole[] };

export const publicPolicy: RoutePolicy = { access: 'public' };

/**
 * Who is making a request, resolved from the session on every request (no caching: changes apply at once), except
 * on routes declaring `cachedActor` (docs/decisions/0014-directory-search-request-cost.md).
 */
export type Actor =
  | { kind: 'anonymous' }
  | {
      kind: 'person';
      personId: string;
      sessionId: string;
      /** `partial`: password accepted, second factor still due. */
      level: 'partial' | 'full';
      platformRole: PlatformRole | null;
      /** The membership the person acts for, if its organisation is active. */
      membership: { id: string; organisationId: string; role: Role } | null;
      /** False when the person's role needs a factor they have not enrolled: only enrolment is open to them. */
      hasRequiredFactor: boolean;
      stepUpAt: Date | null;
    };

export const anonymous: Actor = { kind: 'anonymous' };

export type PersonActor = Extract<Actor, { kind: 'person' }>;

/** The outcome of the route gate: allowed, or the error code to answer with. */
export type GateResult =
  | { allowed: true }
  | {
      allowed: false;
      code: 'unauthenticated' | 'second_factor_required' | 'factor_enrolment_required' | 'forbidden';
    };

/** Decides whether an actor may call a route with this policy. Pure: the access matrix tests it directly. */
export function checkRoutePolicy(policy: RoutePolicy, actor: Actor): GateResult {
  if (policy.access === 'public') return { allowed: true };
  if (actor.kind !== 'person') return { allowed: false, code: 'unauthenticated' };
  const partialOk = policy.access === 'signed_in' && policy.partial === true;
  if (actor.level === 'partial' && !partialOk) return { allowed: false, code: 'second_factor_required' };
  const unenrolledOk =
    policy.access === 'signed_in' && (policy.unenrolled === true || policy.partial === true);
  if (!actor.hasRequiredFactor && !unenrolledOk) return { allowed: false, code: 'factor_enrolment_required' };
  switch (policy.access) {
    case 'signed_in':
      return { allowed: true };
    case 'member':
      if (!actor.membership) return { allowed: false, code: 'forbidden' };
      if (policy.roles && !policy.roles.includes(actor.membership.role))
        return { allowed: false, code: 'forbidden' };
      return { allowed: true };
    case 'platform':
      return actor.platformRole && policy.roles.includes(actor.platformRole)
        ? { allowed: true }
        : { allowed: false, code: 'forbidden' };
  }
}
