import type { Actor, PersonActor } from '../../kernel/access/policy.js';
import type { Role } from '../../kernel/access/roles.js';
import { contributorRoles, editableStatuses, type RouteStatus } from './journeys.vocabulary.js';

/**
 * Who may do what in the journeys module. Pure: the service gathers the facts, these decide.
 * - Contributors: caseworkers, case supervisors, analysts and org admins of an active (vetted) organisation
 *   contribute routes and see their own organisation's contributions — never another's.
 * - Moderators (and platform admins) see every contribution with who contributed it, and decide.
 * - The member map is for anyone acting for an active organisation; the public map for everyone.
 */

type Contributor = PersonActor & { membership: { id: string; organisationId: string; role: Role } };

/** The caller acting for an active organisation in a contributing role, or null. */
export function contributorOf(actor: Actor): Contributor | null {
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.membership) return null;
  return contributorRoles.includes(actor.membership.role) ? (actor as Contributor) : null;
}

/** Platform moderators and admins decide on contributions. */
export function isModerator(actor: Actor): boolean {
  return actor.kind === 'person' && actor.level === 'full' && actor.platformRole !== null;
}

/** What the contributing organisation may still do with a contribution. */
export function routeAbilities(status: RouteStatus): { update: boolean; delete: boolean } {
  const open = editableStatuses.includes(status);
  return { update: open, delete: open };
}

/** May a moderator take this decision on a contribution in this status? */
export function canDecide(status: RouteStatus, decision: 'validate' | 'query' | 'reject'): boolean {
  if (status === 'pending' || status === 'queried') return true;
  // A validated route may still be withdrawn from the map (rejected) — e.g. found to be a duplicate.
  return status === 'validated' && decision === 'reject';
}
