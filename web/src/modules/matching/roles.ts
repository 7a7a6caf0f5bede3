import { activeMembershipOf, useMe, type Me } from '../identity/auth/useMe';

/** What the signed-in person may open among the matching pages (the server checks every request itself). */
export interface MatchingRoles {
  /** Case supervisors and investigators look up, register investigations and alerts, and work the matches inbox. */
  screener: boolean;
  /** Organisation admins choose which types the organisation takes part with, and its focal point. */
  admin: boolean;
  /** Every member of an active organisation reads its quotas and who in it looked up what. */
  member: boolean;
  /** Platform admins change one organisation's lookup quotas. */
  platformAdmin: boolean;
}

const none: MatchingRoles = { screener: false, admin: false, member: false, platformAdmin: false };

/** The matching roles of a person's active membership, read as the server's route policies do (matching.routes.ts). */
export function matchingRolesOf(me: Me | null | undefined): MatchingRoles {
  if (!me || me.level !== 'full' || !me.hasRequiredFactor) return none;
  const platformAdmin = me.person.platformRole === 'platform_admin';
  const membership = activeMembershipOf(me);
  if (!membership || membership.organisation.status !== 'active') return { ...none, platformAdmin };
  const role = membership.role;
  return {
    screener: role === 'case_supervisor' || role === 'investigator',
    admin: role === 'org_admin',
    member: true,
    platformAdmin,
  };
}

/** The matching roles of the signed-in person (none while loading). */
export function useMatchingRoles(): MatchingRoles {
  return matchingRolesOf(useMe().data);
}
