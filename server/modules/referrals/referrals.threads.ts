import type { Ctx } from '../../kernel/context.js';
import type { Tx } from '../../kernel/db/types.js';
import { supportRequestSidesFor } from '../directory/index.js';
import { referralThreadSubject } from './referrals.access.js';
import { transferThreadSubject } from './referrals.transfers.access.js';
import type { ThreadParties, ThreadSubjectKind, ThreadSubjectResolver } from './referrals.subjects.js';

/**
 * The registry of what a message thread can be about: for each subject kind, the resolver that says who its
 * parties are for the current actor (null: the actor may not see it, and every thread route answers 404).
 * SECURITY: the thread routes decide nothing about a subject themselves — every read, post, receipt, mail and
 * live event asks the subject's own resolver again, so a referral that closes, a consent that is revoked or a
 * member who leaves takes effect on the next request.
 */

/**
 * A support request from the Directory: one thread per requester–recipient pair. The people who may take part
 * are those the directory shows the request to (its case roles, at the requesting organisation or at that
 * recipient). A thread is open while the recipient has not answered an open request, or after it accepted it;
 * a decline, a withdrawal (another recipient accepted) or the request's closing ends it.
 *
 * Without `withOrganisationId`, a recipient's other party is the requester; the requester has chosen no pair,
 * so its parties name only itself (the subject is visible, no thread can be opened without naming a recipient).
 */
export const supportRequestThreadSubject: ThreadSubjectResolver = async (
  ctx: Ctx,
  tx: Tx,
  subjectId: string,
  withOrganisationId?: string,
): Promise<ThreadParties | null> => {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || !actor.membership) return null;
  const sides = await supportRequestSidesFor(actor, tx, subjectId);
  if (!sides) return null;
  const mine = actor.membership.organisationId;
  const path = `/directory/support/requests/${sides.requestId}`;
  const requestOpen = sides.status === 'open';
  const pairOpen = (status: string) => status === 'accepted' || (requestOpen && status === 'pending');
  if (mine === sides.requesterOrganisationId) {
    if (withOrganisationId === undefined) return { organisationIds: [mine], open: requestOpen, path };
    const recipient = sides.recipients.find((r) => r.organisationId === withOrganisationId);
    if (!recipient) return null;
    return { organisationIds: [mine, recipient.organisationId], open: pairOpen(recipient.status), path };
  }
  if (withOrganisationId !== undefined && withOrganisationId !== sides.requesterOrganisationId) return null;
  const own = sides.recipients.find((r) => r.organisationId === mine);
  if (!own) return null;
  return { organisationIds: [sides.requesterOrganisationId, mine], open: pairOpen(own.status), path };
};

/** Subject kinds whose rules belong to a module that builds on this one: it registers their resolver. */
export type RegisteredThreadSubjectKind = 'match';

/**
 * Every subject kind this module owns, with its resolver (exhaustive: a new kind does not compile without
 * one). The referral and transfer resolvers belong to their parts of the module, which own those subjects' rules.
 */
const resolvers: Record<Exclude<ThreadSubjectKind, RegisteredThreadSubjectKind>, ThreadSubjectResolver> = {
  referral: referralThreadSubject,
  transfer: transferThreadSubject,
  support_request: supportRequestThreadSubject,
};

/** Resolvers registered by the modules that build on this one (matching: a match's hand-off). */
const registered = new Map<RegisteredThreadSubjectKind, ThreadSubjectResolver>();

/**
 * Lets a module that builds on referrals make its subjects something a thread can be about (matching registers
 * `match` at setup). Until it does, the kind resolves to nothing and every thread route answers 404.
 */
export function registerThreadSubject(
  kind: RegisteredThreadSubjectKind,
  resolver: ThreadSubjectResolver,
): void {
  registered.set(kind, resolver);
}

/** The resolver of a subject kind (undefined for a kind this build does not know). */
export function threadSubjectResolver(kind: ThreadSubjectKind): ThreadSubjectResolver | undefined {
  if (kind === 'match') return registered.get(kind);
  return Object.hasOwn(resolvers, kind) ? resolvers[kind] : undefined;
}

/** Subject kinds, for schemas. */
export const threadSubjectKinds = [
  'referral',
  'transfer',
  'support_request',
  'match',
] as const satisfies readonly ThreadSubjectKind[];
