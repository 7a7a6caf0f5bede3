import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from './kernel/access/roles.js';
import { hashToken, randomToken } from './kernel/crypto/crypto.js';
import { setTenant } from './kernel/db/tenant.js';
import { inTransaction } from './kernel/db/transaction.js';
import { identityInvitations } from './modules/identity/identity.tables.js';
import { createTestApp, type TestApp } from './test/app.js';
import {
  callers,
  enrolling,
  fullAndEnrolled,
  organisationAdminsAndPlatformAdmins,
  platformAdminOnly,
  publicRoute,
  signedIn,
  signedInOrPartial,
  staffOnly,
  type Caller,
  type Fixture,
  type Outcome,
  type Row,
} from './test/matrix.js';
import { casesMatrix } from './modules/cases/cases.matrix.js';
import { casesAttachmentsMatrix } from './modules/cases/cases.attachments.matrix.js';
import { directoryMatrix } from './modules/directory/directory.matrix.js';
import { journeysMatrix } from './modules/journeys/journeys.matrix.js';
import { referralsMatrix } from './modules/referrals/referrals.matrix.js';
import { transfersMatrix } from './modules/referrals/referrals.transfers.matrix.js';
import { messagesMatrix } from './modules/referrals/referrals.messages.matrix.js';
import { matchingMatrix } from './modules/matching/matching.matrix.js';

import { createMember, createOrganisation, createPerson, signIn } from './test/factories.js';

/** A fresh pending invitation to organisation A for an address without an account, and its token. */
async function invitation(f: Fixture): Promise<{ id: string; token: string }> {
  const token = randomToken();
  const [row] = await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    return tx
      .insert(identityInvitations)
      .values({
        organisationId: f.orgA,
        email: `matrix-invitee-${token.slice(0, 12)}@cairn.test`,
        role: 'member',
        tokenHash: hashToken(token),
        expiresAt: new Date(Date.now() + 86_400_000),
      })
      .returning({ id: identityInvitations.id });
  });
  return { id: row!.id, token };
}

