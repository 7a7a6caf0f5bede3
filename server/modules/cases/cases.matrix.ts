import { randomUUID } from 'node:crypto';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Caller, Fixture, Row } from '../../test/matrix.js';
import { casesAssignments, casesConsents, casesEntries, casesFiles } from './cases.tables.js';
import { exchangeMatrix } from './cases.exchange.matrix.js';

/**
 * Case content: organisation A's caseworkers and case supervisors. Everyone else is refused at the gate (403:
 * their role never reaches case content, whichever organisation), before anything about the case is looked up.
 */
const caseStaff = {
  anonymous: 401,
  partial: 401,
  default: 403,
  caseworker: 'ok',
  case_supervisor: 'ok',
} as const;
const supervisorsOnly = { ...caseStaff, caseworker: 403 } as const;

/**
 * A fresh case of organisation A, assigned to A's caseworker (no identifying sections: the fixture writes no
 * sealed values). `status` Closed for the reopen row.
 */
async function caseOfA(f: Fixture, options: { status?: string } = {}): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(casesFiles).values({
      id,
      organisationId: f.orgA,
      reference: `M-${id.slice(0, 8)}`,
      status: options.status ?? 'Active',
      openedOn: '2026-01-01',
      profile: { gender: 'Masculine', citizenships: [] },
      victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
    });
    await tx
      .insert(casesAssignments)
      .values({ caseId: id, organisationId: f.orgA, membershipId: f.memberships.caseworker!, primary: true });
  });
  return id;
}

async function entryOf(f: Fixture, caseId: string): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(casesEntries).values({
      id,
      caseId,
      organisationId: f.orgA,
      kind: 'supportPlan',
      attributes: { type: 'Legal', status: 'Planned' },
    });
  });
  return id;
}

async function consentOf(f: Fixture, caseId: string): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(casesConsents).values({
      id,
      caseId,
      organisationId: f.orgA,
      purpose: 'Care',
      sections: ['profile'],
      givenOn: '2026-01-01',
    });
  });
  return id;
}

const onCase =
  (path: string, payload?: (f: Fixture, caller: Caller) => unknown, options: { status?: string } = {}) =>
  async (f: Fixture, caller: Caller) => {
    const caseId = await caseOfA(f, options);
    return { url: `/api/cases/${caseId}${path}`, payload: payload?.(f, caller) };
  };

/** Access-matrix rows of the cases module (server/access-matrix.test.ts). */
export const casesMatrix: Record<string, Row> = {
  ...exchangeMatrix,
  listCases: { expect: caseStaff },
  getCaseDashboard: { expect: caseStaff },
  listCaseStaff: { expect: caseStaff },
  getCaseStatistics: { expect: { ...caseStaff, caseworker: 403, analyst: 'ok' } },
  checkCaseDuplicates: { expect: caseStaff, request: () => ({ payload: { documentNumbers: ['X123'] } }) },
  createCaseFile: { expect: caseStaff, request: () => ({ payload: { draft: true } }) },
  getCaseFile: { expect: caseStaff, request: onCase('') },
  updateCaseFile: {
    expect: caseStaff,
    request: onCase('', () => ({ version: 1, victim: { traffickingStatus: 'ActualVictimOfTrafficking' } })),
  },
  addCaseEntry: {
    expect: caseStaff,
    request: onCase('/entries', () => ({ kind: 'supportPlan', type: 'Health' })),
  },
  updateCaseEntry: {
    expect: caseStaff,
    request: async (f) => {
      const caseId = await caseOfA(f);
      const entryId = await entryOf(f, caseId);
      return {
        url: `/api/cases/${caseId}/entries/${entryId}`,
        payload: { kind: 'supportPlan', type: 'Legal', status: 'InProgress' },
      };
    },
  },
  completeCaseEntry: {
    expect: caseStaff,
    request: async (f) => {
      const caseId = await caseOfA(f);
      return { url: `/api/cases/${caseId}/entries/${await entryOf(f, caseId)}/done` };
    },
  },
  recordCaseConsent: {
    expect: caseStaff,
    request: onCase('/consents', () => ({ purpose: 'Care', sections: ['profile'], givenOn: '2026-01-02' })),
  },
  revokeCaseConsent: {
    expect: caseStaff,
    request: async (f) => {
      const caseId = await caseOfA(f);
      return { url: `/api/cases/${caseId}/consents/${await consentOf(f, caseId)}/revoke` };
    },
  },
  setCaseAssignments: {
    expect: supervisorsOnly,
    request: onCase('/assignments', (f) => ({
      membershipIds: [f.memberships.caseworker],
      primaryMembershipId: f.memberships.caseworker,
    })),
  },
  setCaseRestriction: {
    expect: supervisorsOnly,
    request: onCase('/restriction', () => ({ restricted: false, membershipIds: [] })),
  },
  requestCaseClosure: {
    expect: caseStaff,
    request: onCase('/closure-request', () => ({ status: 'Closed', reason: 'Services delivered.' })),
  },
  decideCaseClosure: {
    expect: supervisorsOnly,
    request: onCase('/closure-decision', () => ({ decision: 'reject' })),
  },
  reopenCase: {
    expect: supervisorsOnly,
    request: onCase('/reopen', () => ({ reason: 'The survivor came back.' }), { status: 'Closed' }),
  },
  breakGlassCase: {
    expect: supervisorsOnly,
    request: onCase('/break-glass', () => ({
      reason: 'An emergency call at night; the caseworker is away.',
    })),
  },
  getCaseHistory: { expect: caseStaff, request: onCase('/history?kind=changes') },
};
