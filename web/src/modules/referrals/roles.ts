import { activeMembershipOf, useMe, type Me } from '../identity/auth/useMe';

/** What the signed-in person may open among the referral pages (the server checks every request itself). */
export interface ReferralRoles {
  /** Caseworkers and case supervisors refer, transfer and write messages. */
  caseStaff: boolean;
  /** Case supervisors may share a section the consent does not cover, with a written reason. */
  supervisor: boolean;
  /** Organisation admins and case supervisors see the organisation's referral statistics. */
  statistics: boolean;
  /** Platform staff (moderators and platform admins) see the platform-wide counts. */
  platformStaff: boolean;
}

const none: ReferralRoles = { caseStaff: false, supervisor: false, statistics: false, platformStaff: false };

/** The referral roles of a person's active membership, read as the server's route policies do. */
export function referralRolesOf(me: Me | null | undefined): ReferralRoles {
  if (!me || me.level !== 'full' || !me.hasRequiredFactor) return none;
  // Staff need no membership: the server's ability, as the organisation pages read it.
  const platformStaff = me.abilities.moderate;
  const membership = activeMembershipOf(me);
  if (!membership || membership.organisation.status !== 'active') return { ...none, platformStaff };
  const role = membership.role;
  return {
    platformStaff,
    caseStaff: role === 'caseworker' || role === 'case_supervisor',
    supervisor: role === 'case_supervisor',
    statistics: role === 'org_admin' || role === 'case_supervisor',
  };
}

/** The referral roles of the signed-in person (none while loading). */
export function useReferralRoles(): ReferralRoles {
  return referralRolesOf(useMe().data);
}
