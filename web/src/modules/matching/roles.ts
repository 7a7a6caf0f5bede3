import { activeMembershipOf, useMe, type Me } from '../identity/auth/useMe';

/** What the signed-in person may open among the matching pages (the server checks every request itself). */
export interface MatchingRoles {
  /** Case supervisors and investigators look up, register investigations and alerts, and work the matches inbox. */
  screener: boolean;
  /** Organisation admins choose which types the organisation takes part with. */
  admin: boolean;
  /** Organisation admins and case supervisors read who looked up what. */
  auditor: boolean;
}

const none: MatchingRoles = { screener: false, admin: false, auditor: false };

/** The matching roles of a person's active membership, read as the server's route policies do (matching.routes.ts). */
export function matchingRolesOf(me: Me | null | undefined): MatchingRoles {
  if (!me || me.level !== 'full' || !me.hasRequiredFactor) return none;
  const membership = activeMembershipOf(me);
  if (!membership || membership.organisation.status !== 'active') return none;
  const role = membership.role;
  return {
    screener: role === 'case_supervisor' || role === 'investigator',
    admin: role === 'org_admin',
    auditor: role === 'org_admin' || role === 'case_supervisor',
  };
}

/** The matching roles of the signed-in person (none while loading). */
export function useMatchingRoles(): MatchingRoles {
  return matchingRolesOf(useMe().data);
}
