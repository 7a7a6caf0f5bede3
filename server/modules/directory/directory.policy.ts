import type { Actor, PersonActor } from '../../kernel/access/policy.js';
import type { Visibility } from './directory.vocabulary.js';

/**
 * The directory's resource rules: pure functions of the actor and the facts of a resource, used by the
 * services, the abilities the web reads, and the unit tests.
 */

const person = (actor: Actor): PersonActor | null =>
  actor.kind === 'person' && actor.level === 'full' ? actor : null;

/**
 * Who reads a profile, from the most to the least trusted: its own people, a partner organisation, a
 * signed-in member of any active organisation (or platform staff), or the public.
 */
export type Reader = 'own' | 'partner' | 'member' | 'public';

/** The audience of search for this actor: members see members' fields, everyone else the public directory. */
export function searchAudience(actor: Actor): 'members' | 'public' {
  const p = person(actor);
  return p && (p.membership || p.platformRole) ? 'members' : 'public';
}

/** How the actor reads one organisation's profile, given whether its organisation lists the actor's as partner. */
export function readerOf(actor: Actor, organisationId: string, isPartner: boolean): Reader {
  const p = person(actor);
  if (!p) return 'public';
  if (p.membership?.organisationId === organisationId) return 'own';
  if (p.membership && isPartner) return 'partner';
  return p.membership || p.platformRole ? 'member' : 'public';
}

/** True when a reader may see a field with this visibility. */
export function canSee(reader: Reader, visibility: Visibility): boolean {
  switch (visibility) {
    case 'public':
      return true;
    case 'members':
      return reader !== 'public';
    case 'partners':
      return reader === 'own' || reader === 'partner';
  }
}

/** Who edits a profile: its organisation's admins (and platform admins, who keep the directory correct). */
export function canEditProfile(actor: Actor, organisationId: string): boolean {
  const p = person(actor);
  if (!p) return false;
  if (p.platformRole === 'platform_admin') return true;
  return p.membership?.organisationId === organisationId && p.membership.role === 'org_admin';
}

/** Who may send support requests: anyone acting for an active organisation in a case role. */
export function canRequestSupport(actor: Actor): boolean {
  const role = person(actor)?.membership?.role;
  return role === 'caseworker' || role === 'case_supervisor' || role === 'org_admin';
}
