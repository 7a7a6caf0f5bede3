import type { Actor, PersonActor } from '../../kernel/access/policy.js';
import type { Role } from '../../kernel/access/roles.js';
import type { OrganisationStatus, OrganisationType, Tier } from './identity.vocabulary.js';

/**
 * The identity module's resource rules: pure functions of the actor and the facts of a resource, so the
 * services, the abilities the web app reads, and the unit tests all use the same answers.
 *
 * "Acting for" an organisation means the session's active membership (Actor.membership), which the
 * session resolver gives only while that organisation is active: members of a pending, rejected or
 * suspended organisation act for nobody.
 */

const person = (actor: Actor): PersonActor | null => (actor.kind === 'person' ? actor : null);

/** Platform staff: moderators and platform admins. */
export function isPlatformStaff(actor: Actor): boolean {
  return person(actor)?.platformRole != null;
}

/** Who may work the vetting queue (approve, request information, reject, renew tiers). */
export function canModerate(actor: Actor): boolean {
  const role = person(actor)?.platformRole;
  return role === 'moderator' || role === 'platform_admin';
}

/** Who may administer the platform (suspend and reinstate organisations, read the whole audit trail). */
export function canAdministerPlatform(actor: Actor): boolean {
  return person(actor)?.platformRole === 'platform_admin';
}

/** True when the actor's session acts for this organisation. */
export function actsFor(actor: Actor, organisationId: string): boolean {
  return person(actor)?.membership?.organisationId === organisationId;
}

/** True when the actor acts for this organisation as its org_admin. */
export function isOrganisationAdmin(actor: Actor, organisationId: string): boolean {
  const membership = person(actor)?.membership;
  return membership?.organisationId === organisationId && membership.role === 'org_admin';
}

/** Who may see an organisation at all: its members and platform staff. Everyone else gets 404. */
export function canViewOrganisation(actor: Actor, organisationId: string): boolean {
  return actsFor(actor, organisationId) || isPlatformStaff(actor);
}

/** Who may invite, re-role and remove members: the organisation's own admins, nobody else. */
export function canManageMembers(actor: Actor, organisationId: string): boolean {
  return isOrganisationAdmin(actor, organisationId);
}

/** Who may read the member list and pending invitations: the organisation's admins and platform admins. */
export function canViewMembers(actor: Actor, organisationId: string): boolean {
  return isOrganisationAdmin(actor, organisationId) || canAdministerPlatform(actor);
}

/** Who may read an organisation's audit trail: its admins and platform admins. */
export function canViewOrganisationAudit(actor: Actor, organisationId: string): boolean {
  return isOrganisationAdmin(actor, organisationId) || canAdministerPlatform(actor);
}

/** How a request for a resource ends: allowed, 403 (may see but not do) or 404 (may not see). */
export type Access = 'allowed' | 'forbidden' | 'not_found';

/** Combines "may see" and "may do" into the answer the API gives. */
export function accessOf(canSee: boolean, canDo: boolean): Access {
  if (!canSee) return 'not_found';
  return canDo ? 'allowed' : 'forbidden';
}

/** The things that move an organisation through vetting and afterwards. */
export type OrganisationAction =
  'approve' | 'request_info' | 'reject' | 'respond' | 'suspend' | 'reinstate' | 'renew';

/**
 * The only transitions there are. Anything not listed is a conflict (409): e.g. a rejected application is
 * final, an active organisation cannot be approved again, only an active one can be suspended or renewed.
 */
const transitions: Record<OrganisationAction, Partial<Record<OrganisationStatus, OrganisationStatus>>> = {
  approve: { pending: 'active' },
  request_info: { pending: 'info_requested' },
  reject: { pending: 'rejected', info_requested: 'rejected' },
  respond: { info_requested: 'pending' },
  suspend: { active: 'suspended' },
  reinstate: { suspended: 'active' },
  renew: { active: 'active' },
};

/** The status an action leads to from this status, or null when the action is not possible from it. */
export function nextStatus(
  status: OrganisationStatus,
  action: OrganisationAction,
): OrganisationStatus | null {
  return transitions[action][status] ?? null;
}

/** Who may take an action on an organisation, leaving aside whether its status allows it. */
export function mayTakeAction(
  actor: Actor,
  action: OrganisationAction,
  organisation: { applicantPersonId: string | null },
): boolean {
  switch (action) {
    case 'approve':
    case 'request_info':
    case 'reject':
    case 'renew':
      return canModerate(actor);
    case 'suspend':
    case 'reinstate':
      return canAdministerPlatform(actor);
    case 'respond': {
      const personId = person(actor)?.personId;
      return personId !== undefined && personId === organisation.applicantPersonId;
    }
  }
}

/**
 * SECURITY: the law-enforcement tier unlocks investigator-facing features for other organisations to rely
 * on, so it is only ever granted to law-enforcement organisations.
 */
export function tierFitsType(tier: Tier, type: OrganisationType): boolean {
  return tier !== 'law_enforcement_verified' || type === 'law_enforcement';
}

/** A tier counts as expired from its expiry instant on (the tier itself is kept for the record). */
export function isTierExpired(tierExpiresAt: Date | null, now: Date = new Date()): boolean {
  return tierExpiresAt !== null && tierExpiresAt.getTime() <= now.getTime();
}

/**
 * An organisation must always keep an org_admin: removing (newRole null) or demoting the last one is
 * refused, or nobody could manage its members again.
 */
export function wouldRemoveLastAdmin(change: {
  currentRole: Role;
  newRole: Role | null;
  organisationAdmins: number;
}): boolean {
  return (
    change.currentRole === 'org_admin' && change.newRole !== 'org_admin' && change.organisationAdmins <= 1
  );
}

/** What the caller may do with an organisation: the web app shows and hides actions by these. */
export function organisationAbilities(
  actor: Actor,
  organisation: { id: string; status: OrganisationStatus; applicantPersonId: string | null },
) {
  const can = (action: OrganisationAction) =>
    mayTakeAction(actor, action, organisation) && nextStatus(organisation.status, action) !== null;
  return {
    viewMembers: canViewMembers(actor, organisation.id),
    manageMembers: canManageMembers(actor, organisation.id),
    viewAudit: canViewOrganisationAudit(actor, organisation.id),
    approve: can('approve'),
    requestInfo: can('request_info'),
    reject: can('reject'),
    respond: can('respond'),
    suspend: can('suspend'),
    reinstate: can('reinstate'),
    renew: can('renew'),
  };
}

/** What an org admin may do with one membership, given how many org_admins the organisation has. */
export function membershipAbilities(
  actor: Actor,
  membership: { organisationId: string; role: Role },
  organisationAdmins: number,
) {
  const manage = canManageMembers(actor, membership.organisationId);
  const last = wouldRemoveLastAdmin({ currentRole: membership.role, newRole: null, organisationAdmins });
  return { changeRole: manage && !last, remove: manage && !last };
}
