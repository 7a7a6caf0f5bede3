import type { Actor } from '../../kernel/access/policy.js';
import type { Role } from '../../kernel/access/roles.js';
import {
  caseReadableStates,
  referralTransitions,
  type ReferralSide,
  type ReferralState,
  type ReferralTransition,
} from './referrals.vocabulary.js';

/**
 * Who may do what with a referral. Pure functions: the service gathers the facts, these decide, and the
 * policy tests call them for every (from, to, side).
 *
 * - Sender side: caseworkers and case supervisors who reach the referred case under the cases module's rules
 *   (assignment, supervision, restriction). A break-glass opening reaches it read-only: such a supervisor sees
 *   the referral but does nothing with it.
 * - Recipient side: the recipient organisation's caseworkers and case supervisors, once the referral was sent.
 * - Only a case supervisor may share a section the survivor's consent does not cover (an override).
 * - Org admins see statistics only; nobody else sees a referral at all (404).
 */

/** The roles that work with referrals (the case roles). */
export const referralRoles: readonly Role[] = ['caseworker', 'case_supervisor'];
/** Roles that see an organisation's referral statistics. */
export const statisticsRoles: readonly Role[] = ['org_admin', 'case_supervisor'];

/** How the caller reaches the referred case (sender side; the recipient never reaches it this way). */
export type SenderCaseAccess = 'full' | 'read_only' | 'none';

/** What the service knows about the caller and one referral. */
export interface ReferralFacts {
  /** The caller's side, from their active organisation; null when neither party. */
  side: ReferralSide | null;
  /** The caller's role in that organisation. */
  role: Role | null;
  /** Sender side: how the caller reaches the case. */
  caseAccess: SenderCaseAccess;
  state: ReferralState;
  /** The referral left draft once (a draft, even a discarded one, is the sender's alone). */
  wasSent: boolean;
}

/** The allowed transition from → to for a side, if there is one. */
export function transitionRule(
  from: ReferralState,
  to: ReferralState,
  side: ReferralSide,
): ReferralTransition | undefined {
  return referralTransitions.find((rule) => rule.from === from && rule.to === to && rule.side === side);
}

/** Is from → to allowed for this side? The one question the state machine answers. */
export function transitionAllowed(from: ReferralState, to: ReferralState, side: ReferralSide): boolean {
  return transitionRule(from, to, side) !== undefined;
}

/** The caller's side of a referral, from their active organisation. */
export function referralSideOf(
  actor: Actor,
  parties: { senderOrganisationId: string; recipientOrganisationId: string },
): { side: ReferralSide | null; role: Role | null } {
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.membership)
    return { side: null, role: null };
  const { organisationId, role } = actor.membership;
  if (organisationId === parties.senderOrganisationId) return { side: 'sender', role };
  if (organisationId === parties.recipientOrganisationId) return { side: 'recipient', role };
  return { side: null, role };
}

const isReferralRole = (role: Role | null) => role !== null && referralRoles.includes(role);

/** Does the referral exist for the caller? (If not, every route answers 404.) */
export function seesReferral(facts: ReferralFacts): boolean {
  if (!isReferralRole(facts.role)) return false;
  if (facts.side === 'sender') return facts.caseAccess !== 'none';
  if (facts.side === 'recipient') return facts.wasSent;
  return false;
}

/** May the caller take this side's steps (not a read-only break-glass opening)? */
function actsForSide(facts: ReferralFacts): boolean {
  if (!seesReferral(facts)) return false;
  return facts.side === 'recipient' || facts.caseAccess === 'full';
}

/**
 * The answer to a requested transition: allowed; `not_found` when the referral does not exist for the caller;
 * `conflict` when no side may go from the current state to that one; `forbidden` when only the other side may,
 * or the caller sees the referral but may not act on it.
 */
export function decideTransition(
  facts: ReferralFacts,
  to: ReferralState,
): 'allowed' | 'not_found' | 'conflict' | 'forbidden' {
  if (!seesReferral(facts) || facts.side === null) return 'not_found';
  const anySide = referralTransitions.some((rule) => rule.from === facts.state && rule.to === to);
  if (!anySide) return 'conflict';
  if (!transitionAllowed(facts.state, to, facts.side)) return 'forbidden';
  return actsForSide(facts) ? 'allowed' : 'forbidden';
}

/** The name of the ability for each target state. */
export const abilityOfTarget = {
  sent: 'send',
  acknowledged: 'acknowledge',
  accepted: 'accept',
  declined: 'decline',
  in_progress: 'start',
  completed: 'complete',
  closed: 'close',
  cancelled: 'cancel',
} as const satisfies Partial<Record<ReferralState, string>>;

export type ReferralAbilities = Record<(typeof abilityOfTarget)[keyof typeof abilityOfTarget], boolean> & {
  /** Edit the draft (mayEditDraft). */
  edit: boolean;
  /** Read the shared sections of the case (recipient side, while the referral is active). */
  readCase: boolean;
};

/** What the caller may do with a referral they see, given as abilities so the web never re-derives them. */
export function referralAbilities(facts: ReferralFacts): ReferralAbilities {
  const abilities: ReferralAbilities = {
    edit: mayEditDraft(facts),
    send: false,
    acknowledge: false,
    accept: false,
    decline: false,
    start: false,
    complete: false,
    close: false,
    cancel: false,
    readCase: mayReadSharedCase(facts),
  };
  for (const to of Object.keys(abilityOfTarget) as (keyof typeof abilityOfTarget)[])
    abilities[abilityOfTarget[to]] = decideTransition(facts, to) === 'allowed';
  return abilities;
}

/**
 * SECURITY: may the caller read the referred case's shared sections now? Recipient staff only, and only while
 * the referral is acknowledged, accepted or in progress. The service re-checks consent on top of this, on
 * every request.
 */
export function mayReadSharedCase(facts: ReferralFacts): boolean {
  return seesReferral(facts) && facts.side === 'recipient' && caseReadableStates.includes(facts.state);
}

/** May the caller refer this case (create a referral of it)? Case staff who reach it fully. */
export function mayRefer(role: Role | null, caseAccess: SenderCaseAccess): boolean {
  return isReferralRole(role) && caseAccess === 'full';
}

/**
 * The answer to an edit: allowed only on a draft, to the sender's staff who may refer the case (who reach it
 * fully: a break-glass opening reads, never edits). `not_found` when the referral does not exist for the caller.
 */
export function decideEdit(facts: ReferralFacts): 'allowed' | 'not_found' | 'conflict' | 'forbidden' {
  if (!seesReferral(facts) || facts.side === null) return 'not_found';
  if (facts.side !== 'sender' || !mayRefer(facts.role, facts.caseAccess)) return 'forbidden';
  return facts.state === 'draft' ? 'allowed' : 'conflict';
}

/** May the caller edit this referral now (a draft, by the sender's staff who may refer the case)? */
export function mayEditDraft(facts: ReferralFacts): boolean {
  return decideEdit(facts) === 'allowed';
}

/** SECURITY: only a case supervisor may share a section without the survivor's consent (with a reason). */
export function mayOverrideConsent(role: Role | null): boolean {
  return role === 'case_supervisor';
}
