import { randomUUID } from 'node:crypto';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { createOrganisation } from '../../test/factories.js';
import type { Fixture, Row } from '../../test/matrix.js';
import { casesAssignments, casesConsents, casesFiles } from '../cases/index.js';
import { referralsTransfers } from './referrals.tables.js';

/**
 * Transfers are case work: organisation A's caseworkers and case supervisors pass the gate; everyone else is
 * refused there (403: their role never reaches case work, whichever organisation), before any transfer is
 * looked up. Who may see or decide one transfer is the service's (referrals.transfers.test.ts).
 */
const caseStaff = {
  anonymous: 401,
  partial: 401,
  default: 403,
  caseworker: 'ok',
  case_supervisor: 'ok',
} as const;
const supervisorsOnly = { ...caseStaff, caseworker: 403 } as const;

/** A fresh case of `organisationId` (no sealed values), assigned to `membershipId` when given. */
async function caseOf(f: Fixture, organisationId: string, membershipId?: string): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, organisationId);
    await tx.insert(casesFiles).values({
      id,
      organisationId,
      reference: `T-${id.slice(0, 8)}`,
      openedOn: '2026-01-01',
      profile: { gender: 'Feminine', citizenships: [] },
      victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
    });
    if (membershipId)
      await tx.insert(casesAssignments).values({ caseId: id, organisationId, membershipId, primary: true });
  });
  return id;
}

/** A case of A that its caseworker works on, with the survivor's Transfer consent naming a fresh organisation. */
async function transferableCase(f: Fixture): Promise<{ caseId: string; recipient: string }> {
  const recipient = (await createOrganisation(f.db)).id;
  const caseId = await caseOf(f, f.orgA, f.memberships.caseworker);
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(casesConsents).values({
      caseId,
      organisationId: f.orgA,
      purpose: 'Transfer',
      recipientOrganisationId: recipient,
      sections: ['profile'],
      givenOn: '2026-01-01',
    });
  });
  return { caseId, recipient };
}

/** A requested transfer; `record` marks it as having kept a record (never opened by the matrix). */
async function transferOf(
  f: Fixture,
  input: { caseId: string; sender: string; recipient: string; requestedBy: string | null; record?: boolean },
): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, input.sender);
    await tx.insert(referralsTransfers).values({
      id,
      caseId: input.caseId,
      senderOrganisationId: input.sender,
      recipientOrganisationId: input.recipient,
      senderReference: 'T-0001',
      requestedBy: input.requestedBy,
      ...(input.record ? { state: 'accepted', keepRecord: true, recordSealed: 'k1.matrix' } : {}),
    });
  });
  return id;
}

/** A transfer from A to a fresh organisation, asked for by A's caseworker (who still works on the case). */
async function sentByA(f: Fixture, options: { record?: boolean } = {}): Promise<string> {
  const { caseId, recipient } = await transferableCase(f);
  return transferOf(f, {
    caseId,
    sender: f.orgA,
    recipient,
    requestedBy: f.people.caseworker,
    ...options,
  });
}

/** A transfer from a fresh organisation to A: A's case supervisors decide it. */
async function receivedByA(f: Fixture): Promise<string> {
  const sender = (await createOrganisation(f.db)).id;
  const caseId = await caseOf(f, sender);
  return transferOf(f, { caseId, sender, recipient: f.orgA, requestedBy: null });
}

/** Access-matrix rows of the transfer operations. */
export const transfersMatrix: Record<string, Row> = {
  createTransfer: {
    expect: caseStaff,
    request: async (f) => {
      const { caseId, recipient } = await transferableCase(f);
      return { payload: { caseId, recipientOrganisationId: recipient, confirmNewPartner: true } };
    },
  },
  listTransfers: { expect: caseStaff, request: () => ({ url: '/api/transfers?box=sent' }) },
  getTransfer: {
    expect: caseStaff,
    request: async (f) => ({ url: `/api/transfers/${await sentByA(f)}` }),
  },
  // The recipient's case supervisors decide (the case has no consent, so acceptance meets a 409 past the gate).
  acceptTransfer: {
    expect: supervisorsOnly,
    request: async (f) => ({ url: `/api/transfers/${await receivedByA(f)}/accept` }),
  },
  rejectTransfer: {
    expect: supervisorsOnly,
    request: async (f) => ({
      url: `/api/transfers/${await receivedByA(f)}/reject`,
      payload: { reason: 'We have no place for a case like this now.' },
    }),
  },
  revokeTransfer: {
    expect: caseStaff,
    request: async (f) => ({
      url: `/api/transfers/${await sentByA(f)}/revoke`,
      payload: { reason: 'The survivor asked to stay with us.' },
    }),
  },
  // A's case supervisor sees the record's transfer and is asked for a step-up (past the gate).
  getTransferRecord: {
    expect: supervisorsOnly,
    request: async (f) => ({ url: `/api/transfers/${await sentByA(f, { record: true })}/record` }),
  },
};
