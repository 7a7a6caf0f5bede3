import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Db } from '../../kernel/db/types.js';
import { createOrganisation } from '../../test/factories.js';
import { fullAndEnrolled, staffOnly, type Fixture, type Row } from '../../test/matrix.js';
import { directorySupportRecipients, directorySupportRequests } from './directory.tables.js';

/** Organisation A's case roles pass; everyone else is refused at the gate. B's admin passes the gate too. */
const caseRoles = {
  ...fullAndEnrolled,
  default: 403,
  caseworker: 'ok',
  case_supervisor: 'ok',
  org_admin: 'ok',
  other_admin: 'ok',
} as const;
/** The same, for one request of A's: B's admin passes the gate and finds nothing (404). */
const caseRolesOfA = { ...caseRoles, other_admin: 404 } as const;

/** A need any caller may send (codes only). */
export const matrixNeed = {
  country: 'KE',
  services: ['shelter'],
  gender: 'female',
  ageBand: '12_17',
  urgency: 'within_days',
};

/** Writes an open support request from one organisation to others, straight into the tables. */
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

/** A fresh request sent by A to a new organisation (A's to read or close; B's admin is a stranger to it). */
async function sentByA(f: Fixture) {
  return insertSupportRequest(f.db, f.orgA, [(await createOrganisation(f.db)).id]);
}

/** A fresh request sent to A by a new organisation (A's to answer). */
async function sentToA(f: Fixture) {
  return insertSupportRequest(f.db, (await createOrganisation(f.db)).id, [f.orgA]);
}

/** Access-matrix rows of the directory's support operations (server/access-matrix.test.ts). */
export const supportMatrix: Record<string, Row> = {
  matchSupport: { expect: caseRoles, request: () => ({ payload: { need: matrixNeed } }) },
  // B's admin names its own organisation as recipient: past the gate, refused as invalid (400).
  createSupportRequest: {
    expect: caseRoles,
    request: (f) => ({ payload: { need: matrixNeed, recipientOrganisationIds: [f.orgB] } }),
  },
  listSupportRequests: { expect: caseRoles },
  listIncomingSupportRequests: { expect: caseRoles },
  getSupportRequest: {
    expect: caseRolesOfA,
    request: async (f) => ({ url: `/api/directory/support/requests/${await sentByA(f)}` }),
  },
  closeSupportRequest: {
    expect: caseRolesOfA,
    request: async (f) => ({ url: `/api/directory/support/requests/${await sentByA(f)}/close` }),
  },
  acceptSupportRequest: {
    expect: caseRolesOfA,
    request: async (f) => ({ url: `/api/directory/support/requests/${await sentToA(f)}/accept` }),
  },
  declineSupportRequest: {
    expect: caseRolesOfA,
    request: async (f) => ({
      url: `/api/directory/support/requests/${await sentToA(f)}/decline`,
      payload: { reason: 'no_capacity' },
    }),
  },
  // Any member sees their organisation's record; platform staff act for no organisation.
  getSupportStats: { expect: { ...fullAndEnrolled, moderator: 403, platform_admin: 403 } },
  listUnmetNeeds: { expect: staffOnly },
};
