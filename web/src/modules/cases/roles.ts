import { activeMembershipOf, useMe, type Me } from '../identity/auth/useMe';

/** The case roles of the person's active membership (the server's route gate checks the same roles). */
export interface CaseRoles {
  /** A caseworker or case supervisor of an active organisation: works with case files. */
  caseStaff: boolean;
  supervisor: boolean;
  /** Analysts and supervisors see the organisation's de-identified statistics. */
  statistics: boolean;
}

const noRoles: CaseRoles = { caseStaff: false, supervisor: false, statistics: false };

/**
 * What the signed-in person may open in the cases area. The server's `me` carries no case abilities, so
 * this reads the active membership's role the way the server's route policies do (cases.routes.ts); each
 * case file still comes with its own `abilities`, which decide every action on it.
 */
export function caseRolesOf(me: Me | null | undefined): CaseRoles {
  if (!me || me.level !== 'full' || !me.hasRequiredFactor) return noRoles;
  const membership = activeMembershipOf(me);
  if (!membership || membership.organisation.status !== 'active') return noRoles;
  const role = membership.role;
  return {
    caseStaff: role === 'caseworker' || role === 'case_supervisor',
    supervisor: role === 'case_supervisor',
    statistics: role === 'analyst' || role === 'case_supervisor',
  };
}

/** The case roles of the signed-in person (none while loading). */
export function useCaseRoles(): CaseRoles {
  return caseRolesOf(useMe().data);
}