const matrix: Record<string, Row> = {
  ...directoryMatrix,
  ...casesMatrix,
  ...casesAttachmentsMatrix,
  ...journeysMatrix,
  ...referralsMatrix,
  ...transfersMatrix,
  ...messagesMatrix,
  ...matchingMatrix,
  getHealth: { expect: publicRoute },
  signIn: {
    expect: publicRoute,
    request: () => ({ payload: { email: 'nobody@cairn.test', password: 'wrong password here' } }),
  },
  signOut: { expect: signedInOrPartial },
  getMe: { expect: signedInOrPartial },
  setActiveMembership: {
    // Platform staff without a membership try someone else's, which does not exist for them.
    expect: { ...enrolling, moderator: 404, platform_admin: 404 },
    request: (f, caller) => ({ payload: { membershipId: f.memberships[caller] ?? f.memberships.member } }),
  },
  listSessions: { expect: enrolling },
  revokeSession: {
    expect: enrolling,
    // One of the caller's own other sessions (anonymous callers get a made-up id).
    request: async (f, caller) => {
      const personId = f.people[caller];
      const id = personId ? (await signIn(f.db, personId)).sessionId : '00000000-0000-4000-8000-000000000000';
      return { url: `/api/auth/sessions/${id}` };
    },
  },
  revokeOtherSessions: { expect: enrolling },
  changePassword: {
    expect: signedIn,
    request: () => ({
      payload: { currentPassword: 'wrong password value', newPassword: 'violet kites over the delta' },
    }),
  },
  setupTotp: { expect: enrolling },
  confirmTotp: { expect: enrolling },
  removeTotp: { expect: enrolling },
  generateRecoveryCodes: { expect: enrolling },
  signInWithTotp: { expect: signedInOrPartial },
  signInWithRecoveryCode: { expect: signedInOrPartial },
  passkeyRegistrationOptions: { expect: enrolling },
  addPasskey: { expect: enrolling },
  listPasskeys: { expect: enrolling },
  removePasskey: {
    expect: enrolling,
    request: () => ({ url: '/api/auth/passkeys/00000000-0000-4000-8000-000000000000' }),
  },
  passkeySignInOptions: { expect: publicRoute },
  signInWithPasskey: { expect: publicRoute },
  stepUpOptions: { expect: fullAndEnrolled },
  stepUp: { expect: fullAndEnrolled },
  getIdentitySettings: { expect: platformAdminOnly },
  setIdentitySettings: { expect: platformAdminOnly },
  requestPasswordReset: { expect: publicRoute, request: () => ({ payload: { email: 'nobody@cairn.test' } }) },
  completePasswordReset: {
    expect: publicRoute,
    request: () => ({ payload: { token: 'x'.repeat(43), newPassword: 'violet kites over the delta' } }),
  },
  // --- identity: organisations, vetting, members (identity.organisations.*, identity.members.*) ---
  applyWithAccount: {
    expect: publicRoute,
    request: (_f, caller) => ({
      payload: {
        organisation: { name: `Matrix ${caller}`, type: 'ngo', countries: ['KE'], referee: 'A referee' },
        account: {
          displayName: `Matrix ${caller}`,
          email: `matrix-apply-${caller}@cairn.test`,
          password: 'violet kites over the delta',
        },
      },
    }),
  },
  applyAsPerson: {
    expect: fullAndEnrolled,
    request: (_f, caller) => ({
      payload: { name: `Matrix ${caller} two`, type: 'ngo', countries: ['KE'], referee: 'A referee' },
    }),
  },
  listMyApplications: { expect: enrolling },
  listApplications: { expect: staffOnly },
  listOrganisations: { expect: staffOnly },
  // orgA is active: staff pass the gate and meet a 409 (the transitions have their own tests).
  approveOrganisation: { expect: staffOnly, request: () => ({ payload: { tier: 'verified' } }) },
  requestOrganisationInfo: { expect: staffOnly, request: () => ({ payload: { message: 'More, please.' } }) },
  rejectOrganisation: { expect: staffOnly, request: () => ({ payload: { reason: 'No referee.' } }) },
  renewOrganisationTier: { expect: staffOnly, request: () => ({ payload: { tier: 'verified' } }) },
  reinstateOrganisation: { expect: platformAdminOnly },
  suspendOrganisation: {
    expect: platformAdminOnly,
    // A fresh organisation each call: suspending organisation A would end the other callers' sessions.
    request: async (f) => ({
      url: `/api/identity/organisations/${(await createOrganisation(f.db)).id}/suspend`,
      payload: { reason: 'Matrix' },
    }),
  },
  // Only an applicant may answer; organisation A has none, so those who see it get 403, others 404.
  respondToReview: {
    expect: { ...fullAndEnrolled, other_admin: 404, default: 403 },
    request: () => ({ payload: { message: 'An answer.' } }),
  },
  getOrganisation: { expect: { ...fullAndEnrolled, other_admin: 404 } },
  listOrganisationAudit: { expect: organisationAdminsAndPlatformAdmins },
  listPlatformAudit: { expect: platformAdminOnly },
  listMembers: { expect: organisationAdminsAndPlatformAdmins },
  listInvitations: { expect: organisationAdminsAndPlatformAdmins },
  inviteMember: {
    expect: { ...fullAndEnrolled, default: 403, org_admin: 'ok', other_admin: 404 },
    request: (_f, caller) => ({ payload: { email: `matrix-invite-${caller}@cairn.test`, role: 'member' } }),
  },
  revokeInvitation: {
    expect: { ...fullAndEnrolled, default: 403, org_admin: 'ok', other_admin: 404 },
    request: async (f) => ({
      url: `/api/identity/organisations/${f.orgA}/invitations/${(await invitation(f)).id}`,
    }),
  },
  // Signed in (full) as another address: 403; not signed in (or partial): the account is created.
  acceptInvitation: {
    expect: { default: 403, anonymous: 'ok', partial: 'ok' },
    request: async (f) => ({
      payload: {
        token: (await invitation(f)).token,
        displayName: 'Invitee',
        password: 'violet kites over the delta',
      },
    }),
  },
  changeMemberRole: {
    expect: { ...fullAndEnrolled, default: 403, org_admin: 'ok', other_admin: 404 },
    request: async (f) => ({
      url: `/api/identity/memberships/${(await createMember(f.db, { organisationId: f.orgA })).membership.id}`,
      payload: { role: 'analyst' },
    }),
  },
  removeMember: {
    expect: { ...fullAndEnrolled, default: 403, org_admin: 'ok', other_admin: 404 },
    request: async (f) => ({
      url: `/api/identity/memberships/${(await createMember(f.db, { organisationId: f.orgA })).membership.id}`,
    }),
  },
};

