import type { Ctx } from '../../kernel/context.js';
import type { Tx } from '../../kernel/db/types.js';
import { registerThreadSubject, type ThreadSubjectResolver } from '../referrals/index.js';
import { matchConversationFor } from './matching.service.js';

/**
 * The hand-off after a match (issue 8): once both organisations agreed to connect, their screeners talk in a
 * message thread of the referrals module and choose what to share (a referral carries case data). Before both
 * agreed the thread does not exist for anyone (404); after one side resolves the match it can be read, not
 * written.
 */
export const matchThreadSubject: ThreadSubjectResolver = async (ctx: Ctx, tx: Tx, subjectId: string) => {
  const conversation = await matchConversationFor(ctx.actor, tx, subjectId);
  if (!conversation) return null;
  return {
    organisationIds: conversation.organisationIds,
    open: conversation.open,
    path: `/matching/matches/${subjectId}`,
  };
};

/** Makes a match something a message thread can be about. */
export function setupMatchThreads(): void {
  registerThreadSubject('match', matchThreadSubject);
}
