import { randomUUID } from 'node:crypto';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { fullAndEnrolled, platformAdminOnly, type Fixture, type Row } from '../../test/matrix.js';
import { matchingMatches, matchingSettings, matchingSubjects } from './matching.tables.js';

/** Case supervisors and investigators of organisation A (everyone else is refused at the gate). */
const screeners = {
  anonymous: 401,
  partial: 401,
  default: 403,
  case_supervisor: 'ok',
  investigator: 'ok',
} as const;
/** Organisation admins: A's, and B's for its own organisation. */
const admins = { anonymous: 401, partial: 401, default: 403, org_admin: 'ok', other_admin: 'ok' } as const;
/**
 * The lookup audit and the quotas: every member of an active organisation (A's and B's), whatever the role;
 * platform staff without a membership are refused at the gate.
 */
const members = { ...fullAndEnrolled, moderator: 403, platform_admin: 403 } as const;

/** A fresh open investigation of an organisation, its title sealed with the organisation's key. */
async function subjectOf(f: Fixture, organisationId: string): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, organisationId);
    const titleSealed = await f.kernel.keys.sealField(
      tx,
      { organisationId, table: 'matching_subjects', column: 'title_sealed', rowId: id },
      'Matrix investigation',
    );
    await tx.insert(matchingSubjects).values({ id, organisationId, kind: 'investigation', titleSealed });
  });
  return id;
}

/** A fresh new match between an investigation of A and one of B. */
async function matchOfA(f: Fixture, suffix = ''): Promise<{ url: string }> {
  const [a, b] = [await subjectOf(f, f.orgA), await subjectOf(f, f.orgB)];
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    const [low, high] =
      a < b
        ? [
            [a, f.orgA],
            [b, f.orgB],
          ]
        : [
            [b, f.orgB],
            [a, f.orgA],
          ];
    await tx.insert(matchingMatches).values({
      id,
      selectorType: 'phone',
      lowSubjectId: low[0]!,
      lowOrganisationId: low[1]!,
      highSubjectId: high[0]!,
      highOrganisationId: high[1]!,
    });
  });
  return { url: `/api/matching/matches/${id}${suffix}` };
}

/** B names its admin as its matching focal point (so a screener of A has someone to write to). */
async function focalPointOfB(f: Fixture): Promise<void> {
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgB);
    await tx
      .insert(matchingSettings)
      .values({ organisationId: f.orgB, focalPersonId: f.people.other_admin })
      // setMatchingFocalPoint's row may have named nobody meanwhile.
      .onConflictDoUpdate({
        target: matchingSettings.organisationId,
        set: { focalPersonId: f.people.other_admin },
      });
  });
}

const phone = { type: 'phone', number: '+254 712 345 678' };

export const matchingMatrix: Record<string, Row> = {
  matchingLookup: { expect: screeners, request: () => ({ payload: { selectors: [phone] } }) },
  registerMatchingSubject: {
    expect: screeners,
    request: () => ({ payload: { kind: 'investigation', title: 'Matrix', selectors: [phone] } }),
  },
  listMatchingSubjects: { expect: screeners },
  getMatchingSubject: {
    expect: screeners,
    request: async (f) => ({ url: `/api/matching/subjects/${await subjectOf(f, f.orgA)}` }),
  },
  closeMatchingSubject: {
    expect: screeners,
    request: async (f) => ({ url: `/api/matching/subjects/${await subjectOf(f, f.orgA)}/close` }),
  },
  listMatches: { expect: screeners },
  getMatch: { expect: screeners, request: (f) => matchOfA(f) },
  actOnMatch: {
    expect: screeners,
    request: async (f) => ({ ...(await matchOfA(f, '/actions')), payload: { action: 'dismiss' } }),
  },
  getMatchingParticipation: { expect: admins },
  setMatchingParticipation: {
    expect: admins,
    request: () => ({ payload: { types: [{ type: 'address', enabled: true }] } }),
  },
  listMatchingLookups: { expect: members },
  getMatchingQuotas: { expect: members },
  setMatchingFocalPoint: { expect: admins, request: () => ({ payload: { personId: null } }) },
  getMatchFocalPoint: { expect: screeners, request: (f) => matchOfA(f, '/focal-point') },
  writeToMatchFocalPoint: {
    expect: screeners,
    request: async (f) => {
      await focalPointOfB(f);
      return { ...(await matchOfA(f, '/focal-point/messages')), payload: { body: 'Hello' } };
    },
  },
  listMatchingQuotas: { expect: platformAdminOnly },
  setMatchingQuota: {
    expect: platformAdminOnly,
    request: (f) => ({
      url: `/api/matching/platform/quotas/${f.orgB}`,
      payload: { lookupsPerPerson: 60, lookupsPerOrganisation: null, reason: 'Matrix' },
    }),
  },
};