/** Gate refusals by problem code; other errors (bad credentials, validation, conflicts) passed the gate. */
const refusals: Record<string, Outcome> = {
  unauthenticated: 401,
  second_factor_required: 401,
  forbidden: 403,
  factor_enrolment_required: 403,
  step_up_required: 'ok',
  not_found: 404,
};

function outcomeOf(status: number, body: string): Outcome {
  if (status < 400) return 'ok';
  const code = (JSON.parse(body) as { code?: string }).code ?? '';
  return refusals[code] ?? 'ok';
}

interface Operation {
  operationId: string;
  method: string;
  path: string;
}

describe('the access matrix', () => {
  let t: TestApp;
  let operations: Operation[];
  let fixture: Fixture;

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { operationId: string }>>;
    }>();
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
      })),
    );
    const db = t.database.db;
    const orgA = (await createOrganisation(db)).id;
    const orgB = (await createOrganisation(db)).id;
    const people: Partial<Record<Caller, string | null>> = { anonymous: null };
    const memberships: Partial<Record<Caller, string>> = {};
    for (const role of [
      'member',
      'caseworker',
      'case_supervisor',
      'org_admin',
      'analyst',
      'investigator',
    ] as Role[]) {
      const m = await createMember(db, { role, organisationId: orgA });
      people[role] = m.personId;
      memberships[role] = m.membership.id;
    }
    const other = await createMember(db, { role: 'org_admin', organisationId: orgB });
    people.other_admin = other.personId;
    memberships.other_admin = other.membership.id;
    const unenrolled = await createMember(db, { role: 'caseworker', organisationId: orgA, passkey: false });
    people.unenrolled = unenrolled.personId;
    memberships.unenrolled = unenrolled.membership.id;
    people.partial = (await createPerson(db, { passkey: true })).id;
    people.moderator = (await createPerson(db, { platformRole: 'moderator', passkey: true })).id;
    people.platform_admin = (await createPerson(db, { platformRole: 'platform_admin', passkey: true })).id;
    fixture = {
      db,
      kernel: t.app.kernel,
      orgA,
      orgB,
      people: people as Record<Caller, string | null>,
      memberships,
    };
  });
  afterAll(() => t.close());

  it('has a row for every operation, and no row for an operation that does not exist', () => {
    const ids = operations.map((op) => op.operationId);
    expect(
      ids.filter((id) => !(id in matrix)),
      'operations without a row',
    ).toEqual([]);
    expect(
      Object.keys(matrix).filter((id) => !ids.includes(id)),
      'rows without an operation',
    ).toEqual([]);
  });

  it('gives every caller exactly the access the table says', async () => {
    const mismatches: string[] = [];
    let calls = 0;
    for (const op of operations) {
      const row = matrix[op.operationId];
      if (!row) continue;
      for (const caller of callers) {
        const built = row.request ? await row.request(fixture, caller) : {};
        const url = built.url ?? op.path.replace(/\{[^}]+\}/g, fixture.orgA);
        const headers: Record<string, string> = {};
        const personId = fixture.people[caller];
        if (personId) {
          const session = await signIn(t.database.db, personId, {
            membershipId: fixture.memberships[caller] ?? null,
            level: caller === 'partial' ? 'partial' : 'full',
          });
          headers.cookie = session.cookie;
        }
        const res = await t.app.inject({
          method: op.method as 'GET',
          url,
          headers,
          ...(built.payload !== undefined ? { payload: built.payload as Record<string, unknown> } : {}),
        });
        calls++;
        const expected = row.expect[caller] ?? row.expect.default;
        const actual = outcomeOf(res.statusCode, res.body);
        if (res.statusCode >= 500)
          mismatches.push(`${op.operationId} as ${caller}: ${res.statusCode} ${res.body}`);
        else if (actual !== expected) {
          mismatches.push(
            `${op.operationId} as ${caller}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 120)}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(calls).toBe(operations.length * callers.length);
    // Every operation × every caller, each with fresh fixtures: a few thousand requests in one test.
  }, 300_000);
});
