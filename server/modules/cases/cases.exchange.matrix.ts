import { randomUUID } from 'node:crypto';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Caller, Fixture, Row } from '../../test/matrix.js';
import { casesExportRequests, casesImports } from './cases.exports.tables.js';
import { casesAssignments, casesFiles } from './cases.tables.js';

/**
 * Access-matrix rows of HTCDS exchange (server/access-matrix.test.ts, merged through cases.matrix.ts).
 * Organisation A's caseworkers and case supervisors pass the gate; everyone else is refused there (403; 401
 * without a full session). Past the gate, the matrix callers have no step-up, so an export or an import
 * answers `step_up_required` — which counts as having passed the gate.
 */
const caseStaff = {
  anonymous: 401,
  partial: 401,
  default: 403,
  caseworker: 'ok',
  case_supervisor: 'ok',
} as const;
const supervisorsOnly = { ...caseStaff, caseworker: 403 } as const;

/** A fresh case of organisation A assigned to A's caseworker (nothing sealed). */
async function caseOfA(f: Fixture): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(casesFiles).values({
      id,
      organisationId: f.orgA,
      reference: `X-${id.slice(0, 8)}`,
      openedOn: '2026-01-01',
      profile: { gender: 'Feminine', citizenships: [] },
      victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
    });
    await tx
      .insert(casesAssignments)
      .values({ caseId: id, organisationId: f.orgA, membershipId: f.memberships.caseworker!, primary: true });
  });
  return id;
}

/**
 * A pending bulk export of organisation A, asked by `requester` (the caller itself for a download, someone
 * else for a decision: the requester never decides on their own request).
 */
async function requestOfA(f: Fixture, requester: string): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(casesExportRequests).values({
      id,
      organisationId: f.orgA,
      requestedBy: requester,
      scope: 'selected',
      caseIds: [randomUUID(), randomUUID()],
      format: 'json',
      includeIdentifying: false,
      status: 'approved',
      expiresAt: new Date(Date.now() + 3_600_000),
    });
  });
  return id;
}

/** An import of organisation A owned by the caller (anyone else's import does not exist for them). */
async function importOf(f: Fixture, caller: Caller, suffix = ''): Promise<{ url: string }> {
  const personId = f.people[caller] ?? f.people.caseworker!;
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(casesImports).values({
      id,
      organisationId: f.orgA,
      personId,
      status: 'committed',
      format: 'csv',
      counts: { cases: 0, valid: 0, invalid: 0, issues: 0, created: 0 },
      expiresAt: new Date(Date.now() + 3_600_000),
    });
  });
  return { url: `/api/cases/imports/${id}${suffix}` };
}

/** The access-matrix rows of the exchange operations. */
export const exchangeMatrix: Record<string, Row> = {
  // Staff pass the gate (checked before the body is read) and meet 400: no file name, no file.
  checkCaseImport: { expect: caseStaff },
  getCaseImport: { expect: caseStaff, request: (f, caller) => importOf(f, caller) },
  commitCaseImport: { expect: caseStaff, request: (f, caller) => importOf(f, caller, '/commit') },
  exportCaseFile: {
    expect: caseStaff,
    request: async (f) => ({
      url: `/api/cases/${await caseOfA(f)}/export`,
      payload: { format: 'json', password: 'a long matrix password' },
    }),
  },
  requestCaseExport: {
    expect: supervisorsOnly,
    request: async (f) => ({
      payload: { scope: 'selected', caseIds: [await caseOfA(f), await caseOfA(f)], format: 'csv' },
    }),
  },
  listCaseExportRequests: { expect: supervisorsOnly },
  decideCaseExport: {
    expect: supervisorsOnly,
    request: async (f) => ({
      url: `/api/cases/exports/${await requestOfA(f, f.people.caseworker!)}/decision`,
      payload: { decision: 'reject' },
    }),
  },
  downloadCaseExport: {
    expect: supervisorsOnly,
    request: async (f, caller) => ({
      url: `/api/cases/exports/${await requestOfA(f, f.people[caller] ?? f.people.caseworker!)}/download`,
      payload: { password: 'a long matrix password' },
    }),
  },
};
