import { randomUUID } from 'node:crypto';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Fixture, Row } from '../../test/matrix.js';
import { matchingMatches, matchingSubjects } from './matching.tables.js';

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
/** The lookup audit: organisation admins and case supervisors. */
const auditors = { ...admins, case_supervisor: 'ok' } as const;

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
  listMatchingLookups: { expect: auditors },
};
