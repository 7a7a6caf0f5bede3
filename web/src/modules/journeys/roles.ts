import { activeMembershipOf, useMe, type Me } from '../identity/auth/useMe';

/** What the signed-in person may open among the journey pages (the server checks every request itself). */
export interface JourneyRoles {
  /** Anyone acting for an active (vetted) organisation reads the member map. */
  member: boolean;
  /** Caseworkers, case supervisors, analysts and organisation admins of an active organisation contribute. */
  contributor: boolean;
  /** Platform moderators and admins decide on contributions. */
  moderator: boolean;
}

const none: JourneyRoles = { member: false, contributor: false, moderator: false };
/** The server's contributorRoles (server/modules/journeys/journeys.vocabulary.ts). */
const CONTRIBUTOR_ROLES: readonly string[] = ['caseworker', 'case_supervisor', 'analyst', 'org_admin'];

/** The journey roles of a person, read as the server's route policies (journeys.routes.ts) do. */
export function journeyRolesOf(me: Me | null | undefined): JourneyRoles {
  if (!me || me.level !== 'full' || !me.hasRequiredFactor) return none;
  const membership = activeMembershipOf(me);
  const active = membership !== null && membership.organisation.status === 'active';
  return {
    member: active,
    contributor: active && CONTRIBUTOR_ROLES.includes(membership.role),
    moderator: me.person.platformRole !== null,
  };
}

/** The journey roles of the signed-in person (none while loading). */
export function useJourneyRoles(): JourneyRoles {
  return journeyRolesOf(useMe().data);
}
