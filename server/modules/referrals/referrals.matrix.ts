import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Fixture, Row } from '../../test/matrix.js';
import { casesFiles } from '../cases/index.js';
import { referralsReferrals } from './referrals.tables.js';

/**
 * Referrals: caseworkers and case supervisors (of either party). Everyone else is refused at the gate (403),
 * before anything about a referral is looked up. Organisation A sends in these fixtures, except for reading
 * the case, where A's staff must be the recipient: that row's referral goes from B to A.
 */
const caseStaff = {
  anonymous: 401,
  partial: 401,
  default: 403,
  caseworker: 'ok',
  case_supervisor: 'ok',
} as const;

/** A fresh case of an organisation (no sealed sections), assigned to A's caseworker when it is A's. */
async function caseOf(f: Fixture, organisationId: string): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, organisationId);
    await tx.insert(casesFiles).values({
      id,
      organisationId,
      reference: `R-${id.slice(0, 8)}`,
      status: 'Active',
      openedOn: '2026-01-01',
      profile: { gender: 'Feminine', citizenships: [] },
      victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
    });
    // The cases module exports only its case table; its other rows are written here as plain SQL.
    if (organisationId === f.orgA)
      await tx.execute(
        sql`insert into cases_assignments (case_id, organisation_id, membership_id, "primary")
            values (${id}, ${organisationId}, ${f.memberships.caseworker!}, true)`,
      );
    const recipient = organisationId === f.orgA ? f.orgB : f.orgA;
    await tx.execute(
      sql`insert into cases_consents (case_id, organisation_id, purpose, recipient_organisation_id, sections, given_on)
          values (${id}, ${organisationId}, 'Referral', ${recipient}, array['profile'], '2026-01-01')`,
    );
  });
  return id;
}

/** A referral of a fresh case, in a state, written directly (the API's own tests walk the states). */
async function referralOf(f: Fixture, options: { from: 'A' | 'B'; state: string }): Promise<string> {
  const sender = options.from === 'A' ? f.orgA : f.orgB;
  const recipient = options.from === 'A' ? f.orgB : f.orgA;
  const caseId = await caseOf(f, sender);
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, sender);
    await tx.insert(referralsReferrals).values({
      id,
      caseId,
      senderOrganisationId: sender,
      recipientOrganisationId: recipient,
      state: options.state,
      services: ['shelter'],
      sections: ['profile'],
      ...(options.state === 'draft'
        ? {}
        : { sentAt: new Date(), acknowledgeDueAt: new Date(Date.now() + 48 * 3_600_000) }),
    });
  });
  return id;
}

/** Access-matrix rows of the referral operations. */
export const referralsMatrix: Record<string, Row> = {
  listReferrals: { expect: caseStaff, request: () => ({ url: '/api/referrals?box=sent' }) },
  getReferralStatistics: {
    // Each organisation's own: B's admin sees B's.
    expect: {
      anonymous: 401,
      partial: 401,
      default: 403,
      org_admin: 'ok',
      case_supervisor: 'ok',
      other_admin: 'ok',
    },
  },
  getPlatformReferralStatistics: {
    expect: { anonymous: 401, partial: 401, default: 403, moderator: 'ok', platform_admin: 'ok' },
  },
  createReferral: {
    expect: caseStaff,
    request: async (f) => ({
      payload: {
        caseId: await caseOf(f, f.orgA),
        recipientOrganisationId: f.orgB,
        services: ['shelter'],
        sections: ['profile'],
      },
    }),
  },
  getReferral: {
    expect: caseStaff,
    request: async (f) => ({ url: `/api/referrals/${await referralOf(f, { from: 'A', state: 'draft' })}` }),
  },
  updateReferral: {
    expect: caseStaff,
    request: async (f) => ({
      url: `/api/referrals/${await referralOf(f, { from: 'A', state: 'draft' })}`,
      payload: { version: 1, urgency: 'urgent' },
    }),
  },
  transitionReferral: {
    expect: caseStaff,
    request: async (f) => ({
      url: `/api/referrals/${await referralOf(f, { from: 'A', state: 'sent' })}/transitions`,
      payload: { to: 'cancelled', version: 1, reason: 'Matrix' },
    }),
  },
  getReferralCase: {
    // A's staff are the recipient here: B referred its case to A, and A acknowledged.
    expect: caseStaff,
    request: async (f) => ({
      url: `/api/referrals/${await referralOf(f, { from: 'B', state: 'acknowledged' })}/case`,
    }),
  },
};
