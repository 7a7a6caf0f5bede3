import { randomUUID } from 'node:crypto';
import { setTenant } from '../../kernel/db/tenant.js';
import type { Db } from '../../kernel/db/types.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { newStorageKey } from '../../kernel/storage/storage.js';
import { createOrganisation } from '../../test/factories.js';
import { fullAndEnrolled, type Fixture, type Row } from '../../test/matrix.js';
import { directorySupportRecipients, directorySupportRequests } from '../directory/index.js';
import { referralsMessages, referralsThreads } from './referrals.tables.js';

/**
 * Message threads: organisation A's case roles (caseworker, case supervisor, admin) and investigators pass the gate; other members
 * and platform staff without a membership are refused there (403). B's admin passes the gate too and finds
 * none of A's threads (404); what is not about one thread (unread counts, the live stream) is theirs as well.
 * The stream answers 406 to a request that does not accept text/event-stream (the matrix's), past the gate.
 */
const threadRoles = {
  ...fullAndEnrolled,
  default: 403,
  caseworker: 'ok',
  case_supervisor: 'ok',
  org_admin: 'ok',
  investigator: 'ok',
  other_admin: 'ok',
} as const;
// An investigator passes the gate (a match's thread is theirs too) but is no party to a support request: 404.
const threadRolesOfA = { ...threadRoles, investigator: 404, other_admin: 404 } as const;

/** Writes an open support request from one organisation to others, straight into the directory's tables. */
export async function insertSupportRequest(db: Db, from: string, to: string[]): Promise<string> {
  return inTransaction(db, async (tx) => {
    await setTenant(tx, from);
    const [request] = await tx
      .insert(directorySupportRequests)
      .values({
        organisationId: from,
        country: 'KE',
        services: ['shelter'],
        gender: 'female',
        ageBand: '12_17',
        urgency: 'within_days',
      })
      .returning({ id: directorySupportRequests.id });
    await tx
      .insert(directorySupportRecipients)
      .values(
        to.map((id) => ({ requestId: request!.id, organisationId: id, requesterOrganisationId: from })),
      );
    return request!.id;
  });
}

/**
 * A support request from A to a new organisation, with their thread (and one message with a file): one per
 * matrix run, shared by the rows (no call changes what the next caller meets: posts add messages, reads mark).
 */
const threads = new WeakMap<Fixture, ReturnType<typeof makeThreadOfA>>();
function threadOfA(f: Fixture): ReturnType<typeof makeThreadOfA> {
  let made = threads.get(f);
  if (!made) {
    made = makeThreadOfA(f);
    threads.set(f, made);
  }
  return made;
}

async function makeThreadOfA(
  f: Fixture,
): Promise<{ requestId: string; recipientId: string; threadId: string; messageId: string }> {
  const recipientId = (await createOrganisation(f.db)).id;
  const requestId = await insertSupportRequest(f.db, f.orgA, [recipientId]);
  const threadId = randomUUID();
  const messageId = randomUUID();
  const parties = [f.orgA, recipientId].sort();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(referralsThreads).values({
      id: threadId,
      subjectKind: 'support_request',
      subjectId: requestId,
      partyOrganisationIds: parties,
    });
    // No file and no key behind it: every caller is stopped (gate, thread rules or step-up) before either is read.
    await tx.insert(referralsMessages).values({
      id: messageId,
      threadId,
      partyOrganisationIds: parties,
      authorOrganisationId: f.orgA,
      bodySealed: 'k1.unused',
      attachmentSealed: 'k1.unused',
      attachmentStorageKey: newStorageKey(),
    });
  });
  return { requestId, recipientId, threadId, messageId };
}

/** Access-matrix rows of the message operations (server/access-matrix.test.ts). */
export const messagesMatrix: Record<string, Row> = {
  listThreads: {
    expect: threadRolesOfA,
    request: async (f) => ({
      url: `/api/threads?subjectKind=support_request&subjectId=${(await threadOfA(f)).requestId}`,
    }),
  },
  openThread: {
    expect: threadRolesOfA,
    request: async (f) => {
      const { requestId, recipientId } = await threadOfA(f);
      return {
        payload: { subjectKind: 'support_request', subjectId: requestId, withOrganisationId: recipientId },
      };
    },
  },
  getUnreadThreadCounts: { expect: threadRoles },
  streamThreadEvents: { expect: threadRoles },
  getThread: {
    expect: threadRolesOfA,
    request: async (f) => ({
      url: `/api/threads/${(await threadOfA(f)).threadId}?limit=1&after=${randomUUID()}`,
    }),
  },
  listThreadParticipants: {
    expect: threadRolesOfA,
    request: async (f) => ({ url: `/api/threads/${(await threadOfA(f)).threadId}/participants` }),
  },
  postThreadMessage: {
    expect: threadRolesOfA,
    request: async (f) => ({
      url: `/api/threads/${(await threadOfA(f)).threadId}/messages`,
      payload: { text: 'A message from the access matrix' },
    }),
  },
  markThreadRead: {
    expect: threadRolesOfA,
    request: async (f) => ({ url: `/api/threads/${(await threadOfA(f)).threadId}/read` }),
  },
  // A JSON body is no file: those who pass the gate and reach the thread get 415.
  postThreadAttachment: {
    expect: threadRolesOfA,
    request: async (f) => ({ url: `/api/threads/${(await threadOfA(f)).threadId}/attachments` }),
  },
  downloadThreadAttachment: {
    expect: threadRolesOfA,
    request: async (f) => {
      const { threadId, messageId } = await threadOfA(f);
      return { url: `/api/threads/${threadId}/messages/${messageId}/attachment` };
    },
  },
};
