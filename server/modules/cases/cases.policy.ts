import type { Actor, PersonActor } from '../../kernel/access/policy.js';
import type { Role } from '../../kernel/access/roles.js';
import { closedStatuses, type CaseStatus } from './cases.vocabulary.js';

/**
 * Who may do what with a case file (issue 5, "Who sees what"). Pure functions: the service gathers the facts,
 * these decide, and the policy tests call them directly.
 *
 * - A caseworker sees the cases assigned to them; a case supervisor sees all of the organisation's cases.
 * - A restricted case is open only to its named staff — supervisors included — except through break-glass.
 * - Break-glass: a supervisor opens a case outside their scope for at most 60 minutes, read-only.
 * - Org admins manage people but do not read case content; analysts see de-identified statistics only.
 */

/** The roles that work with case content. */
export const caseRoles: readonly Role[] = ['caseworker', 'case_supervisor'];
/** Roles that see the organisation's de-identified statistics. */
export const statisticsRoles: readonly Role[] = ['analyst', 'case_supervisor'];

/** What the service knows about one case and the caller. */
export interface CaseFacts {
  organisationId: string;
  status: CaseStatus;
  restricted: boolean;
  /** The caller's membership is assigned to the case. */
  assigned: boolean;
  /** The caller's membership is among the named staff of a restricted case. */
  named: boolean;
  /** The end of the caller's live break-glass opening, if any. */
  breakGlassUntil: Date | null;
  /** Who asked for the pending closure, if one is pending. */
  closureRequestedBy: string | null;
}

export type CaseAccessVia = 'assignment' | 'supervision' | 'restriction' | 'break_glass';
export interface CaseAccess {
  via: CaseAccessVia;
  until: Date | null;
}

type CaseMember = PersonActor & { membership: { id: string; organisationId: string; role: Role } };

/** The caller acting for an organisation in a case role, or null. */
export function caseMemberOf(actor: Actor): CaseMember | null {
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.membership) return null;
  return caseRoles.includes(actor.membership.role) ? (actor as CaseMember) : null;
}

/** How the caller reaches a case, or null when it does not exist for them (404). */
export function caseAccess(actor: Actor, facts: CaseFacts, now = new Date()): CaseAccess | null {
  const member = caseMemberOf(actor);
  if (!member || member.membership.organisationId !== facts.organisationId) return null;
  const supervisor = member.membership.role === 'case_supervisor';
  if (facts.restricted) {
    if (facts.named) return { via: 'restriction', until: null };
  } else {
    if (supervisor) return { via: 'supervision', until: null };
    if (facts.assigned) return { via: 'assignment', until: null };
  }
  if (supervisor && facts.breakGlassUntil && facts.breakGlassUntil > now)
    return { via: 'break_glass', until: facts.breakGlassUntil };
  return null;
}

/** May this supervisor open the case through break-glass (it exists for them only as such)? */
export function canBreakGlass(actor: Actor, facts: CaseFacts, now = new Date()): boolean {
  const member = caseMemberOf(actor);
  if (!member || member.membership.organisationId !== facts.organisationId) return false;
  if (member.membership.role !== 'case_supervisor') return false;
  const access = caseAccess(actor, facts, now);
  return access === null || access.via === 'break_glass';
}

export interface CaseAbilities {
  update: boolean;
  addEntries: boolean;
  assign: boolean;
  restrict: boolean;
  recordConsent: boolean;
  requestClosure: boolean;
  approveClosure: boolean;
  reopen: boolean;
  viewAccessHistory: boolean;
  reveal: boolean;
}

const none: CaseAbilities = {
  update: false,
  addEntries: false,
  assign: false,
  restrict: false,
  recordConsent: false,
  requestClosure: false,
  approveClosure: false,
  reopen: false,
  viewAccessHistory: false,
  reveal: false,
};

/** What the caller may do with a case they can reach. Break-glass is read-only. */
export function caseAbilities(actor: Actor, facts: CaseFacts, now = new Date()): CaseAbilities {
  const access = caseAccess(actor, facts, now);
  const member = caseMemberOf(actor);
  if (!access || !member) return none;
  const reveal = true;
  if (access.via === 'break_glass') return { ...none, reveal };
  const supervisor = member.membership.role === 'case_supervisor';
  const open = !closedStatuses.includes(facts.status);
  const closurePending = facts.closureRequestedBy !== null;
  return {
    update: open,
    addEntries: open,
    assign: supervisor && open,
    restrict: supervisor,
    recordConsent: open,
    requestClosure: open && !closurePending,
    // Four eyes: the person who asked for a closure does not approve it.
    approveClosure: supervisor && closurePending && facts.closureRequestedBy !== member.personId,
    reopen: supervisor && !open,
    viewAccessHistory: supervisor,
    reveal,
  };
}
