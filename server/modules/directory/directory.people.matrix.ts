import { createMember } from '../../test/factories.js';
import { fullAndEnrolled, type Caller, type Fixture, type Row } from '../../test/matrix.js';
import { directoryContactMessages, directoryPeople } from './directory.tables.js';

/**
 * Signed-in members acting for an active organisation, whatever their role or organisation (A's and B's);
 * platform staff without a membership are refused at the gate.
 */
const anyMember = { ...fullAndEnrolled, moderator: 403, platform_admin: 403 } as const;

/** A fresh member of organisation B with a published professional profile. */
async function publishedPerson(f: Fixture): Promise<string> {
  const { personId, organisationId } = await createMember(f.db, { organisationId: f.orgB });
  await f.db
    .insert(directoryPeople)
    .values({ personId, organisationId, published: true, jobTitle: 'Lawyer' });
  return personId;
}

/** A fresh message to the caller (from a published member of B), so each caller marks its own. */
async function messageTo(f: Fixture, caller: Caller): Promise<string> {
  const from = await publishedPerson(f);
  const to = f.people[caller] ?? from;
  const [row] = await f.db
    .insert(directoryContactMessages)
    .values({ fromPersonId: from, fromOrganisationId: f.orgB, toPersonId: to, body: 'Hello' })
    .returning({ id: directoryContactMessages.id });
  return row!.id;
}

/** Access-matrix rows of the directory's people operations (server/access-matrix.test.ts). */
export const peopleMatrix: Record<string, Row> = {
  getMyPersonProfile: { expect: anyMember },
  saveMyPersonProfile: {
    expect: anyMember,
    request: () => ({ payload: { published: true, jobTitle: 'Caseworker', languages: ['sw'] } }),
  },
  searchPeople: { expect: anyMember },
  getPersonProfile: {
    expect: anyMember,
    request: async (f) => ({ url: `/api/directory/people/${await publishedPerson(f)}` }),
  },
  sendContactMessage: {
    expect: anyMember,
    request: async (f) => ({
      url: `/api/directory/people/${await publishedPerson(f)}/messages`,
      payload: { body: 'Could we talk about a referral route?' },
    }),
  },
  listContactMessages: { expect: anyMember },
  markContactMessageRead: {
    expect: anyMember,
    request: async (f, caller) => ({ url: `/api/directory/messages/${await messageTo(f, caller)}/read` }),
  },
};
