import type { Actor, PersonActor } from '../../kernel/access/policy.js';
import type { Role } from '../../kernel/access/roles.js';
import type { MatchAction, MatchStatus } from './matching.schemas.js';

/**
 * Who may do what in the matching module. Pure: the service gathers the facts, these decide.
 * - Screeners (case supervisors and investigators of an active organisation) look up selectors, register
 *   investigations and operations, and work the organisation's matches inbox.
 * - Org admins choose the organisation's participation; they and case supervisors read the lookup audit.
 */
export const screenerRoles: readonly Role[] = ['case_supervisor', 'investigator'];

type Screener = PersonActor & { membership: { id: string; organisationId: string; role: Role } };

/** The caller acting for an active organisation as a screener, or null. */
export function screenerOf(actor: Actor): Screener | null {
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.membership) return null;
  return screenerRoles.includes(actor.membership.role) ? (actor as Screener) : null;
}

/**
 * Whether a side's agreement to connect still stands: it agreed and has not since dismissed the match. Both the
 * transition (agreeing after the other side connects the pair) and what each side is shown read this.
 */
export function agreementStands(agreedAt: Date | null, status: MatchStatus): boolean {
  return agreedAt !== null && status !== 'dismissed';
}

/**
 * The transitions of one side of a match: agreeing to connect (the pair is in contact once both agreed),
 * dismissing a new match, resolving one in contact. Null: not allowed from here.
 */
export function nextStatuses(
  status: MatchStatus,
  agreedByUs: boolean,
  action: MatchAction,
  agreedByThem: boolean,
): { own: MatchStatus; other?: MatchStatus } | null {
  switch (action) {
    case 'agree':
      if (status !== 'new' || agreedByUs) return null;
      return agreedByThem ? { own: 'in_contact', other: 'in_contact' } : { own: 'new' };
    case 'dismiss':
      return status === 'new' ? { own: 'dismissed' } : null;
    case 'resolve':
      return status === 'in_contact' ? { own: 'resolved' } : null;
  }
}

/** What one side may still do with a match. */
export function matchAbilities(status: MatchStatus, agreedByUs: boolean) {
  return {
    agree: nextStatuses(status, agreedByUs, 'agree', false) !== null,
    dismiss: nextStatuses(status, agreedByUs, 'dismiss', false) !== null,
    resolve: nextStatuses(status, agreedByUs, 'resolve', false) !== null,
  };
}
