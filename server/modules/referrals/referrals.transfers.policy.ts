import type { Actor } from '../../kernel/access/policy.js';
import type { Role } from '../../kernel/access/roles.js';

/**
 * A transfer's state machine and who may do what with a transfer (issue 6). Pure functions: the service gathers
 * the facts, these decide, and the tests call them for every pair of states and every side.
 *
 * - requested → accepted | rejected (with a reason) by a case supervisor of the recipient;
 *   requested → revoked (with a reason) by the sender: the person who asked for it or a case supervisor.
 *   Nothing else: accepted, rejected and revoked are final.
 * - Sender side: the person who asked, the caseworkers and case supervisors who work on the case while the
 *   sender holds it, and the sender's case supervisors once the case has gone (they hold its record).
 * - Recipient side: the recipient's case supervisors (they decide, then assign the case in the cases module).
 * - Nobody else sees a transfer at all (404).
 */

/** Where a transfer stands. */
export const transferStates = ['requested', 'accepted', 'rejected', 'revoked'] as const;
export type TransferState = (typeof transferStates)[number];

/** The two parties of a transfer. */
export const transferSides = ['sender', 'recipient'] as const;
export type TransferSide = (typeof transferSides)[number];

/** One allowed step: from, to, which side takes it, and whether it needs a written reason (sealed). */
export interface TransferTransition {
  from: TransferState;
  to: TransferState;
  side: TransferSide;
  needsReason: boolean;
}

/** Every allowed transition; anything not listed is impossible. */
export const transferTransitions: readonly TransferTransition[] = [
  { from: 'requested', to: 'accepted', side: 'recipient', needsReason: false },
  { from: 'requested', to: 'rejected', side: 'recipient', needsReason: true },
  { from: 'requested', to: 'revoked', side: 'sender', needsReason: true },
];

/** How long a decided transfer's message thread still takes messages. */
export const transferThreadOpenDays = 30;

/** The roles that work with transfers (the case roles). */
export const transferRoles: readonly Role[] = ['caseworker', 'case_supervisor'];

/** Is from → to allowed for this side? The one question the state machine answers. */
export function transferTransitionAllowed(
  from: TransferState,
  to: TransferState,
  side: TransferSide,
): boolean {
  return transferTransitions.some((rule) => rule.from === from && rule.to === to && rule.side === side);
}

/** What the service knows about the caller and one transfer. */
export interface TransferFacts {
  /** The caller's side, from their active organisation; null when neither party. */
  side: TransferSide | null;
  role: Role | null;
  /** The caller asked for this transfer. */
  requester: boolean;
  /** Sender side: the caller works on the case (assignment, supervision, restriction) while the sender holds it. */
  reachesCase: boolean;
  state: TransferState;
  /** A read-only record of the case was kept for the sender. */
  hasRecord: boolean;
}

/** The caller's side of a transfer and their role there. */
export function transferSideOf(
  actor: Actor,
  parties: { senderOrganisationId: string; recipientOrganisationId: string },
): { side: TransferSide | null; role: Role | null; personId: string | null } {
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.membership)
    return { side: null, role: null, personId: null };
  const { organisationId, role } = actor.membership;
  const side =
    organisationId === parties.senderOrganisationId
      ? 'sender'
      : organisationId === parties.recipientOrganisationId
        ? 'recipient'
        : null;
  return { side, role, personId: actor.personId };
}

const isTransferRole = (role: Role | null) => role !== null && transferRoles.includes(role);

/** Does the transfer exist for the caller? (If not, every route answers 404.) */
export function seesTransfer(facts: TransferFacts): boolean {
  if (!isTransferRole(facts.role)) return false;
  const supervisor = facts.role === 'case_supervisor';
  if (facts.side === 'sender')
    return facts.requester || facts.reachesCase || (supervisor && facts.state === 'accepted');
  if (facts.side === 'recipient') return supervisor;
  return false;
}

/** May the caller act for their side (beyond seeing the transfer)? */
function actsForSide(facts: TransferFacts): boolean {
  if (facts.side === 'recipient') return facts.role === 'case_supervisor';
  if (facts.side === 'sender') return facts.requester || facts.role === 'case_supervisor';
  return false;
}

/**
 * The answer to a requested transition: allowed; `not_found` when the transfer does not exist for the caller;
 * `forbidden` when only the other side (or another role) may take it; `conflict` when the transfer is no
 * longer in a state it can leave that way.
 */
export function decideTransferTransition(
  facts: TransferFacts,
  to: TransferState,
): 'allowed' | 'not_found' | 'forbidden' | 'conflict' {
  if (!seesTransfer(facts) || facts.side === null) return 'not_found';
  const rule = transferTransitions.find((candidate) => candidate.to === to);
  // A step to a state no transition reaches (the first state) is never possible.
  if (!rule) return 'conflict';
  if (rule.side !== facts.side || !actsForSide(facts)) return 'forbidden';
  return transferTransitionAllowed(facts.state, to, facts.side) ? 'allowed' : 'conflict';
}

export interface TransferAbilities {
  accept: boolean;
  reject: boolean;
  revoke: boolean;
  /** Open the sender's read-only record of the case (the sender's case supervisors, after a step-up). */
  viewRecord: boolean;
}

/** What the caller may do with a transfer they see, given as abilities so the web never re-derives them. */
export function transferAbilities(facts: TransferFacts): TransferAbilities {
  return {
    accept: decideTransferTransition(facts, 'accepted') === 'allowed',
    reject: decideTransferTransition(facts, 'rejected') === 'allowed',
    revoke: decideTransferTransition(facts, 'revoked') === 'allowed',
    viewRecord: mayViewRecord(facts) === 'allowed',
  };
}

/**
 * SECURITY: the sender's record of the case is for the sender's case supervisors only (the step-up and the
 * audit are the service's). 404 when the transfer does not exist for the caller or kept no record; 403 for
 * those who see the transfer but not its record.
 */
export function mayViewRecord(facts: TransferFacts): 'allowed' | 'not_found' | 'forbidden' {
  if (!seesTransfer(facts)) return 'not_found';
  if (facts.side !== 'sender' || facts.role !== 'case_supervisor') return 'forbidden';
  return facts.hasRecord ? 'allowed' : 'not_found';
}
