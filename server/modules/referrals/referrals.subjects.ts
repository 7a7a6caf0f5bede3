import type { Ctx } from '../../kernel/context.js';
import type { Tx } from '../../kernel/db/types.js';

/** What a message thread can be about. */
export type ThreadSubjectKind = 'referral' | 'transfer' | 'support_request' | 'match';

/** Who takes part in a thread about one subject, as the subject's own rules decide for the current actor. */
export interface ThreadParties {
  /** The organisations whose people may read and post (the actor's active organisation is one of them). */
  organisationIds: string[];
  /** False once the subject has ended: the thread can be read but takes no new message. */
  open: boolean;
  /** The web path of the subject, for links in notifications (ids only, nothing identifying). */
  path: string;
}

/**
 * Resolves a subject for the actor: null when the actor may not see it (the routes answer 404). For a support
 * request, `withOrganisationId` names the other party (one thread per requester–recipient pair); referrals and
 * transfers ignore it.
 */
export type ThreadSubjectResolver = (
  ctx: Ctx,
  tx: Tx,
  subjectId: string,
  withOrganisationId?: string,
) => Promise<ThreadParties | null>;
